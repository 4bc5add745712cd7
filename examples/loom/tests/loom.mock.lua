-- Loom's API as the loom plugin relies on it: users two a page with Link headers, a two-step
-- deletion, and rate-limit headers on every answer.
local function reply(state, status, body, headers)
  if state.remaining == 0 then state.remaining = 100 end  -- the client waited for the reset
  state.remaining = state.remaining - 1
  headers = headers or {}
  headers[#headers + 1] = { "X-Rate-Limit-Remaining", tostring(state.remaining) }
  headers[#headers + 1] = { "X-Rate-Limit-Reset", tostring(os.time() + 5) }
  return { status = status, json = body, headers = headers }
end

return {
  config = { token = "test-token" },
  state = function()
    local users = {}
    for i, email in ipairs({ "a@x.example", "b@x.example", "c@x.example", "d@x.example", "ada@example.com" }) do
      users[i] = { id = "u" .. i, email = email }
    end
    return { users = users, remaining = 100 }
  end,
  routes = {
    ["GET /users"] = function(req, state)
      local page, list = tonumber(req.query.page or "1"), {}
      for i = page * 2 - 1, page * 2 do
        local u = state.users[i]
        if u then list[#list + 1] = { id = u.id, email = u.email } end
      end
      local links = { { "Link", '</users?page=' .. page .. '>; rel="self"' } }  -- self first: next is not the last line
      if page * 2 < #state.users then links[#links + 1] = { "Link", '</users?page=' .. (page + 1) .. '>; rel="next"' } end
      return reply(state, 200, { users = json.array(list) }, links)
    end,
    ["POST /users/:id/deactivate"] = function(req, state)
      for _, u in ipairs(state.users) do
        if u.id == req.params.id then u.email, u.deactivated = nil, true; return reply(state, 200, { id = u.id }) end
      end
      return reply(state, 404, { error = "no such user" })
    end,
    ["DELETE /users/:id"] = function(req, state)
      for i, u in ipairs(state.users) do
        if u.id == req.params.id then
          if not u.deactivated then return reply(state, 409, { error = "deactivate first" }) end
          table.remove(state.users, i)
          return { status = 204 }
        end
      end
      return reply(state, 404, { error = "no such user" })
    end,
  },
}
