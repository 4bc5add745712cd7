-- The mock vendor of acme's tests (`erasure plugins test acme` serves it on 127.0.0.1): what
-- ACME's API answers, as far as the plugin relies on it. Each route is "METHOD /path/:param" →
-- function(req, state) returning { status, json = … | body = "…", headers = {…} } (nil: 404).
-- req: method, path, params, query, headers (lower-case names), body, json().
return {
  -- [vendors.acme] for the tests: base_url is the mock's own (a path may follow: "/v1").
  config = { api_key = "test-key" },

  -- The vendor's data at the start of every test.
  state = function()
    return { users = { u1 = { id = "u1", email = "ada@example.com" } } }
  end,

  routes = {
    ["GET /users"] = function(req, state)
      if req.headers.authorization ~= "Bearer test-key" then return { status = 401, json = { error = "unauthorized" } } end
      local found = {}
      for _, u in pairs(state.users) do
        if u.email == req.query.email then found[#found + 1] = { id = u.id, email = u.email } end
      end
      return { status = 200, json = { users = json.array(found) } }
    end,
    ["DELETE /users/:id"] = function(req, state)
      if not state.users[req.params.id] then return { status = 404, json = { error = "no such user" } } end
      state.users[req.params.id] = nil
      return { status = 204 }
    end,
  },
}
