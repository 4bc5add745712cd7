--[[attack
{
  "summary": "ctx.sleep in a loop: the action ends at its deadline, action_timeout (finding 9)",
  "args": ["delete", "sleeper", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3", "action_timeout": 2 },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "sleeper", "outcome": "failed", "message": "action_timeout in [vendors.sleeper]" } ],
    "output_contains": ["deadline exceeded"],
    "effects": [],
    "seconds": 20
  }
}
]]
return {
  name = "sleeper",
  version = "1.0.0",
  description = "attack: sleeps for ever, half a second at a time",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    while true do ctx.sleep(0.5) end
  end,
}
