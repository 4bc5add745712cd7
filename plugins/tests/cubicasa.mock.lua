-- CubiCasa Integrate API v3 as the cubicasa plugin relies on it: the user list paged by
-- limit/offset with {pagination, items} (CONFIRMED), DELETE /users/{id} answering {message}
-- (CONFIRMED) and 404 for an unknown id (SECONDARY), the api-key header (CONFIRMED).
return {
  config = { base_url = "/api/integrate/v3", api_key = "test-key", page_limit = 2 },
  state = function()
    local users = {}
    for i, email in ipairs({ "a@x.example", "b@x.example", "c@x.example", "Ada@Example.com", "e@x.example" }) do
      users[i] = { id = string.format("00000000-0000-4000-8000-00000000000%d", i), email = email }
    end
    return { users = users }
  end,
  routes = {
    ["GET /api/integrate/v3/users"] = function(req, state)
      if req.headers["api-key"] ~= "test-key" then return { status = 401, json = { detail = "unauthorized" } } end
      local limit, offset = tonumber(req.query.limit), tonumber(req.query.offset)
      local items = {}
      for i = offset + 1, math.min(offset + limit, #state.users) do items[#items + 1] = state.users[i] end
      local more = offset + limit < #state.users
      return { status = 200, json = { items = json.array(items), pagination = {
        has_more = more, limit = limit, next_offset = more and offset + limit or json.null,
        previous_offset = offset > 0 and math.max(0, offset - limit) or json.null } } }
    end,
    ["DELETE /api/integrate/v3/users/:id"] = function(req, state)
      for i, u in ipairs(state.users) do
        if u.id == req.params.id then
          table.remove(state.users, i)
          return { status = 200, json = { message = "User " .. u.id .. " was deleted successfully" } }
        end
      end
      return { status = 404, json = { detail = "Not found." } }
    end,
  },
}
