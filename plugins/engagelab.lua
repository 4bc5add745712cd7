-- EngageLab App Push REST API v4: delete a user's devices (registration ids).
-- What is confirmed, assumed or unknown about this vendor, and the config key behind each
-- assumption: docs/vendors.md#engagelab
--
-- Endpoints
--   DELETE {base_url}/v4/devices/{registration_id} -> 200 {"success":true}
--          CONFIRMED (EngageLab's Delete User API page): one id per call, no batch; the vendor deletes
--          ASYNCHRONOUSLY after answering, so `deleted` here means "accepted"; irreversible.
--   GET    {base_url}/v4/devices/{registration_id} -> {"tags":[...],"alias":"..."}   (SECONDARY: SDKs)
--   GET    {base_url}/v4/aliases/{alias}           -> {"registration_ids":[...]}  (SECONDARY: SDKs)
--          The vendor advises reading a device's tags and alias before deleting it: delete looks
--          the user up first, then deletes each device with its own request.
-- Identity: registration_id, or alias (looked up to its registration ids first).
-- Auth: HTTP Basic AppKey:MasterSecret (CONFIRMED). Rate limit 500 requests/s per AppKey, then 429
--   (CONFIRMED): set rate_limit = 500 (or lower) to stay under it; 429s are retried by the host.
-- Errors: 404 = resource/user not found (CONFIRMED status table) -> not_found; the error body
--   {"error":{"code":..,"message":..}} is from the SDKs (SECONDARY) -> failed with code and message.
--   An unknown alias answering 200 with no ids is ASSUMED to mean "absent".

local plugin = {
  name = "engagelab",
  version = "1.0.0",
  description = "EngageLab App Push v4: delete a user's devices by registration id or alias",
  hosts = {},
  config = {
    base_url = { default = "https://pushapi-sgp.engagelab.com", doc = "your app's data-center host" },
    app_key = { required = true },
    master_secret = { required = true, secret = true },
    platform = { doc = "alias lookup filter, e.g. 'android,ios,hmos' (SECONDARY)" },
  },
  identity = { "registration_id", "alias" },
  -- CONFIRMED: the deletion happens asynchronously after EngageLab accepts it, and the device
  -- stays visible until then: a lookup straight after cannot tell a deletion from a refusal.
  verify = { skip = "EngageLab deletes asynchronously: the device stays visible for a while after the deletion is accepted" },
}

local function headers(ctx)
  local h = ctx.auth.basic(ctx.config.app_key, ctx.config.master_secret)
  h["Accept"] = "application/json"
  return h
end

-- The error object {"error":{"code","message"}} as text, or the HTTP status.
local function problem(resp)
  local ok, body = pcall(resp.json)
  if ok and type(body) == "table" and type(body.error) == "table" then
    return string.format("EngageLab error %s: %s", tostring(body.error.code), tostring(body.error.message))
  end
  return "EngageLab answered HTTP " .. tostring(resp.status)
end

local function fail(resp)
  error({ message = problem(resp), retryable = resp.status == 429 or resp.status >= 500 })
end

function plugin.lookup(ctx, user)
  if user.registration_id then
    local resp = ctx.http.get(ctx.url(ctx.config.base_url, "v4", "devices", user.registration_id),
                              { headers = headers(ctx) })
    if resp.status == 404 then return nil end
    if resp.status ~= 200 then fail(resp) end
    local device = resp.json()
    return { registration_ids = { user.registration_id }, alias = device.alias, tags = device.tags }
  end
  local query = nil
  if ctx.config.platform then query = { platform = ctx.config.platform } end
  local resp = ctx.http.get(ctx.url(ctx.config.base_url, "v4", "aliases", user.alias),
                            { headers = headers(ctx), query = query })
  if resp.status == 404 then return nil end
  if resp.status ~= 200 then fail(resp) end
  local body = resp.json()
  local ids = {}
  for _, id in ipairs(type(body.registration_ids) == "table" and body.registration_ids or {}) do
    if type(id) == "string" and id ~= "" then ids[#ids + 1] = id end
  end
  if #ids == 0 then return nil end
  return { registration_ids = ids, alias = user.alias }
end

function plugin.delete(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record or not record.registration_ids or #record.registration_ids == 0 then
    return { outcome = "not_found", message = "no device for this user" }
  end
  local accepted, absent, failures = {}, 0, {}
  for _, rid in ipairs(record.registration_ids) do
    local resp = ctx.http.delete(ctx.url(ctx.config.base_url, "v4", "devices", rid), { headers = headers(ctx) })
    if resp.planned then
      accepted[#accepted + 1] = rid
    elseif resp.status == 200 then
      local ok, body = pcall(resp.json)
      if ok and type(body) == "table" and body.success == true then
        accepted[#accepted + 1] = rid
      else
        failures[#failures + 1] = rid .. ": unexpected answer (HTTP 200)"
      end
    elseif resp.status == 404 then
      absent = absent + 1
    else
      failures[#failures + 1] = rid .. ": " .. problem(resp)
    end
  end
  if #failures > 0 then
    return { outcome = "failed", message = table.concat(failures, "; ")
             .. (#accepted > 0 and string.format(" (%d other device(s) accepted)", #accepted) or "") }
  end
  if #accepted == 0 then
    return { outcome = "not_found", message = "no device for this user" }
  end
  return { outcome = "deleted", vendor_id = table.concat(accepted, ","),
           message = string.format("deletion of %d device(s) accepted; EngageLab removes them asynchronously",
                                   #accepted) }
end

return plugin
