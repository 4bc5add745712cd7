-- The engagelab plugin against EngageLab's documented answers: erasure plugins test engagelab
local vendor = mock_vendor("engagelab")
local by_alias = { alias = "ada_lovelace" }
local by_id = { registration_id = "1a0018970a8b2d1e2c3" }

test("finds a device by registration id, and every device of an alias", function()
  local o = run("lookup", by_id)
  eq(o.outcome, "found", o.message)
  eq(o.record.alias, "ada_lovelace")
  eq(#run("lookup", by_alias).record.registration_ids, 2)
end)

test("an unknown device (404) or an alias with no device is not_found", function()
  eq(run("lookup", { registration_id = "nope" }).outcome, "not_found")
  eq(run("delete", { alias = "nobody" }).outcome, "not_found")
  eq(#vendor.seen("DELETE /v4/devices/:rid"), 0)
end)

test("deletes every device of an alias: accepted, not verified (asynchronous)", function()
  local o = run("delete", by_alias)
  eq(o.outcome, "deleted", o.message)
  eq(o.verified, false)
  has(o.verification, "asynchronously")
  eq(#vendor.seen("DELETE /v4/devices/:rid"), 2)
  eq(next(vendor.state.devices), nil)
end)

test("already gone: the deletion's 404 is not_found", function()
  vendor.fault{ route = "DELETE /v4/devices/:rid", status = 404, json = { error = { code = 21008, message = "not found" } } }
  eq(run("delete", by_id).outcome, "not_found")
end)

test("a dry run plans one DELETE per device and sends none", function()
  local o = run("delete", by_alias, { dry_run = true })
  eq(o.outcome, "planned")
  eq(#o.requests, 2)
  eq(#vendor.seen("DELETE /v4/devices/:rid"), 0)
end)

test("a documented error body is failed with its code and message", function()
  vendor.fault{ route = "DELETE /v4/devices/:rid", status = 400, json = { error = { code = 21009, message = "bad request" } } }
  local o = run("delete", by_id)
  eq(o.outcome, "failed")
  has(o.message, "EngageLab error 21009: bad request")
end)

test("a 429 (over 500 requests/s) is retried after its Retry-After", function()
  vendor.fault{ route = "DELETE /v4/devices/:rid", status = 429, headers = { ["Retry-After"] = "1" } }
  local o = run("delete", by_id)
  eq(o.outcome, "deleted", o.message)
  eq(o.waits, { 1 })
end)

test("a 503 on the lookup is retried", function()
  vendor.fault{ route = "GET /v4/devices/:rid", status = 503, body = "<html>down</html>" }
  eq(run("lookup", by_id).outcome, "found")
end)

test("a 200 that is not {success: true} is failed, not deleted", function()
  vendor.fault{ route = "DELETE /v4/devices/:rid", status = 200, body = "<html>ok</html>" }
  local o = run("delete", by_id)
  eq(o.outcome, "failed")
  has(o.message, "unexpected answer")
end)
