-- A vendor's HTTP answer as ctx.http returns it: status, body, planned (true when a dry run
-- held the request back), headers whose names match in any case (the last value of a name sent
-- more than once), header_values(name) for every value, links()/link(rel) for Link headers
-- (link.lua), and json() to decode the body.
-- json.decode as it was when the runtime started (a plugin cannot change it: readonly.lua).
local decode = json.decode
local link = ...
local lower = string.lower

local M = {}

-- The headers with lower-cased names; a lookup in any case finds them (h["Retry-After"]).
function M.headers(t)
  local out = {}
  for k, v in pairs(t or {}) do out[lower(k)] = v end
  return setmetatable(out, { __index = function(self, k)
    if type(k) == "string" then return rawget(self, lower(k)) end
  end })
end

-- The response for the host's raw answer {status, headers, body, planned, repeated}; `url` is
-- the URL asked for (relative links resolve against it).
function M.new(raw, url)
  local body = raw.body or ""
  local headers = M.headers(raw.headers)
  local repeated = raw.repeated or {}
  local r = {
    status = raw.status or 0,
    headers = headers,
    body = body,
    planned = raw.planned == true,
  }
  r.json = function() return decode(body) end
  -- Every value of header `name`, in the order the vendor sent them (a new list each call).
  r.header_values = function(name)
    local key = lower(name)
    local all = repeated[key]
    if all then return table.move(all, 1, #all, 1, {}) end
    local one = rawget(headers, key)
    return one and { one } or {}
  end
  -- Every link of every Link header line: { {url, rel, params}, ... }, URLs resolved.
  r.links = function()
    local links = {}
    for _, value in ipairs(r.header_values("link")) do link.parse(value, links) end
    if url then
      for _, l in ipairs(links) do l.url = link.resolve(url, l.url) end
    end
    return links
  end
  -- The URL of the link with relation type `rel` ("next"), or nil.
  r.link = function(rel) return link.find(r.links(), rel) end
  return r
end

return M
