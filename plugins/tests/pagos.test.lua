-- The pagos plugin against SpreadsheetWEB's documented answers: erasure plugins test pagos
local vendor = mock_vendor("pagos")
local ada = { username = "ada.lovelace" }

test("deletes a user; Pagos has no read API, so the deletion is not verified", function()
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  has(o.message, "User removed successfuly.")
  eq(o.verified, false)
  eq(vendor.state.users["ada.lovelace"], nil)
end)

test("an unknown user (\"does not exist\") is not_found; already gone likewise", function()
  eq(run("delete", { username = "nobody" }).outcome, "not_found")
  eq(run("delete", ada).outcome, "deleted")
  eq(run("delete", ada).outcome, "not_found")
end)

test("a dry run plans the DeleteUser and sends none", function()
  local o = run("delete", ada, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 1)
  has(o.requests[1].body, "\"UserName\":\"ada.lovelace\"")
  eq(#vendor.requests, 0)
end)

test("Success:true with another MethodResponse is failed with that text", function()
  vendor.fault{ route = "POST /Api/Sites/DeleteUser", status = 200,
                json = { Success = true, InvalidToken = false, MethodResponse = "An error has occurred. Please contact your administrator." } }
  local o = run("delete", ada)
  eq(o.outcome, "failed")
  eq(o.message, "Pagos could not delete the user: An error has occurred. Please contact your administrator.",
     "the plugin's own words, not 'pagos answered HTTP 200'")
end)

test("Success:false is failed with its Messages", function()
  vendor.fault{ route = "POST /Api/Sites/DeleteUser", status = 200,
                json = { Success = false, InvalidToken = false, Messages = { "Site not found." } } }
  has(run("delete", ada).message, "Pagos request refused: Site not found.")
end)

test("a 429 is retried after its Retry-After", function()
  vendor.fault{ route = "POST /Api/Sites/DeleteUser", status = 429, headers = { ["Retry-After"] = "8" } }
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.waits, { 8 })
end)

test("a 503 is retried", function()
  vendor.fault{ route = "POST /Api/Sites/DeleteUser", status = 503, body = "<html>down</html>" }
  eq(run("delete", ada).outcome, "deleted")
end)

test("an answer that is not Pagos' response object is failed", function()
  vendor.fault{ route = "POST /Api/Sites/DeleteUser", status = 200, body = "<html>IIS</html>" }
  has(run("delete", ada).message, "not its response object")
end)
