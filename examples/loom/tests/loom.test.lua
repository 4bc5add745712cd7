-- loom's tests: erasure plugins test examples/loom/loom.lua
local vendor = mock_vendor("loom")
local ada = { email = "ada@example.com" }

test("finds a person on the third page, following Link rel=next", function()
  local o = run("lookup", ada)
  eq(o.outcome, "found", o.message)
  eq(o.record.id, "u5")
  eq(#vendor.seen("GET /users"), 3)
end)

test("deletes in two steps, and the lookup afterwards confirms it", function()
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.verified, true)
  eq(#vendor.seen("POST /users/:id/deactivate"), 1)
  eq(#vendor.seen("DELETE /users/:id"), 1)
end)

test("a second step that failed is finished by the next run, not reported not_found", function()
  vendor.fault{ route = "DELETE /users/:id", status = 500, json = { error = "internal" } }
  local first = run("delete", ada)
  eq(first.outcome, "failed")
  eq(vendor.state.users[5].email, nil, "step 1 happened and cleared the e-mail")
  local second = run("delete", ada)
  eq(second.outcome, "deleted", second.message)
  eq(#vendor.seen("POST /users/:id/deactivate"), 1, "step 1 was not sent again")
end)

test("a dry run plans both steps and sends neither", function()
  local o = run("delete", ada, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 2)
  eq(o.requests[1].method, "POST")
  eq(o.requests[2].method, "DELETE")
  eq(#vendor.seen("POST /users/:id/deactivate") + #vendor.seen("DELETE /users/:id"), 0)
end)

test("no request left: the next one waits for the reset instead of meeting a 429", function()
  vendor.state.remaining = 1
  local o = run("lookup", ada)
  eq(o.outcome, "found")
  eq(#o.waits, 1)
  ok(o.waits[1] > 3 and o.waits[1] <= 5, "waited until the reset: " .. tostring(o.waits[1]))
end)

test("a 429 is retried after its Retry-After", function()
  vendor.fault{ route = "GET /users", status = 429, headers = { ["Retry-After"] = "20" } }
  local o = run("lookup", ada)
  eq(o.outcome, "found")
  eq(o.waits, { 20 })
end)

test("a page that is not JSON fails the lookup", function()
  vendor.fault{ route = "GET /users", status = 200, body = "<html>oops</html>" }
  eq(run("lookup", ada).outcome, "failed")
end)
