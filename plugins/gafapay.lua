-- GafaPay v3: delete (or suspend) a user by id.
-- What is confirmed, assumed or unknown about this vendor, and the config key behind each
-- assumption: docs/vendors.md#gafapay
--
-- Endpoints (all CONFIRMED: docs.gafapay.com user pages)
--   GET    {base_url}/user/user_detail/{id}  -> {"success":1,"error":[],"data":{"user_detail":{...}}}
--   DELETE {base_url}/user/user_detail/{id}  -> {"success":1,...,"data":{"message":"USER_REMOVE_USER_DETAIL_SUCCESSFULLY"}}
--          irreversible; the vendor suggests USER_STATUS_SUSPENDED / BLOCKED instead for temporary cases.
--   PUT    {base_url}/user/user_detail {"id", "status_id"}  (suspend)
--          Whether status_id can be set here is NOT confirmed by GafaPay's docs (an older doc of the
--          same API lists it: SECONDARY, weak): `suspend_status_id` (default 5 = USER_STATUS_SUSPENDED,
--          CONFIRMED constant) is what we send; a refusal is reported as failed.
-- Identity: id (32-hex user id).
-- Headers: "authorization: Token <token>", companyid, requestid (a fresh UUID per request): CONFIRMED.
--   How an admin token is obtained is UNKNOWN: the operator provides `token`.
-- Failures: {"success":0,"error":[...],"data":{"validation_message":...}} (CONFIRMED on a sibling
--   endpoint, ASSUMED here) -> failed with the error list or validation_message. A lookup answering
--   an error in `not_found_errors` (default USER_NOT_FOUND, ASSUMED: unknown-user answer is UNKNOWN)
--   means the user is absent -> not_found.

local plugin = {
  name = "gafapay",
  version = "1.0.0",
  description = "GafaPay v3: delete or suspend a user (user_detail)",
  hosts = {},
  config = {
    base_url = { default = "https://api.gafapay.com:8443/gafapay/v3" },
    company_id = { required = true, doc = "your 32-hex company id (companyid header)" },
    token = { required = true, secret = true, doc = "an admin JWT, sent as 'authorization: Token ...'" },
    suspend_status_id = { default = 5, type = "integer", doc = "status_id sent to suspend (5 SUSPENDED, 4 BLOCKED)" },
    not_found_errors = { default = { "USER_NOT_FOUND" }, type = "list", doc = "lookup errors meaning absent (ASSUMED)" },
  },
  identity = { "id" },
  verify = "lookup",   -- after a deletion, the host looks the user up again: gone, or failed
}

local function headers(ctx)
  return {
    ["authorization"] = "Token " .. ctx.config.token,
    ["companyid"] = ctx.config.company_id,
    ["requestid"] = ctx.uuid(),
    ["Accept"] = "application/json",
  }
end

local function envelope(resp)
  local ok, body = pcall(resp.json)
  if not ok or type(body) ~= "table" or (body.success ~= 0 and body.success ~= 1) then
    error({ message = "GafaPay answered something that is not its {success, error, data} envelope (HTTP "
                      .. tostring(resp.status) .. ")", retryable = resp.status >= 500 })
  end
  return body
end

local function reason(body)
  local parts = {}
  if type(body.error) == "table" then
    for _, e in ipairs(body.error) do parts[#parts + 1] = tostring(e) end
  end
  if type(body.data) == "table" and body.data.validation_message then
    parts[#parts + 1] = tostring(body.data.validation_message)
  end
  if #parts == 0 then return "no reason given" end
  return table.concat(parts, ", ")
end

local function absent(ctx, body)
  if type(body.error) ~= "table" then return false end
  for _, e in ipairs(body.error) do
    for _, known in ipairs(ctx.config.not_found_errors) do
      if e == known then return true end
    end
  end
  return false
end

local function user_url(ctx, id)
  return ctx.url(ctx.config.base_url, "user", "user_detail", id)
end

function plugin.lookup(ctx, user)
  local body = envelope(ctx.http.get(user_url(ctx, user.id), { headers = headers(ctx) }))
  if body.success == 1 then
    local detail = type(body.data) == "table" and body.data.user_detail
    if type(detail) == "table" then return detail end
    return nil
  end
  if absent(ctx, body) then return nil end
  error({ message = "GafaPay lookup failed: " .. reason(body), retryable = false })
end

function plugin.delete(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record then return { outcome = "not_found", message = "no GafaPay user with this id" } end
  local resp = ctx.http.delete(user_url(ctx, user.id), { headers = headers(ctx) })
  if resp.planned then return { outcome = "planned" } end
  local body = envelope(resp)
  if body.success == 1 then
    local said = type(body.data) == "table" and body.data.message or "deleted"
    return { outcome = "deleted", message = tostring(said), vendor_id = user.id }
  end
  return { outcome = "failed", message = "GafaPay refused: " .. reason(body) }
end

function plugin.suspend(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record then return { outcome = "not_found", message = "no GafaPay user with this id" } end
  local wanted = ctx.config.suspend_status_id
  if record.status_id == wanted then
    return { outcome = "suspended", message = "already at status_id " .. wanted, vendor_id = user.id }
  end
  local resp = ctx.http.put(ctx.url(ctx.config.base_url, "user", "user_detail"), {
    headers = headers(ctx), json = { id = user.id, status_id = wanted },
  })
  if resp.planned then return { outcome = "planned" } end
  local body = envelope(resp)
  if body.success == 1 then
    return { outcome = "suspended", message = "status_id set to " .. wanted, vendor_id = user.id }
  end
  return { outcome = "failed", message = "GafaPay refused the status change: " .. reason(body) }
end

return plugin
