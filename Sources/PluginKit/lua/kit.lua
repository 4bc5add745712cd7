-- The test API of `erasure plugins test`, loaded into the environment of one test file before
-- it (PluginTestFile.swift). A test file declares tests with test(name, fn); each test talks to
-- the plugin's mock vendor (mock_vendor: routes -> answers, state, faults), runs the plugin
-- through the real engine (run: the same path as `erasure lookup|delete|suspend`, over loopback)
-- and checks what happened with eq / ok / has. Every request a plugin makes still passes the
-- host's request gate, confined to the mock vendor's loopback origin.
local host = __kit
__kit = nil
local encode, decode = json.encode, json.decode

local K = { tests = {}, mocks = {}, vendor = nil, mock_errors = {} }

-- MARK: assertions (an error at the caller's line: "tests/acme.test.lua:12: …")

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) == "table" then
    local ok, text = pcall(encode, v)
    return ok and text or tostring(v)
  end
  return tostring(v)
end

local function same(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

-- eq(actual, expected, what): equal values (tables compared deeply).
function eq(actual, expected, what)
  if not same(actual, expected) then
    error((what and what .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

-- ok(value, what): value is neither nil nor false.
function ok(value, what)
  if not value then error((what or "expected a true value") .. " (got " .. show(value) .. ")", 2) end
  return value
end

-- has(text, fragment, what): text contains fragment (plain text, not a pattern).
function has(text, fragment, what)
  if type(text) ~= "string" or not string.find(text, fragment, 1, true) then
    error((what and what .. ": " or "") .. "expected " .. show(fragment) .. " in " .. show(text), 2)
  end
end

-- MARK: tests

-- test(name, function(vendor) … end): one test; each starts with the mock vendor reset (its
-- state() afresh, no faults, no requests seen) and a fresh engine (ctx.state empty).
function test(name, fn)
  if type(name) ~= "string" or type(fn) ~= "function" then error("test(name, function) expected", 2) end
  K.tests[#K.tests + 1] = { name = name, fn = fn }
end

-- run(action, user, opts): the plugin's action for `user` through the real engine, as
-- `erasure ACTION VENDOR KEY=VALUE…` would run it (opts.dry_run = true for a dry run). Returns
-- the outcome: { outcome, message, vendor_id, retryable, http_status, verified, verification,
-- requests = { {method, url, status, body}, … }, record (lookup), waits = { seconds, … } }.
function run(action, user, opts)
  local v = K.vendor
  return host.run(action, user or {}, opts or {}, v and v.config or {})
end

-- MARK: the mock vendor

-- "GET /users/:id" -> method, a pattern of the path, the names of its parameters.
local function compile_route(key)
  local method, path = string.match(key, "^(%u+)%s+(/%S*)$")
  if not method then error("a mock route is \"METHOD /path/:param\" (got " .. show(key) .. ")", 3) end
  local names = {}
  local pattern = string.gsub(path, "[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
  pattern = string.gsub(pattern, ":(%w+)", function(name) names[#names + 1] = name; return "([^/]+)" end)
  return { method = method, pattern = "^" .. pattern .. "$", names = names, key = key }
end

local function match(route, req)
  if route.method ~= req.method then return nil end
  local caps = table.pack(string.match(req.path, route.pattern))
  if caps[1] == nil then return nil end
  local params = {}
  for i, name in ipairs(route.names) do params[name] = caps[i] end
  return params
end

-- An answer table {status, json | body, headers} as the host sends it.
local function answer(a)
  if a == nil then return { status = 404, body = encode({ error = "mock vendor: not found" }) } end
  local headers = {}
  for k, v in pairs(a.headers or {}) do
    if type(k) == "number" then headers[#headers + 1] = v else headers[#headers + 1] = { k, tostring(v) } end
  end
  local body = a.body
  if a.json ~= nil then
    body = encode(a.json)
    headers[#headers + 1] = { "Content-Type", "application/json" }
  end
  return { status = a.status or 200, headers = headers, body = body or "", hang = a.timeout and 2.5 or 0 }
end

-- A vendor the tests talk to: its config, and per test its requests and faults.
local function new_vendor(config, on_reset)
  local v = { config = config or {} }
  function v.reset()
    v.requests, v.faults = {}, {}
    on_reset(v)
  end
  -- fault{ route = "DELETE /users/:id" (default: any), times = 1, status = 429, headers = {…},
  --        json = … | body = "…" (garbage), timeout = true (no answer for 2.5 s: past the tests'
  --        default 1 s request timeout) }
  function v.fault(f)
    if f.route then f.compiled = compile_route(f.route) end
    f.times = f.times or 1
    v.faults[#v.faults + 1] = f
  end
  function v.seen(key)
    local r, out = compile_route(key), {}
    for _, req in ipairs(v.requests) do if match(r, req) then out[#out + 1] = req end end
    return out
  end
  v.reset()
  K.vendor = v
  return v
end

-- mock_vendor(name): the mock vendor of tests/NAME.mock.lua (default: the plugin this file tests),
-- served to the plugin. Returns it: vendor.state (the table its routes change), vendor.requests
-- (every request seen: {method, path, target, query, headers, body, json()}), vendor.fault{…},
-- vendor.seen("METHOD /path/:x") (the requests a route got).
function mock_vendor(name)
  name = name or K.plugin
  local spec = K.mocks[name]
  if not spec then error("no mock vendor " .. show(name) .. ": write tests/" .. tostring(name) .. ".mock.lua", 2) end
  local routes = {}
  for key, fn in pairs(spec.routes or {}) do
    local r = compile_route(key)
    r.fn = fn
    routes[#routes + 1] = r
  end
  table.sort(routes, function(a, b) return #a.names < #b.names or (#a.names == #b.names and a.key < b.key) end)
  return new_vendor(spec.config, function(v)
    v.routes = routes
    v.state = spec.state and spec.state() or {}
  end)
end

-- replay(dir, opts): a vendor that answers from what `erasure … --record DIR` saved for it
-- (DIR/VENDOR.jsonl, DIR relative to this file's folder): each request gets a pair not yet used
-- this test with the same method and path+query ("***", a redacted secret, stands for any text):
-- the first after the last pair answered, else the first from the start. So the answers to one
-- request come back in the order recorded, and a flow recorded twice (a run's planning pass, then
-- its sends) replays its second half after its first. A request not recorded fails the test,
-- naming it. opts.vendor: the recording's vendor (default: the plugin);
-- opts.config: the vendor's config (default: its mock's, tests/VENDOR.mock.lua, whose base_url
-- path must be the recorded one). Faults, requests and seen() work as on a mock vendor.
function replay(dir, opts)
  opts = opts or {}
  local name = opts.vendor or K.plugin
  local recorded = host.recording(dir, name)
  for _, pair in ipairs(recorded) do
    local exact = string.gsub(pair.method .. " " .. pair.target, "[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")
    pair.pattern = "^" .. string.gsub(exact, "%%%*%%%*%%%*", ".-") .. "$"
  end
  local spec = K.mocks[name]
  return new_vendor(opts.config or (spec and spec.config), function(v)
    v.replaying = { dir = dir .. "/" .. name .. ".jsonl", pairs = recorded, used = {}, last = 0 }
  end)
end

-- The recorded answer to `req`, or an error naming it.
local skipped_headers = { ["content-length"] = true, ["transfer-encoding"] = true, ["connection"] = true,
                          ["keep-alive"] = true }
local function replayed(r, req)
  local key = req.method .. " " .. req.target
  local n = #r.pairs
  for step = 1, n do
    local i = (r.last + step - 1) % n + 1
    local pair = r.pairs[i]
    if not r.used[i] and string.find(key, pair.pattern) then
      r.used[i], r.last = true, i
      local headers = {}
      for _, h in ipairs(pair.headers) do
        if not skipped_headers[string.lower(h[1])] then headers[#headers + 1] = h end
      end
      return { status = pair.status, headers = headers, body = pair.body }
    end
  end
  K.mock_errors[#K.mock_errors + 1] = "replay: " .. key .. " is not in " .. r.dir
    .. " (or every recorded answer to it was used)"
  return { status = 501, body = "replay: not recorded: " .. key }
end

-- MARK: called by the host

function K.init(plugin) K.plugin = plugin end
function K.add_mock(name, spec) K.mocks[name] = spec end
function K.count() return #K.tests end
function K.name(i) return K.tests[i].name end

function K.run_test(i)
  K.mock_errors = {}
  if K.vendor then K.vendor.reset() end
  -- A mock vendor's failure is the cause of whatever the test then saw: it is reported first.
  local passed, err = pcall(K.tests[i].fn, K.vendor)
  if #K.mock_errors > 0 then
    error("the mock vendor failed: " .. table.concat(K.mock_errors, "; ") .. (passed and "" or "\n        then: " .. tostring(err)), 0)
  end
  if not passed then error(err, 0) end
end

-- One request to the mock vendor: a fault, else the first route that matches, else 404.
function K.dispatch(req)
  local v = K.vendor
  if not v then return answer({ status = 500, body = "no mock vendor: call mock_vendor() in the test file" }) end
  local body = req.body
  req.json = function() return decode(body) end
  v.requests[#v.requests + 1] = req
  for i, f in ipairs(v.faults) do
    if not f.compiled or match(f.compiled, req) then
      f.times = f.times - 1
      if f.times <= 0 then table.remove(v.faults, i) end
      return answer(f)
    end
  end
  if v.replaying then return answer(replayed(v.replaying, req)) end
  for _, r in ipairs(v.routes) do
    local params = match(r, req)
    if params then
      req.params = params
      local okay, result = pcall(r.fn, req, v.state)
      if okay then return answer(result) end
      K.mock_errors[#K.mock_errors + 1] = r.key .. ": " .. tostring(result)
      return answer({ status = 500, body = "mock vendor error" })
    end
  end
  return answer({ status = 404, json = { error = "mock vendor: no route for " .. req.method .. " " .. req.path } })
end

return K
