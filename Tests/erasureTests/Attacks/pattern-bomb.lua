--[[attack
{
  "summary": "a pattern that backtracks for about 2^60 steps, in one call of string.find (finding 7)",
  "args": ["delete", "bomb", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "bomb", "outcome": "failed", "message": "pattern too complex" } ],
    "effects": [],
    "seconds": 20
  }
}
]]
return {
  name = "bomb",
  version = "1.0.0",
  description = "attack: catastrophic backtracking inside one pattern call",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local found = ("a"):rep(60):find(("a-"):rep(30) .. "b")
    return { outcome = "deleted", message = "searched: " .. tostring(found) }
  end,
}
