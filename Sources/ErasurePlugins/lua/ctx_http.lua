-- ctx.http: requests to the plugin's vendor. The host applies the vendor's policy (allowed
-- hosts, dry run, retries, rate limit); the answer is a response (response.lua).
local host, response = ...
local send = host.http

-- A new ctx.http table.
return function()
  local http = {}
  function http.request(req)
    if type(req) ~= "table" then error("ctx.http.request expects a table {method, url, ...}", 2) end
    return response.new(send(req))
  end
  for _, method in ipairs({ "get", "post", "put", "patch", "delete" }) do
    local verb = string.upper(method)
    http[method] = function(url, opts)
      local req = {}
      for k, v in pairs(opts or {}) do req[k] = v end
      req.method, req.url = verb, url
      return response.new(send(req))
    end
  end
  return http
end
