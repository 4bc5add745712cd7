-- A vendor's HTTP answer as ctx.http returns it: status, body, planned (true when a dry run
-- held the request back), headers whose names match in any case, and json() to decode the body.
-- json.decode as it was when the runtime started (a plugin cannot change it: readonly.lua).
local decode = json.decode

local M = {}

-- The headers with lower-cased names; a lookup in any case finds them (h["Retry-After"]).
function M.headers(t)
  local out = {}
  for k, v in pairs(t or {}) do out[string.lower(k)] = v end
  return setmetatable(out, { __index = function(self, k)
    if type(k) == "string" then return rawget(self, string.lower(k)) end
  end })
end

-- The response for the host's raw answer {status, headers, body, planned}.
function M.new(raw)
  local body = raw.body or ""
  local r = {
    status = raw.status or 0,
    headers = M.headers(raw.headers),
    body = body,
    planned = raw.planned == true,
  }
  r.json = function() return decode(body) end
  return r
end

return M
