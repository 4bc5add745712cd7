-- ctx.http: requests to the plugin's vendor. The host applies the vendor's policy (allowed
-- hosts, dry run, retries, rate limit); the answer is a response (response.lua). pages walks a
-- paged list (pages.lua).
local host, response, pages = ...
local send = host.http

-- A new ctx.http table.
return function()
  local http = {}
  function http.request(req)
    if type(req) ~= "table" then error("ctx.http.request expects a table {method, url, ...}", 2) end
    return response.new(send(req), req.url)
  end
  for _, method in ipairs({ "get", "post", "put", "patch", "delete" }) do
    local verb = string.upper(method)
    http[method] = function(url, opts)
      local req = {}
      for k, v in pairs(opts or {}) do req[k] = v end
      req.method, req.url = verb, url
      return response.new(send(req), url)
    end
  end
  function http.pages(spec) return pages.iterate(http.request, spec) end
  return http
end
