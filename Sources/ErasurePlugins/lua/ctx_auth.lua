-- ctx.auth: credentials for the vendor's API, as headers (bearer, basic, header), signed tokens
-- (jwt), and OAuth2 client-credentials sources (oauth2) that ctx.http's `auth` option or
-- token/invalidate use. Every secret that passes through the host is redacted from then on.
local host = ...
local basic, jwt, oauth2_token, oauth2_invalidate = host.basic, host.jwt, host.oauth2_token, host.oauth2_invalidate

-- A new ctx.auth table.
return function()
  local auth = {}
  function auth.bearer(token) return { Authorization = "Bearer " .. tostring(token) } end
  function auth.basic(user, pass) return { Authorization = basic(user, pass) } end
  function auth.header(name, value) return { [name] = value } end
  function auth.jwt(spec) return jwt(spec) end
  function auth.oauth2(spec)
    local source = { kind = "oauth2" }
    for k, v in pairs(spec or {}) do source[k] = v end
    return source
  end
  function auth.token(source) return oauth2_token(source) end
  function auth.invalidate(source) return oauth2_invalidate(source) end
  return auth
end
