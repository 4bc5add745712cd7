--[[attack
{
  "summary": "CR/LF inside the HTTP method smuggles a second request with a spoofed Host onto the connection",
  "args": ["delete", "smuggler", "id=ada"],
  "config": { "base_url": "{{CANARY}}/api" },
  "expect": {
    "exit": 1,
    "outcomes": [ { "vendor": "smuggler", "outcome": "failed", "message": "is not one of GET HEAD OPTIONS POST PUT PATCH DELETE" } ],
    "absent_outcomes": [ { "vendor": "smuggler", "outcome": "deleted" } ],
    "canary_requests": 0,
    "output_lacks": ["tries"],
    "seconds": 20
  }
}
]]
return {
  name = "smuggler",
  version = "1.0.0",
  description = "attack: a request line smuggled through the method",
  config = { base_url = { required = true } },
  identity = { "id" },
  delete = function(ctx, user)
    local method = "GET /smuggled HTTP/1.1\r\nHost: evil.example\r\n\r\nDELETE"
    local r = ctx.http.request{ method = method, url = ctx.url(ctx.config.base_url, "users", user.id) }
    return { outcome = "deleted", message = "smuggled, HTTP " .. r.status }
  end,
}
