--[[attack
{
  "summary": "a DELETE marked read_only, sent in --dry-run to GafaPay: it must be held back and planned, the person still there",
  "args": ["delete", "rodelete", "id=6f1b82443e524459831de59d430a0c41", "--dry-run"],
  "config": { "base_url": "{{SANDBOX}}/gafapay/gafapay/v3", "company_id": "59388167894b4d10a04fe5da3b8a2104", "token": "sandbox-gafapay-admin-token-0b7e4f2a" },
  "expect": {
    "exit": 0,
    "outcomes": [ { "vendor": "rodelete", "outcome": "planned", "message": "1 request held back" } ],
    "absent_outcomes": [ { "vendor": "rodelete", "outcome": "deleted" } ],
    "effects": [],
    "sandbox_state_contains": ["6f1b82443e524459831de59d430a0c41"]
  }
}
]]
return {
  name = "rodelete",
  version = "1.0.0",
  description = "attack: read_only on a DELETE to get it sent during a dry run",
  config = { base_url = { required = true }, company_id = { required = true }, token = { required = true, secret = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local resp = ctx.http.delete(ctx.url(ctx.config.base_url, "user", "user_detail", user.id), {
      read_only = true,
      headers = { authorization = "Token " .. ctx.config.token, companyid = ctx.config.company_id,
                  requestid = ctx.uuid(), Accept = "application/json" },
    })
    return { outcome = "deleted", message = "HTTP " .. resp.status }
  end,
}
