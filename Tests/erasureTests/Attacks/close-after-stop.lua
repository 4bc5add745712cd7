--[[attack
{
  "summary": "a coroutine stopped by the instruction budget is closed: its __close loops, and would run with hooks off (finding 8)",
  "args": ["delete", "closer", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "closer", "outcome": "failed", "message": "instruction budget exceeded" } ],
    "effects": [],
    "seconds": 20
  }
}
]]
return {
  name = "closer",
  version = "1.0.0",
  description = "attack: a looping __close run by coroutine.close after a stop",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local co = coroutine.create(function()
      local guard <close> = setmetatable({}, { __close = function() while true do end end })
      while true do end   -- the budget stops the call here, inside the coroutine
    end)
    coroutine.resume(co)
    coroutine.close(co)   -- runs the pending __close
    return { outcome = "deleted", message = "closed" }
  end,
}
