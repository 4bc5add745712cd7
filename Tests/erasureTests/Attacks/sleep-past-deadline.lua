--[[attack
{
  "summary": "one ctx.sleep longer than the action may take ends the action at once, under the default action deadline (finding 9)",
  "args": ["delete", "napper", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "napper", "outcome": "failed", "message": "action_timeout in [vendors.napper]" } ],
    "output_contains": ["deadline exceeded while awaiting '__erasure.sleep'"],
    "effects": [],
    "seconds": 20
  }
}
]]
return {
  name = "napper",
  version = "1.0.0",
  description = "attack: one sleep of a day",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    ctx.sleep(86400)
    return { outcome = "deleted", message = "woke up" }
  end,
}
