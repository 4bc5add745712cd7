-- The dragonpass plugin against DragonPass' documented answers: erasure plugins test dragonpass
local vendor = mock_vendor("dragonpass")
local ada = { id = "3EF5D065-76F8-4D3E-801A-B329D15F461A" }
local nobody = { id = "00000000-0000-0000-0000-000000000000" }

test("finds a user who is there", function()
  local o = run("lookup", ada)
  eq(o.outcome, "found", o.message)
  eq(o.record.membership, "Prestige")
end)

test("a user who is not there (code 40401) is not_found", function()
  eq(run("lookup", nobody).outcome, "not_found")
  eq(run("delete", nobody).outcome, "not_found")
end)

test("deletes, and a lookup afterwards confirms it", function()
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.message, "User successfully deleted. (verified: a lookup afterwards no longer finds them)")
  eq(o.verified, true)
  eq(vendor.state.users[ada.id], nil)
end)

test("already gone: a second deletion is not_found", function()
  eq(run("delete", ada).outcome, "deleted")
  eq(run("delete", ada).outcome, "not_found")
end)

test("a dry run sends the read-only search and plans the delete", function()
  local o = run("delete", ada, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 1)
  has(o.requests[1].url, "/users/delete")
  has(o.requests[1].body, ada.id)
  eq(#vendor.seen("POST /api/v2/users/delete"), 0)
end)

test("another code is failed with its code and msg", function()
  vendor.fault{ route = "POST /api/v2/users/delete", status = 200, json = { code = 50001, msg = "Membership locked" } }
  local o = run("delete", ada)
  eq(o.outcome, "failed")
  has(o.message, "DragonPass refused (code 50001): Membership locked")
end)

test("a 429 on the deletion is retried after its Retry-After", function()
  vendor.fault{ route = "POST /api/v2/users/delete", status = 429, headers = { ["Retry-After"] = "3" } }
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.waits, { 3 })
end)

test("a 503 on the deletion is retried (DragonPass did not act)", function()
  vendor.fault{ route = "POST /api/v2/users/delete", status = 503, body = "<html>down</html>" }
  eq(run("delete", ada).outcome, "deleted")
  eq(#vendor.seen("POST /api/v2/users/delete"), 2)
end)

test("an answer without the {code, msg} envelope is failed", function()
  vendor.fault{ route = "POST /api/v2/users/delete", status = 200, body = "<html>gateway</html>" }
  local o = run("delete", ada)
  eq(o.outcome, "failed")
  has(o.message, "not its {code, msg} envelope")
end)
