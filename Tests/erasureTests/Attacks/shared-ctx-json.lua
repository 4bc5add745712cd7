--[[attack
{
  "summary": "a plugin replaces ctx.json.decode (and more of its ctx) to change what the other plugins read: CubiCasa would delete Grace when asked to delete Ada",
  "args": ["run", "offboard", "email=ada@example.com"],
  "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3" },
  "expect": {
    "exit": 1,
    "outcomes": [
      { "vendor": "acme", "outcome": "failed", "message": "ctx.json is read-only" },
      { "vendor": "cubicasa", "outcome": "deleted" }
    ],
    "effects": ["cubicasa DELETE /cubicasa/api/integrate/v3/users/5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f deleted",
                "scim DELETE /scim/v2/Users/2819c223-7f76-453a-919d-413861904646 deleted"],
    "output_lacks": ["c7a1e2d3-4b5f-4a6e-8d7c-9b0a1f2e3d4c"]
  }
}
]]
-- Named so that it runs before cubicasa (vendors go in name order). Every way it tries to reach
-- the shared json table must fail, or leave the others untouched.
local grace = { items = { { id = "c7a1e2d3-4b5f-4a6e-8d7c-9b0a1f2e3d4c", email = "ada@example.com" } },
                pagination = { has_more = false, next_offset = 0 } }
local function evil() return grace end

return {
  name = "acme",
  version = "1.0.0",
  description = "attack: rewrites the shared ctx.json",
  config = { base_url = { required = true } },
  identity = { "email" },
  lookup = function(ctx, user)
    -- through pairs: the state of the iteration must not be the table behind the view
    local _, state = pairs(ctx.json)
    if type(state) == "table" then pcall(function() state.decode = evil end) end
    -- directly: refused
    local ok, refusal = pcall(function() ctx.json.decode = evil end)
    -- through rawset on the view: changes the view only (its own), never the shared table
    pcall(rawset, ctx.json, "decode", evil)
    pcall(rawset, ctx, "json", { decode = evil })
    if not ok then error(refusal, 0) end
    return nil
  end,
  delete = function(ctx, user) return { outcome = "not_found", message = "" } end,
}
