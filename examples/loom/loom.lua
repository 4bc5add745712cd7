-- loom: erases a person from Loom, a made-up vendor (the plugin kit's tutorial: docs/plugins.md).
-- Loom deletes in two steps: deactivate, which clears the user's e-mail, then delete permanently.
-- Between the two the e-mail finds nobody, so the plugin remembers the id it deactivated
-- (ctx.state, kept in the journal): a run whose second step failed is finished by the next one,
-- not reported not_found.
--   MADE UP: GET {base_url}/users pages the users ({"users": [{"id", "email"}]}); the next page
--            is the Link header rel="next" (self and next come as separate header lines)
--   MADE UP: POST /users/{id}/deactivate → 200; DELETE /users/{id} → 204 once deactivated, 404 when gone
--   MADE UP: every answer has X-Rate-Limit-Remaining and X-Rate-Limit-Reset (epoch seconds)
local plugin = {
  name = "loom",
  version = "1.0.0",
  description = "Loom users API (a made-up vendor: the plugin kit's tutorial)",
  config = {
    base_url = { default = "https://api.loom.example/v2" },
    token = { required = true, secret = true, doc = "API token (Admin → Tokens)" },
  },
  identity = { "email" },
  -- the host waits for the reset when a page says none is left, instead of meeting a 429
  rate_limit = { remaining = "X-Rate-Limit-Remaining", reset = "X-Rate-Limit-Reset", reset_is = "epoch" },
}

local function auth(ctx) return ctx.auth.bearer(ctx.config.token) end

function plugin.lookup(ctx, user)
  local id = ctx.state.get("deactivated")
  if id then return { id = id, deactivated = true } end
  for users in ctx.http.pages{ url = ctx.url(ctx.config.base_url, "users"), headers = auth(ctx),
                               query = { limit = 100 }, items = function(r) return r.json().users end } do
    for _, u in ipairs(users) do
      if u.email == user.email then return { id = u.id } end
    end
  end
  return nil
end

function plugin.delete(ctx, user, record)
  record = record or plugin.lookup(ctx, user)
  if not record then return { outcome = "not_found", message = "no Loom user has this e-mail" } end
  local base = ctx.config.base_url
  if not record.deactivated then
    local r = ctx.http.post(ctx.url(base, "users", record.id, "deactivate"), { headers = auth(ctx) })
    if r.status == 404 then return { outcome = "not_found", message = "already gone" } end
    if not r.planned and r.status ~= 200 then
      return { outcome = "failed", message = "deactivating answered HTTP " .. r.status, retryable = r.status >= 500 }
    end
    ctx.state.set("deactivated", record.id)  -- durable before the DELETE leaves
  end
  local r = ctx.http.delete(ctx.url(base, "users", record.id), { headers = auth(ctx) })
  if r.planned or r.status == 204 or r.status == 404 then
    ctx.state.set("deactivated", nil)
    return { outcome = "deleted", vendor_id = record.id }
  end
  return { outcome = "failed", message = "deleting answered HTTP " .. r.status, retryable = true }
end

return plugin
