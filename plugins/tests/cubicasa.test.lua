-- The cubicasa plugin against CubiCasa's documented answers: erasure plugins test cubicasa
local vendor = mock_vendor("cubicasa")
local ada = { email = "ada@example.com" }
local ada_id = "00000000-0000-4000-8000-000000000004"

test("finds a user by e-mail (any case) on the second page, and by id", function()
  local o = run("lookup", ada)
  eq(o.outcome, "found", o.message)
  eq(o.record.id, ada_id)
  eq(run("lookup", { id = ada_id }).outcome, "found")
end)

test("someone not in the list is not_found, and nothing is deleted", function()
  eq(run("lookup", { email = "nobody@example.com" }).outcome, "not_found")
  eq(run("delete", { email = "nobody@example.com" }).outcome, "not_found")
  eq(#vendor.seen("DELETE /api/integrate/v3/users/:id"), 0)
end)

test("deletes by e-mail, and a read of the list afterwards confirms it", function()
  local o = run("delete", ada)
  eq(o.outcome, "deleted", o.message)
  has(o.message, "was deleted successfully")
  eq(o.verified, true)
  eq(#vendor.state.users, 4)
end)

test("already gone: the DELETE's 404 is not_found", function()
  eq(run("delete", { id = "00000000-0000-4000-8000-000000000009" }).outcome, "not_found")
end)

test("a dry run plans the DELETE and sends none", function()
  local o = run("delete", ada, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 1)
  has(o.requests[1].url, "/users/" .. ada_id)
  eq(#vendor.state.users, 5)
end)

test("a refusal (403) is failed naming the status", function()
  vendor.fault{ route = "DELETE /api/integrate/v3/users/:id", status = 403, json = { detail = "forbidden" } }
  local o = run("delete", { id = ada_id })
  eq(o.outcome, "failed")
  has(o.message, "CubiCasa refused the deletion (HTTP 403)")
end)

test("a 429 on the list is retried after its Retry-After", function()
  vendor.fault{ route = "GET /api/integrate/v3/users", status = 429, headers = { ["Retry-After"] = "4" } }
  local o = run("lookup", ada)
  eq(o.outcome, "found", o.message)
  eq(o.waits, { 4 })
end)

test("a 502 on the DELETE is not sent again: the outcome is settled by a lookup", function()
  vendor.fault{ route = "DELETE /api/integrate/v3/users/:id", status = 502, body = "<html>bad gateway</html>" }
  local o = run("delete", { id = ada_id })
  eq(#vendor.seen("DELETE /api/integrate/v3/users/:id"), 2, "one more attempt after a lookup still finds them")
  eq(o.outcome, "deleted", o.message)
end)

test("a 200 without CubiCasa's {message} is failed, not deleted", function()
  vendor.fault{ route = "DELETE /api/integrate/v3/users/:id", status = 200, body = "<html>ok</html>" }
  local o = run("delete", { id = ada_id })
  eq(o.outcome, "failed")
  eq(o.retryable, true)
  has(o.message, "not confirmed")
end)
