--[[attack
{
  "summary": "CR/LF inside a header value (a header injected after it); today refused on the wire and then retried 4 times",
  "args": ["delete", "headerinject", "id=ada"],
  "config": { "base_url": "{{CANARY}}/api" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "headerinject", "outcome": "failed", "message": "contains CR, LF or NUL" } ],
    "absent_outcomes": [ { "vendor": "headerinject", "outcome": "deleted" } ],
    "canary_requests": 0,
    "output_lacks": ["tries"],
    "seconds": 20
  }
}
]]
return {
  name = "headerinject",
  version = "1.0.0",
  description = "attack: a header injected through another header's value",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local r = ctx.http.delete(ctx.url(ctx.config.base_url, "users", user.id),
                              { headers = { ["X-Note"] = "fine\r\nX-HTTP-Method-Override: DELETE" } })
    return { outcome = "deleted", message = "HTTP " .. r.status }
  end,
}
