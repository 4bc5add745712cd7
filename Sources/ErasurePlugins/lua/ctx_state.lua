-- ctx.state: what a plugin remembers about the person of this action at its vendor, between the
-- steps of a multi-step flow and across runs over the same journal (get(key) → value or nil;
-- set(key, value), value nil removes it). A set is durable before the plugin's next request.
local host = ...
local get, set = host.state_get, host.state_set

-- A new ctx.state table.
return function()
  local state = {}
  function state.get(key) return get(key) end
  function state.set(key, value) set(key, value) end
  return state
end
