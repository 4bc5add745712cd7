-- acme: erases a person from ACME (made by `erasure plugins new acme`: edit it for your vendor).
-- A plugin is one Lua file returning a table; erasure checks it (`erasure plugins check`), tests it
-- offline against tests/acme.mock.lua (`erasure plugins test acme`) and runs it.
--
-- Vendor facts it relies on (say for each whether the vendor's documentation confirms it):
--   ASSUMED: GET {base_url}/users?email=E lists the matching users as {"users": [{"id", "email"}]}
--   ASSUMED: DELETE {base_url}/users/{id} answers 204, and 404 when the user is already gone
--   ASSUMED: every call takes "Authorization: Bearer <api_key>"
local plugin = {
  name = "acme",                        -- unique: lower-case letters, digits, '_' or '-'
  version = "0.1.0",
  description = "ACME users API",       -- shown by `erasure plugins list` and `show`
  hosts = {},                           -- other origins it calls ("auth.acme.example"); base_url's is always allowed
  config = {                            -- [vendors.acme] in erasure.toml, checked before anything is sent
    base_url = { default = "https://api.acme.example/v1" },
    api_key = { required = true, secret = true, doc = "API key (Settings → API)" },  -- secret: redacted everywhere
  },
  identity = { "email" },               -- the identity keys it accepts: erasure delete acme email=…
  -- rate_limit = { remaining = "X-RateLimit-Remaining", reset = "X-RateLimit-Reset", reset_is = "epoch" },
  --                                    -- the vendor's own rate-limit headers, when it sends them
  -- verify = "lookup" (the default): after a deletion the host looks the person up again.
}

-- Read-only: the vendor's record of the person, or nil when it has none. An answer it cannot read
-- raises an error (the outcome is `failed`), never nil: nil means "not there".
function plugin.lookup(ctx, user)
  local r = ctx.http.get(ctx.url(ctx.config.base_url, "users"), {
    query = { email = user.email }, headers = ctx.auth.bearer(ctx.config.api_key),
  })
  if r.status ~= 200 then error({ message = "looking up answered HTTP " .. r.status, retryable = r.status >= 500 }) end
  local ok, body = pcall(r.json)
  if not ok or type(body) ~= "table" or type(body.users) ~= "table" then
    error({ message = "looking up: the answer is not the documented {\"users\": [...]}", retryable = false })
  end
  for _, u in ipairs(body.users) do
    if u.email == user.email then return { id = u.id } end
  end
  return nil
end

-- Deletes the person. `record` is lookup's result in a workflow, nil from `erasure delete`.
function plugin.delete(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record then return { outcome = "not_found", message = "no ACME user has this e-mail" } end
  local r = ctx.http.delete(ctx.url(ctx.config.base_url, "users", record.id), {
    headers = ctx.auth.bearer(ctx.config.api_key),
  })
  -- in a dry run the host holds the DELETE back (r.planned): carry on as if it had succeeded
  if r.planned or r.status == 204 then return { outcome = "deleted", vendor_id = record.id } end
  if r.status == 404 then return { outcome = "not_found", message = "already gone", vendor_id = record.id } end
  return { outcome = "failed", message = "deleting answered HTTP " .. r.status, retryable = r.status >= 500 }
end

return plugin
