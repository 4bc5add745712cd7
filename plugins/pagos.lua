-- Pagos SpreadsheetWEB (server / private cloud): delete a site-level user.
-- What is confirmed, assumed or unknown about this vendor, and the config key behind each
-- assumption: docs/vendors.md#pagos
--
-- Endpoint
--   POST {base_url}/Api/Sites/DeleteUser  {"UserName": username, "SiteId": site_id}
--        CONFIRMED (the vendor's DeleteUser page). The answer is ALWAYS HTTP 200; the outcome is in the body:
--          success         {"Success":true,"InvalidToken":false,"MethodResponse":"User removed successfuly.",...}
--          auth failure    {"Success":false,"InvalidToken":false,"Messages":["The requested resource ..."]}
--          method failure  {"Success":true,"InvalidToken":false,"MethodResponse":"An error has occurred. ..."}
--        so: deleted only when Success is true, InvalidToken false and MethodResponse says the user
--        was removed (`removed_pattern`); Success:true with any other MethodResponse is failed with
--        that text; Success:false is failed with Messages.
-- Identity: username.
-- Auth: "Authorization: Bearer <token>" (CONFIRMED) with a static `token`, or OAuth2 client
--   credentials at `token_url` (the form POST and {access_token, expires_in} answer are SECONDARY:
--   the vendor's Hub sample; the Server product's token path is UNKNOWN). InvalidToken:true refreshes
--   the token once when client credentials are configured, and otherwise fails.
-- Not confirmed:
--   - no read API exists (GetUser is UNKNOWN): there is no lookup; delete is sent directly;
--   - the text for an unknown user (UNKNOWN): MethodResponse matching `absent_pattern` (default
--     "does not exist", ASSUMED, what erasure's sandbox answers) is `not_found`;
--   - the caller's IP must be whitelisted by the site's SystemAdmin (CONFIRMED; nothing to send).

local plugin = {
  name = "pagos",
  version = "1.0.0",
  description = "Pagos SpreadsheetWEB site-level API: DeleteUser (UserName, SiteId)",
  hosts = {},
  config = {
    base_url = { default = "https://dev7.pagos.com", doc = "your SpreadsheetWEB server" },
    site_id = { required = true, type = "integer" },
    token = { secret = true, doc = "a static Bearer token (or token_url + client_id + client_secret)" },
    token_url = { doc = "OAuth2 client-credentials token endpoint (SECONDARY)" },
    client_id = {},
    client_secret = { secret = true },
    scope = {},
    removed_pattern = { default = "removed", doc = "MethodResponse text of a deletion (CONFIRMED: 'User removed successfuly.')" },
    absent_pattern = { default = "does not exist", doc = "MethodResponse text of an unknown user (ASSUMED)" },
  },
  identity = { "username" },
  verify = { skip = "Pagos has no read API to look the user up" },
}

function plugin.validate(config)
  if not config.token and not (config.token_url and config.client_id and config.client_secret) then
    return "set either token, or token_url, client_id and client_secret"
  end
end

local oauth -- the client-credentials source, made once

local function auth(ctx)
  if ctx.config.token then return nil, ctx.auth.bearer(ctx.config.token) end
  oauth = oauth or ctx.auth.oauth2{
    token_url = ctx.config.token_url, client_id = ctx.config.client_id,
    client_secret = ctx.config.client_secret, scope = ctx.config.scope,
  }
  return oauth, {}
end

local function contains(text, pattern)
  return type(text) == "string" and text:lower():find(pattern:lower(), 1, true) ~= nil
end

local function send(ctx, user)
  local source, headers = auth(ctx)
  headers["Accept"] = "application/json"
  return ctx.http.post(ctx.url(ctx.config.base_url, "Api", "Sites", "DeleteUser"), {
    json = { UserName = user.username, SiteId = ctx.config.site_id },
    headers = headers, auth = source,
  }), source
end

local function messages(body)
  if type(body.Messages) == "table" and #body.Messages > 0 then
    local parts = {}
    for i, m in ipairs(body.Messages) do parts[i] = tostring(m) end
    return table.concat(parts, "; ")
  end
  return "no message"
end

function plugin.delete(ctx, user, record)
  local resp, source = send(ctx, user)
  if resp.planned then return { outcome = "planned" } end
  local ok, body = pcall(resp.json)
  if ok and type(body) == "table" and body.InvalidToken == true and source then
    ctx.log.info("token rejected; fetching a new one and retrying once")
    ctx.auth.invalidate(source)
    resp = send(ctx, user)
    ok, body = pcall(resp.json)
  end
  if not ok or type(body) ~= "table" or type(body.Success) ~= "boolean" then
    error({ message = "Pagos answered something that is not its response object (HTTP "
                      .. tostring(resp.status) .. ")", retryable = resp.status >= 500 })
  end
  if not body.Success then
    local why = body.InvalidToken and "token rejected" or "request refused"
    return { outcome = "failed", message = "Pagos " .. why .. ": " .. messages(body) }
  end
  if body.InvalidToken then
    return { outcome = "failed", message = "Pagos rejected the token: " .. messages(body) }
  end
  local said = body.MethodResponse
  if contains(said, ctx.config.removed_pattern) then
    return { outcome = "deleted", message = said, vendor_id = user.username }
  end
  if contains(said, ctx.config.absent_pattern) then
    return { outcome = "not_found", message = said }
  end
  return { outcome = "failed", message = "Pagos could not delete the user: " .. tostring(said) }
end

return plugin
