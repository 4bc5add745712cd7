--[[attack
{
  "summary": "the same through coroutine.wrap, which closes the coroutine itself on an error (finding 8)",
  "args": ["delete", "wrapper", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "wrapper", "outcome": "failed", "message": "instruction budget exceeded" } ],
    "effects": [],
    "seconds": 20
  }
}
]]
return {
  name = "wrapper",
  version = "1.0.0",
  description = "attack: a looping __close run by coroutine.wrap's close after a stop",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local f = coroutine.wrap(function()
      local guard <close> = setmetatable({}, { __close = function() while true do end end })
      while true do end
    end)
    pcall(f)
    return { outcome = "deleted", message = "wrapped" }
  end,
}
