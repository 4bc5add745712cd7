-- EngageLab App Push v4 as the engagelab plugin relies on it: devices by registration id and by
-- alias, Basic auth AppKey:MasterSecret, 404 for an unknown device, {"error":{code,message}} bodies.
local function authorized(req)
  -- "app-key:master-secret" in base64
  return req.headers.authorization == "Basic YXBwLWtleTptYXN0ZXItc2VjcmV0"
end

return {
  config = { app_key = "app-key", master_secret = "master-secret" },
  state = function()
    return { devices = { ["1a0018970a8b2d1e2c3"] = { alias = "ada_lovelace", tags = { "vip" } },
                         ["1a0018970a8b2d1e2c4"] = { alias = "ada_lovelace", tags = {} } } }
  end,
  routes = {
    ["GET /v4/devices/:rid"] = function(req, state)
      if not authorized(req) then return { status = 401, json = { error = { code = 21004, message = "auth failed" } } } end
      local d = state.devices[req.params.rid]
      if not d then return { status = 404, json = { error = { code = 21008, message = "not found" } } } end
      return { status = 200, json = { alias = d.alias, tags = json.array(d.tags) } }
    end,
    ["GET /v4/aliases/:alias"] = function(req, state)
      local ids = {}
      for rid, d in pairs(state.devices) do if d.alias == req.params.alias then ids[#ids + 1] = rid end end
      table.sort(ids)
      return { status = 200, json = { registration_ids = json.array(ids) } }
    end,
    ["DELETE /v4/devices/:rid"] = function(req, state)
      if not authorized(req) then return { status = 401, json = { error = { code = 21004, message = "auth failed" } } } end
      if not state.devices[req.params.rid] then return { status = 404, json = { error = { code = 21008, message = "not found" } } } end
      state.devices[req.params.rid] = nil
      return { status = 200, json = { success = true } }
    end,
  },
}
