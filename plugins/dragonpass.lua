-- DragonPass API v2: delete a user and their membership(s).
-- What is confirmed, assumed or unknown about this vendor, and the config key behind each
-- assumption: docs/vendors.md#dragonpass
--
-- Endpoints
--   POST {base_url}/users/delete  {"clientUserId": id}  -> {"code":0,"msg":"User successfully deleted."}
--        CONFIRMED (DragonPass' Delete A User page): path, body and success answer.
--   POST {base_url}/users/search  {"clientUserId": id}  (lookup, sent read-only in a dry run)
--        SECONDARY: path from a third-party README; body and answer ASSUMED (`search_path`).
-- Identity: id (DragonPass' clientUserId).
-- Auth: "Authorization: Bearer <token>" with a static token, or a self-signed HS256 JWT whose claims
--   are iss and exp (CONFIRMED), cached until a minute before it expires.
-- Headers: X-Program-ID (CONFIRMED), X-Request-ID, a fresh UUID per request (SECONDARY).
-- Not confirmed:
--   - how an unknown clientUserId is answered (UNKNOWN): codes in `not_found_codes` (default 40401,
--     ASSUMED, what erasure's sandbox answers) mean "absent"; any other code != 0 is `failed` with
--     its code and msg;
--   - whether errors use HTTP statuses (UNKNOWN): any answer without an integer `code` is `failed`
--     with the raw answer.

local plugin = {
  name = "dragonpass",
  version = "1.0.0",
  description = "DragonPass API v2: delete a user and their memberships (clientUserId)",
  hosts = {},
  config = {
    base_url = { default = "https://developer-sandbox.dragonpass.com/api/v2" },
    program_id = { required = true, doc = "your numeric Program ID (X-Program-ID)" },
    token = { secret = true, doc = "a static Bearer token (or use jwt_issuer + jwt_secret)" },
    jwt_issuer = { doc = "issuer DragonPass assigned to you, for self-signed HS256 JWTs" },
    jwt_secret = { secret = true, doc = "HS256 key DragonPass gave you" },
    jwt_lifetime = { default = 3600, type = "integer", doc = "seconds a self-signed JWT lives" },
    search_path = { default = "users/search", doc = "lookup endpoint (SECONDARY)" },
    not_found_codes = { default = { "40401" }, type = "list", doc = "codes meaning the user is absent (ASSUMED)" },
  },
  identity = { "id" },
  verify = "lookup",   -- after a deletion, the host looks the user up again: gone, or failed
}

function plugin.validate(config)
  if not config.token and not (config.jwt_issuer and config.jwt_secret) then
    return "set either token, or jwt_issuer and jwt_secret"
  end
end

local cached_jwt, cached_exp = nil, 0

local function bearer(ctx)
  local c = ctx.config
  if c.token then return c.token end
  local now = ctx.now()
  if not cached_jwt or now > cached_exp - 60 then
    cached_exp = math.floor(now) + c.jwt_lifetime
    cached_jwt = ctx.auth.jwt{ alg = "HS256", key = c.jwt_secret,
                               claims = { iss = c.jwt_issuer, exp = cached_exp } }
  end
  return cached_jwt
end

local function headers(ctx)
  return {
    ["Authorization"] = "Bearer " .. bearer(ctx),
    ["X-Program-ID"] = tostring(ctx.config.program_id),
    ["X-Request-ID"] = ctx.uuid(),
    ["Accept"] = "application/json",
  }
end

local function endpoint(ctx, path)
  local segments = {}
  for part in tostring(path):gmatch("[^/]+") do segments[#segments + 1] = part end
  return ctx.url(ctx.config.base_url, table.unpack(segments))
end

-- The DragonPass envelope {code, msg, data}, or an error naming the HTTP status.
local function envelope(resp)
  local ok, body = pcall(resp.json)
  if not ok or type(body) ~= "table" or math.type(body.code) ~= "integer" then
    error({ message = "DragonPass answered something that is not its {code, msg} envelope (HTTP "
                      .. tostring(resp.status) .. ")",
            retryable = resp.status >= 500 })
  end
  return body
end

local function absent(ctx, body)
  for _, code in ipairs(ctx.config.not_found_codes) do
    if tostring(body.code) == tostring(code) then return true end
  end
  return false
end

local function refused(body)
  return string.format("DragonPass refused (code %d): %s", body.code, tostring(body.msg))
end

function plugin.lookup(ctx, user)
  local resp = ctx.http.post(endpoint(ctx, ctx.config.search_path), {
    json = { clientUserId = user.id }, headers = headers(ctx), read_only = true,
  })
  local body = envelope(resp)
  if body.code == 0 then
    local record = type(body.data) == "table" and body.data or {}
    record.clientUserId = record.clientUserId or user.id
    return record
  end
  if absent(ctx, body) then return nil end
  error({ message = refused(body), retryable = false })
end

function plugin.delete(ctx, user, record)
  local resp = ctx.http.post(endpoint(ctx, "users/delete"), {
    json = { clientUserId = user.id }, headers = headers(ctx),
  })
  if resp.planned then return { outcome = "planned" } end
  local body = envelope(resp)
  if body.code == 0 then
    return { outcome = "deleted", message = tostring(body.msg or "deleted"), vendor_id = user.id }
  end
  if absent(ctx, body) then
    return { outcome = "not_found", message = tostring(body.msg) }
  end
  return { outcome = "failed", message = refused(body) }
end

return plugin
