-- DragonPass API v2 as the dragonpass plugin relies on it: POST /users/search (read-only, body and
-- answer ASSUMED) and POST /users/delete (CONFIRMED), the {code, msg, data} envelope, code 40401
-- for an unknown user (ASSUMED, as in the plugin), Bearer token and X-Program-ID.
local function authorized(req)
  return req.headers.authorization == "Bearer test-token" and req.headers["x-program-id"] == "2200"
end

return {
  config = { base_url = "/api/v2", program_id = 2200, token = "test-token" },
  state = function()
    return { users = { ["3EF5D065-76F8-4D3E-801A-B329D15F461A"] = { membership = "Prestige" } } }
  end,
  routes = {
    ["POST /api/v2/users/search"] = function(req, state)
      if not authorized(req) then return { status = 200, json = { code = 40101, msg = "unauthorized" } } end
      local id = req.json().clientUserId
      local u = state.users[id]
      if not u then return { status = 200, json = { code = 40401, msg = "User not found." } } end
      return { status = 200, json = { code = 0, msg = "ok", data = { clientUserId = id, membership = u.membership } } }
    end,
    ["POST /api/v2/users/delete"] = function(req, state)
      if not authorized(req) then return { status = 200, json = { code = 40101, msg = "unauthorized" } } end
      local id = req.json().clientUserId
      if not state.users[id] then return { status = 200, json = { code = 40401, msg = "User not found." } } end
      state.users[id] = nil
      return { status = 200, json = { code = 0, msg = "User successfully deleted." } }
    end,
  },
}
