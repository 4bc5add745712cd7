--[[attack
{
  "summary": "a request with timeout = 86400 to a vendor that does not answer: it cannot outlive the action's deadline (finding 9)",
  "args": ["delete", "waiter", "id=ada"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3", "action_timeout": 2 },
  "faults": [ { "vendor": "cubicasa", "delay_ms": 8000, "status": 200, "count": 10 } ],
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "waiter", "outcome": "failed", "message": "action_timeout in [vendors.waiter]" } ],
    "seconds": 20
  }
}
]]
return {
  name = "waiter",
  version = "1.0.0",
  description = "attack: a request that may wait a day",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local r = ctx.http.get(ctx.config.base_url .. "/users/" .. user.id, { timeout = 86400 })
    return { outcome = "deleted", message = "answered " .. r.status }
  end,
}
