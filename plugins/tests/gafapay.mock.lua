-- GafaPay v3's user endpoints as the gafapay plugin relies on them (docs.gafapay.com; the
-- failure envelope is CONFIRMED on a sibling endpoint, ASSUMED here, as in the plugin).
local function envelope(success, data, errors)
  return { status = 200, json = { success = success, error = json.array(errors or {}), data = data or json.object({}) } }
end

local function authorized(req)
  return req.headers.authorization == "Token test-token" and req.headers.companyid == "59388167894b4d10a04fe5da3b8a2104"
    and req.headers.requestid ~= nil
end

return {
  config = { base_url = "/gafapay/v3", company_id = "59388167894b4d10a04fe5da3b8a2104", token = "test-token" },
  state = function()
    return { users = { ["6f1b82443e524459831de59d430a0c41"] = { id = "6f1b82443e524459831de59d430a0c41", status_id = 1 } } }
  end,
  routes = {
    ["GET /gafapay/v3/user/user_detail/:id"] = function(req, state)
      if not authorized(req) then return { status = 401, json = { success = 0, error = { "UNAUTHORIZED" } } } end
      local u = state.users[req.params.id]
      if not u then return envelope(0, nil, { "USER_NOT_FOUND" }) end
      return envelope(1, { user_detail = { id = u.id, status_id = u.status_id } })
    end,
    ["DELETE /gafapay/v3/user/user_detail/:id"] = function(req, state)
      if not authorized(req) then return { status = 401, json = { success = 0, error = { "UNAUTHORIZED" } } } end
      if not state.users[req.params.id] then return envelope(0, nil, { "USER_NOT_FOUND" }) end
      state.users[req.params.id] = nil
      return envelope(1, { message = "USER_REMOVE_USER_DETAIL_SUCCESSFULLY" })
    end,
    ["PUT /gafapay/v3/user/user_detail"] = function(req, state)
      local body = req.json()
      local u = state.users[body.id]
      if not u then return envelope(0, nil, { "USER_NOT_FOUND" }) end
      u.status_id = body.status_id
      return envelope(1, { message = "USER_UPDATE_USER_DETAIL_SUCCESSFULLY" })
    end,
  },
}
