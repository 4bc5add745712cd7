-- SCIM 2.0 (RFC 7643 / RFC 7644): deprovision a user of any service that speaks SCIM, with a
-- profile per vendor for how each one differs. One file serves several vendors: each
-- [vendors.NAME] table with plugin = "scim" is its own vendor (its own base_url, token, rate
-- limit, journal entries and identity scope NAME.email). How to set up each profiled vendor, and
-- what its "delete" really does: docs/scim.md.
--
-- Endpoints (RFC 7644; every request and answer is application/scim+json)
--   GET    {base_url}/Users?filter=ATTR eq "VALUE"&startIndex&count   §3.4.2: a ListResponse
--          {totalResults, startIndex, itemsPerPage, Resources}; pages followed until every match
--          is read. VALUE escapes '"' and '\' (§3.4.2.2: a JSON string).
--   GET    {base_url}/Users/{id}                 §3.4.1; 404 = absent
--   DELETE {base_url}/Users/{id}                 §3.6: 204; a GET answering 404 afterwards
--          confirms it (verify below)
--   PATCH  {base_url}/Users/{id}                 §3.5.2: PatchOp replace active=false;
--          200 with the resource, or 204
--   GET    {base_url}/ServiceProviderConfig      §4: etag.supported -> If-Match with the
--          resource's version (§3.14), 412 when it changed meanwhile
--   Errors: {"schemas":[…Error], "status", "scimType", "detail"} (§3.12), carried into the message.
-- Identity: id (the service's SCIM id), userName, email (emails.value), externalId.
-- Every user a filter returns is checked against the identity here too: a service that ignores a
-- filter it does not support (answering every user) never gets the wrong person deleted. Two
-- users matching one identity is a failure (give the id), never a guess.
-- Auth: `token` (Bearer), or OAuth2 client credentials (`token_url`, `client_id`,
-- `client_secret`, `scope`; list token_url's origin in `hosts` when it is not base_url's).

local plugin = {
  name = "scim",
  version = "1.0.0",
  description = "SCIM 2.0 (RFC 7644): deprovision a user of any SCIM service, with vendor profiles",
  hosts = {},
  config = {
    base_url = { required = true, doc = "the service's SCIM base, e.g. https://api.slack.com/scim/v2 (docs/scim.md)" },
    profile = { default = "generic", doc = "generic, slack, github, atlassian, zoom (docs/scim.md)" },
    token = { secret = true, doc = "a Bearer token; or token_url + client_id + client_secret" },
    token_url = { doc = "OAuth2 client-credentials token endpoint" },
    client_id = {},
    client_secret = { secret = true },
    scope = { doc = "OAuth2 scope, if the service wants one" },
    page_size = { default = 100, type = "integer", doc = "count= of each page of a filtered lookup" },
    max_pages = { default = 1000, type = "integer", doc = "give up a lookup after this many pages" },
    use_etag = { default = true, type = "boolean", doc = "send If-Match when /ServiceProviderConfig says etag.supported" },
    deleted_message = { doc = "what a DELETE does at this service (default: the profile's)" },
    delete_keeps_inactive = { type = "boolean", doc = "a deleted user may still be read back, active=false (default: the profile's)" },
    pace = { type = "number", doc = "requests/second the plugin keeps to when rate_limit is not set (default: the profile's)" },
  },
  identity = { "id", "userName", "email", "externalId" },
}

-- Profiles: what each vendor's SCIM does differently, and where that is written. A fact the
-- cited page states is CONFIRMED; one read elsewhere (an SDK, a vendor's issue tracker) is
-- SECONDARY; one not found written anywhere is ASSUMED and sits behind a config key above
-- (deleted_message, delete_keeps_inactive, pace) so an operator can correct it.
local PROFILES = {
  generic = {
    doc = "https://www.rfc-editor.org/rfc/rfc7644#section-3.6",
    -- RFC 7644 §3.6: after a DELETE the service returns 404 for the resource.
    deleted = "deleted (SCIM DELETE: the service no longer returns the user)",
    suspended = "deactivated (active set to false)",
  },
  slack = {
    doc = "https://docs.slack.dev/reference/scim-api",
    -- CONFIRMED (the reference's endpoint table): "DELETE /Users/<id> | Sets a Slack user to deactivated".
    deleted = "deactivated — Slack keeps the account (its SCIM DELETE only deactivates the user)",
    suspended = "deactivated (active set to false) — Slack keeps the account",
    -- ASSUMED: a deactivated Slack user is still read back by GET /Users/{id}, active=false.
    keeps_inactive = true,
    -- CONFIRMED (https://docs.slack.dev/reference/scim-api/rate-limits): DELETE /Users/<id> 180
    -- per minute (bursts of 20), PATCH the same, GET /Users/<id> 300 per minute; writes 600 per
    -- minute org-wide; a 429 carries Retry-After. Three requests a second keeps under all of them.
    pace = 3,
  },
  github = {
    doc = "https://docs.github.com/en/enterprise-cloud@latest/admin/managing-iam/provisioning-user-accounts-with-scim/deprovisioning-and-reinstating-users",
    -- CONFIRMED (that page): deprovisioning suspends the account and never removes it from the
    -- enterprise; PATCH active=false is a soft deprovision (it can be reinstated), DELETE a hard
    -- one (it cannot: a new account must be provisioned). Base path per enterprise:
    -- https://api.github.com/scim/v2/enterprises/{enterprise} (Enterprise Managed Users), or
    -- http(s)://HOSTNAME/api/v3/scim/v2 on GitHub Enterprise Server
    -- (https://docs.github.com/en/enterprise-server@3.16/rest/enterprise-admin/scim).
    -- ASSUMED: no filter is needed in a PATCH path (ours is the plain "active").
    deleted = "hard-deprovisioned — GitHub suspends the account for good (it stays in the enterprise, and cannot be reinstated)",
    suspended = "soft-deprovisioned — GitHub suspends the account (it can be reinstated)",
    -- ASSUMED: after a hard deprovision GET /Users/{id} may still read the user, active=false.
    keeps_inactive = true,
  },
  atlassian = {
    doc = "https://developer.atlassian.com/cloud/admin/user-provisioning/rest/api-group-users/",
    -- SECONDARY (Atlassian's reference text as quoted by the jira.js client,
    -- https://mrrefactoring.github.io/jira.js/api/functions/userProvisioning.deleteUser.html):
    -- a SCIM DELETE unlinks the user from the identity provider, deactivates the Atlassian
    -- account if the organisation manages it, and deletes the SCIM record (irreversibly).
    -- SECONDARY (https://jira.atlassian.com/browse/ACCESS-1293): GET /Users lists active users
    -- only, so a deactivated user is not found by a filter (see docs/scim.md).
    deleted = "deactivated — Atlassian keeps the account (it can be reactivated in Atlassian Administration); its SCIM record is deleted",
    suspended = "deactivated (active set to false) — Atlassian's GET /Users no longer lists the user",
  },
  zoom = {
    doc = "https://developers.zoom.us/docs/api/rest/scim-api/",
    -- CONFIRMED (that page): host api.zoom.us, paths /scim2/Users; OAuth (a server-to-server
    -- app with the SCIM2 scope); Accept: application/scim+json.
    -- ASSUMED: what Zoom keeps after a SCIM DELETE, and about one request a second.
    deleted = "deleted by Zoom's SCIM DELETE (what Zoom keeps afterwards is not documented: see docs/scim.md)",
    suspended = "deactivated (active set to false)",
    pace = 1,
  },
}

local SCIM = "application/scim+json"
local PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

-- Module state: one instance of this file per vendor (the host loads the file again for each
-- vendor that uses it), so nothing here mixes two services.
local etag_support      -- nil until /ServiceProviderConfig was read
local next_slot = 0     -- pacing: when the next request may leave
local source            -- the OAuth2 token source, made once

function plugin.validate(config)
  if not PROFILES[config.profile] then
    local names = {}
    for name in pairs(PROFILES) do names[#names + 1] = name end
    table.sort(names)
    return "profile: unknown profile '" .. tostring(config.profile) .. "' (known: " .. table.concat(names, ", ") .. ")"
  end
  local oauth = config.token_url or config.client_id or config.client_secret
  if config.token and oauth then return "give token, or token_url + client_id + client_secret, not both" end
  if not config.token and not (config.token_url and config.client_id and config.client_secret) then
    return "needs token (Bearer), or token_url + client_id + client_secret (OAuth2 client credentials)"
  end
end

local function profile(ctx) return PROFILES[ctx.config.profile] end

local function deleted_message(ctx) return ctx.config.deleted_message or profile(ctx).deleted end

local function keeps_inactive(ctx)
  if ctx.config.delete_keeps_inactive ~= nil then return ctx.config.delete_keeps_inactive end
  return profile(ctx).keeps_inactive == true
end

-- Keeps to the profile's pace when the operator set no rate_limit (the host's limiter then does).
local function pace(ctx)
  if ctx.config.rate_limit then return end
  local rate = ctx.config.pace or profile(ctx).pace
  if not rate or rate <= 0 then return end
  local now = ctx.now()
  local slot = math.max(now, next_slot)
  next_slot = slot + 1 / rate
  if slot > now then ctx.sleep(slot - now) end
end

local function send(ctx, method, url, opts)
  opts = opts or {}
  local headers = { ["Accept"] = SCIM }
  for k, v in pairs(opts.headers or {}) do headers[k] = v end
  local req = { method = method, url = url, query = opts.query, headers = headers }
  if opts.json then
    req.json = opts.json
    headers["Content-Type"] = SCIM
  end
  if ctx.config.token then
    headers["Authorization"] = "Bearer " .. ctx.config.token
  else
    source = source or ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = ctx.config.client_id,
                                        client_secret = ctx.config.client_secret, scope = ctx.config.scope }
    req.auth = source
  end
  pace(ctx)
  return ctx.http.request(req)
end

-- "SCIM error 404 (noTarget): detail" from a SCIM error body, else nil.
local function scim_error(resp)
  local ok, body = pcall(resp.json)
  if not ok or type(body) ~= "table" then return nil end
  local detail, kind = body.detail, body.scimType
  if type(detail) ~= "string" and type(kind) ~= "string" then return nil end
  local text = "SCIM error " .. tostring(body.status or resp.status)
  if type(kind) == "string" and kind ~= "" then text = text .. " (" .. kind .. ")" end
  if type(detail) == "string" and detail ~= "" then text = text .. ": " .. detail end
  return text
end

local function retryable(status) return status == 429 or status >= 500 end

local function refused(what, resp)
  return string.format("%s: HTTP %d — %s", what, resp.status,
                       scim_error(resp) or "the answer is not a SCIM error")
end

local function fail(what, resp)
  error({ message = refused(what, resp), retryable = retryable(resp.status) }, 0)
end

-- The body as a JSON object, or an error naming what was expected (the host adds the answer).
local function object(resp, what)
  local ok, body = pcall(resp.json)
  if not ok or type(body) ~= "table" then
    error({ message = what .. ": HTTP " .. resp.status .. " with a body that is not a SCIM JSON object",
            retryable = false }, 0)
  end
  return body
end

local function user_url(ctx, id) return ctx.url(ctx.config.base_url, "Users", id) end

local function lower(s) return type(s) == "string" and s:lower() or nil end

-- Does resource `r` carry the identity (what the filter asked for)? userName and emails compare
-- without case (RFC 7643: caseExact false); externalId exactly (caseExact true).
local function matches(r, key, value)
  if type(r) ~= "table" then return false end
  if key == "userName" then return lower(r.userName) == value:lower() end
  if key == "externalId" then return r.externalId == value end
  if key == "email" and type(r.emails) == "table" then
    for _, e in ipairs(r.emails) do
      if type(e) == "table" and lower(e.value) == value:lower() then return true end
    end
  end
  return false
end

local ATTRIBUTE = { userName = "userName", email = "emails.value", externalId = "externalId" }

-- RFC 7644 §3.4.2.2: the value is a JSON string, so '\' and '"' are escaped.
local function quoted(value)
  return '"' .. value:gsub('[\\"]', "\\%0") .. '"'
end

local function by_id(ctx, id)
  local resp = send(ctx, "GET", user_url(ctx, id))
  if resp.status == 404 then return nil, resp end
  if resp.status ~= 200 then fail("SCIM lookup of user " .. id, resp) end
  local r = object(resp, "SCIM lookup of user " .. id)
  if type(r.id) ~= "string" and math.type(r.id) ~= "integer" then
    error({ message = "SCIM lookup of user " .. id .. ": HTTP 200 without a resource id", retryable = false }, 0)
  end
  return r, resp
end

-- Every page of GET /Users?filter=…, the resources that carry the identity.
local function by_filter(ctx, key, value)
  local filter = ATTRIBUTE[key] .. " eq " .. quoted(value)
  local found, start = {}, 1
  for _ = 1, ctx.config.max_pages do
    local resp = send(ctx, "GET", ctx.url(ctx.config.base_url, "Users"), {
      query = { filter = filter, startIndex = tostring(start), count = tostring(ctx.config.page_size) },
    })
    if resp.status ~= 200 then fail("SCIM search " .. filter, resp) end
    local page = object(resp, "SCIM search")
    local resources = page.Resources or ctx.json.array{}
    if type(resources) ~= "table" or math.type(page.totalResults) ~= "integer" then
      error({ message = "SCIM search: HTTP 200 but not a ListResponse {totalResults, Resources}", retryable = false }, 0)
    end
    for _, r in ipairs(resources) do
      if matches(r, key, value) then found[#found + 1] = r end
    end
    start = start + #resources
    if #resources == 0 or start > page.totalResults then return found end
  end
  error({ message = "SCIM search still had more pages after max_pages", retryable = false }, 0)
end

function plugin.lookup(ctx, user)
  if user.id then return (by_id(ctx, user.id)) end
  for _, key in ipairs({ "externalId", "userName", "email" }) do
    local value = user[key]
    if value then
      local found = by_filter(ctx, key, value)
      if #found > 1 then
        error({ message = string.format("%d SCIM users match %s: give the id of the one meant", #found, key),
                retryable = false }, 0)
      end
      return found[1]
    end
  end
end

-- The If-Match value for `record` when the service advertises ETags, else nil.
local function if_match(ctx, record)
  if not ctx.config.use_etag then return nil end
  if etag_support == nil then
    local resp = send(ctx, "GET", ctx.url(ctx.config.base_url, "ServiceProviderConfig"))
    local ok, body = pcall(resp.json)
    etag_support = resp.status == 200 and ok and type(body) == "table" and type(body.etag) == "table"
                   and body.etag.supported == true
  end
  if not etag_support then return nil end
  local meta = type(record.meta) == "table" and record.meta or {}
  if type(meta.version) == "string" then return meta.version end
  local fresh, resp = by_id(ctx, tostring(record.id))
  if not fresh then return nil end
  return resp.headers["ETag"] or (type(fresh.meta) == "table" and fresh.meta.version or nil)
end

-- Sends a mutation of `record` with If-Match; a 412 (changed meanwhile) reads it again once.
local function mutate(ctx, method, record, body)
  local resp
  for _ = 1, 2 do
    local headers = {}
    headers["If-Match"] = if_match(ctx, record)
    resp = send(ctx, method, user_url(ctx, tostring(record.id)), { headers = headers, json = body })
    if resp.status ~= 412 then return resp end
    record = by_id(ctx, tostring(record.id))
    if not record then return { status = 404, planned = false } end
  end
  return resp
end

local function not_found(ctx, what)
  return { outcome = "not_found", message = what or ("no SCIM user at " .. ctx.vendor .. " has this identity") }
end

function plugin.delete(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record then return not_found(ctx) end
  local id = tostring(record.id)
  local resp = mutate(ctx, "DELETE", record)
  if resp.planned then return { outcome = "planned" } end
  if resp.status == 404 then return not_found(ctx, "SCIM user " .. id .. " is already gone (404)") end
  if resp.status == 204 or (resp.status == 200 and (resp.body == "" or pcall(object, resp, ""))) then
    return { outcome = "deleted", message = deleted_message(ctx), vendor_id = id }
  end
  if resp.status >= 200 and resp.status < 300 then
    return { outcome = "failed", retryable = false,
             message = "SCIM DELETE answered HTTP " .. resp.status .. " with a body that is not SCIM: not confirmed" }
  end
  return { outcome = "failed", retryable = retryable(resp.status), message = refused("SCIM DELETE of user " .. id, resp) }
end

-- A deletion is confirmed when GET /Users/{id} answers 404; at a service whose DELETE only
-- deactivates (delete_keeps_inactive), also when it reads the user back with active=false.
function plugin.verify(ctx, user, result)
  local id = result.vendor_id
  local record, resp = by_id(ctx, id)
  if not record then return nil, "GET /Users/" .. id .. " answers 404 afterwards" end
  if keeps_inactive(ctx) and record.active == false then
    return nil, "GET /Users/" .. id .. " afterwards reads the user back deactivated (active: false), as " .. ctx.vendor .. " keeps accounts"
  end
  return record
end

function plugin.suspend(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record then return not_found(ctx) end
  local id = tostring(record.id)
  if record.active == false then
    return { outcome = "suspended", message = "already inactive (active: false)", vendor_id = id }
  end
  local resp = mutate(ctx, "PATCH", record, {
    schemas = { PATCH_OP },
    Operations = { { op = "replace", path = "active", value = false } },
  })
  if resp.planned then return { outcome = "planned" } end
  if resp.status == 404 then return not_found(ctx, "SCIM user " .. id .. " is gone (404)") end
  local message = profile(ctx).suspended
  if resp.status == 204 then return { outcome = "suspended", message = message, vendor_id = id } end
  if resp.status == 200 then
    local ok, body = pcall(object, resp, "")
    if ok and body.active == false then return { outcome = "suspended", message = message, vendor_id = id } end
    return { outcome = "failed", retryable = false,
             message = "SCIM PATCH answered HTTP 200 but not with the resource deactivated (active: false): not confirmed" }
  end
  return { outcome = "failed", retryable = retryable(resp.status), message = refused("SCIM PATCH of user " .. id, resp) }
end

return plugin
