-- The gafapay plugin against GafaPay's documented answers: erasure plugins test gafapay
local vendor = mock_vendor("gafapay")
local ada = { id = "6f1b82443e524459831de59d430a0c41" }
local nobody = { id = "00000000000000000000000000000000" }

test("finds a user who is there", function()
  local o = run("lookup", ada)
  eq(o.outcome, "found", o.message)
  eq(o.record.id, ada.id)
end)

test("a user who is not there (USER_NOT_FOUND) is not_found, and nothing is deleted", function()
  eq(run("lookup", nobody).outcome, "not_found")
  eq(run("delete", nobody).outcome, "not_found")
  eq(#vendor.seen("DELETE /gafapay/v3/user/user_detail/:id"), 0)
end)

test("deletes, and a lookup afterwards confirms it", function()
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.verified, true)
  has(o.message, "USER_REMOVE_USER_DETAIL_SUCCESSFULLY")
  eq(vendor.state.users[ada.id], nil)
end)

test("already gone: a second deletion is not_found", function()
  eq(run("delete", ada).outcome, "deleted")
  eq(run("delete", ada).outcome, "not_found")
end)

test("a dry run plans the DELETE and sends none", function()
  local o = run("delete", ada, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 1)
  eq(o.requests[1].method, "DELETE")
  has(o.requests[1].url, "/user/user_detail/" .. ada.id)
  ok(vendor.state.users[ada.id], "still there")
end)

test("suspends by status_id 5, and a suspended user is left as it is", function()
  local o = run("suspend", ada)
  eq(o.outcome, "suspended", o.message)
  eq(vendor.state.users[ada.id].status_id, 5)
  eq(run("suspend", ada).outcome, "suspended")
  eq(#vendor.seen("PUT /gafapay/v3/user/user_detail"), 1)
end)

test("a documented refusal ({success: 0, error: [...]}) is failed with its reason", function()
  vendor.fault{ route = "DELETE /gafapay/v3/user/user_detail/:id", status = 200,
                json = { success = 0, error = { "USER_DELETE_FAILED" }, data = { validation_message = "has open payments" } } }
  local o = run("delete", ada)
  eq(o.outcome, "failed")
  has(o.message, "USER_DELETE_FAILED")
  has(o.message, "has open payments")
end)

test("a 429 on the deletion is retried after its Retry-After", function()
  vendor.fault{ route = "DELETE /gafapay/v3/user/user_detail/:id", status = 429, headers = { ["Retry-After"] = "12" } }
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.waits, { 12 })
end)

test("a 503 on the lookup is retried", function()
  vendor.fault{ route = "GET /gafapay/v3/user/user_detail/:id", status = 503, body = "<html>down</html>" }
  eq(run("lookup", ada).outcome, "found")
end)

test("an answer that is not GafaPay's envelope is failed, never not_found", function()
  vendor.fault{ route = "GET /gafapay/v3/user/user_detail/:id", status = 200, body = "<html>login</html>" }
  local o = run("delete", ada)
  eq(o.outcome, "failed")
  has(o.message, "not its {success, error, data} envelope")
  eq(#vendor.seen("DELETE /gafapay/v3/user/user_detail/:id"), 0)
end)
