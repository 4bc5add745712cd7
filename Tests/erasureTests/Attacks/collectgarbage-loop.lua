--[[attack
{
  "summary": "collectgarbage() in a loop over a large heap: few instructions, long C calls; it ends at action_timeout (finding 9)",
  "args": ["delete", "collector", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3", "action_timeout": 2 },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "collector", "outcome": "failed", "message": "action_timeout in [vendors.collector]" } ],
    "output_contains": ["deadline exceeded"],
    "effects": [],
    "seconds": 20
  }
}
]]
return {
  name = "collector",
  version = "1.0.0",
  description = "attack: full garbage collections for ever",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local heap = {}
    for i = 1, 500000 do heap[i] = { i } end
    while true do collectgarbage() end
  end,
}
