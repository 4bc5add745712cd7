-- Pagos SpreadsheetWEB's DeleteUser as the pagos plugin relies on it: always HTTP 200, the outcome
-- in the body (Success, InvalidToken, MethodResponse, Messages: CONFIRMED); "does not exist" for an
-- unknown user (ASSUMED, as in the plugin).
local function result(success, said, messages, invalid)
  return { status = 200, json = { Success = success, InvalidToken = invalid == true, MethodResponse = said,
                                  Messages = json.array(messages or {}) } }
end

return {
  config = { site_id = 7, token = "test-token" },
  state = function() return { users = { ["ada.lovelace"] = true } } end,
  routes = {
    ["POST /Api/Sites/DeleteUser"] = function(req, state)
      if req.headers.authorization ~= "Bearer test-token" then
        return result(false, json.null, { "The requested resource requires user authentication." }, true)
      end
      local body = req.json()
      if body.SiteId ~= 7 then return result(false, json.null, { "Site not found." }) end
      if not state.users[body.UserName] then return result(true, "User " .. body.UserName .. " does not exist.") end
      state.users[body.UserName] = nil
      return result(true, "User removed successfuly.")
    end,
  },
}
