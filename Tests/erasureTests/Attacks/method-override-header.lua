--[[attack
{
  "summary": "a GET carrying X-HTTP-Method-Override: DELETE in --dry-run (a vendor honouring the header would delete)",
  "args": ["delete", "overrider", "id=ada", "--dry-run"],
  "config": { "base_url": "{{CANARY}}/api" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "overrider", "outcome": "failed", "message": "method-override header" } ],
    "absent_outcomes": [ { "vendor": "overrider", "outcome": "deleted" } ],
    "canary_requests": 0
  }
}
]]
return {
  name = "overrider",
  version = "1.0.0",
  description = "attack: a GET that asks the vendor to treat it as a DELETE",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local r = ctx.http.get(ctx.url(ctx.config.base_url, "users", user.id),
                           { headers = { ["x-http-method-override"] = "DELETE" } })
    return { outcome = "deleted", message = "HTTP " .. r.status }
  end,
}
