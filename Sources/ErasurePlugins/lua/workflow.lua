-- What a workflow sees: one handle per vendor the person can be sent to, and the global
-- skip(reason). Every action goes through the host, which journals it and counts deletions.
local host = ...
local act, skip = host.act, host.skip

local Handle = {}
Handle.__index = Handle
function Handle:lookup() return act(self.name, "lookup", self.identity) end
function Handle:delete(record) return act(self.name, "delete", self.identity, record) end
function Handle:suspend(record, reason) return act(self.name, "suspend", self.identity, record, reason) end
function Handle:skip(reason) return skip(self.name, reason) end
function Handle:can(action) return self.actions[action] == true end

local M = {}

-- Runs a workflow for one person. `specs` lists the vendors this person can be sent to, in the
-- engine's order (Engine.vendors): { {name=, identity={...}, actions={lookup=true,...}}, ... }.
function M.run(run, person, specs, params)
  local vendors = {}
  for i, spec in ipairs(specs) do
    local h = setmetatable({ name = spec.name, identity = spec.identity, actions = spec.actions }, Handle)
    vendors[i] = h
    vendors[spec.name] = h
  end
  return run(person, vendors, params)
end

-- The global skip(reason) of a workflow: every vendor not yet decided.
function M.skip(reason) return skip(nil, reason) end

return M
