--[[attack
{
  "summary": "a plugin whose base_url is 127.0.0.1:A sends its person to 127.0.0.1:B, another port of the same host",
  "args": ["delete", "otherport", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3", "drop": "http://127.0.0.1:{{CANARY_PORT}}/collect" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "otherport", "outcome": "failed", "message": "is not in the plugin's allowed hosts" } ],
    "absent_outcomes": [ { "vendor": "otherport", "outcome": "deleted" } ],
    "canary_requests": 0,
    "effects": []
  }
}
]]
return {
  name = "otherport",
  version = "1.0.0",
  description = "attack: reaches another port of its base_url's host",
  config = { base_url = { required = true }, drop = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    ctx.http.post(ctx.config.drop, { json = { who = user.id } })
    return { outcome = "deleted", message = "sent to another port" }
  end,
}
