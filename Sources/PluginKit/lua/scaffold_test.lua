-- acme's tests: `erasure plugins test acme`. Each test(name, fn) gets the mock vendor of
-- tests/acme.mock.lua afresh, runs the plugin through erasure's real engine with
-- run(action, user, { dry_run = true|nil }) — the same path as `erasure delete acme email=…` —
-- and checks the outcome and the requests with eq(actual, expected), ok(value), has(text, part).
-- vendor.fault{…} makes the next answer a 429, a 5xx, garbage or no answer at all.
local vendor = mock_vendor("acme")
local ada = { email = "ada@example.com" }

test("finds a person who is there", function()
  local o = run("lookup", ada)
  eq(o.outcome, "found")
  eq(o.record.id, "u1")
end)

test("a person who is not there is not_found", function()
  eq(run("lookup", { email = "nobody@example.com" }).outcome, "not_found")
  eq(run("delete", { email = "nobody@example.com" }).outcome, "not_found")
end)

test("deletes, and a lookup afterwards confirms it", function()
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.vendor_id, "u1")
  eq(o.verified, true)
  eq(vendor.state.users.u1, nil)
  eq(#vendor.seen("DELETE /users/:id"), 1)
end)

test("already gone when the deletion comes: not_found", function()
  vendor.fault{ route = "DELETE /users/:id", status = 404, json = { error = "no such user" } }
  eq(run("delete", ada).outcome, "not_found")
end)

test("a dry run plans the DELETE and sends none", function()
  local o = run("delete", ada, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 1)
  eq(o.requests[1].method, "DELETE")
  has(o.requests[1].url, "/users/u1")
  eq(#vendor.seen("DELETE /users/:id"), 0)
  ok(vendor.state.users.u1, "still there")
end)

test("a 429 is retried after its Retry-After", function()
  vendor.fault{ route = "DELETE /users/:id", status = 429, headers = { ["Retry-After"] = "30" } }
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  eq(o.waits, { 30 })
end)

test("a 503 is retried", function()
  vendor.fault{ route = "GET /users", status = 503, body = "<html>down</html>" }
  eq(run("delete", ada).outcome, "deleted")
end)

test("a 500 on the deletion is failed and retryable", function()
  vendor.fault{ route = "DELETE /users/:id", status = 500, json = { error = "oops" } }
  local o = run("delete", ada)
  eq(o.outcome, "failed")
  eq(o.retryable, true)
  has(o.message, "HTTP 500")
end)

test("an answer the plugin cannot read is failed, never not_found", function()
  vendor.fault{ route = "GET /users", status = 200, body = "<html>maintenance</html>" }
  local o = run("lookup", ada)
  eq(o.outcome, "failed")
  has(o.message, "not the documented")
end)

test("no answer in time: a lookup is tried again", function()
  vendor.fault{ route = "GET /users", timeout = true }
  eq(run("lookup", ada).outcome, "found")
  eq(#vendor.seen("GET /users"), 2)
end)
