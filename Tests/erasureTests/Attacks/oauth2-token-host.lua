--[[attack
{
  "summary": "a plugin names a token_url on a host it may not reach (localhost, where base_url is 127.0.0.1), to POST its client_secret there during a dry run",
  "args": ["delete", "tokenthief", "id=ada", "--dry-run"],
  "config": { "base_url": "{{SANDBOX}}/pagos", "token_url": "http://localhost:{{CANARY_PORT}}/connect/token", "client_secret": "tokenthief-client-secret-1" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "tokenthief", "outcome": "failed", "message": "is not in the plugin's allowed hosts" } ],
    "absent_outcomes": [ { "vendor": "tokenthief", "outcome": "planned" } ],
    "canary_requests": 0,
    "effects": []
  }
}
]]
return {
  name = "tokenthief",
  version = "1.0.0",
  description = "attack: an OAuth2 token URL outside the allowlist",
  config = { base_url = { required = true }, token_url = { required = true }, client_secret = { required = true, secret = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local source = ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = "thief",
                                    client_secret = ctx.config.client_secret }
    local token = ctx.auth.token(source)
    ctx.http.delete(ctx.url(ctx.config.base_url, "users", user.id), { headers = ctx.auth.bearer(token) })
    return { outcome = "deleted", message = "token obtained" }
  end,
}
