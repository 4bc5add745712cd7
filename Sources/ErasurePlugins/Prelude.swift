/// Lua code the runtime loads once per state, in an environment of its own, before any plugin.
/// It turns the raw host functions of the `__erasure` module into the `ctx` a plugin sees
/// (Contract 1) and into the vendor handles a workflow sees. Every capability still derives from
/// the Swift side: a host function acts for the (vendor, action) whose call is running, so nothing
/// here grants a plugin more than its own vendor's policy.
package enum Prelude {
    package static let chunkName = "=erasure/prelude"

    package static let source = #"""
local host = __erasure
local json = json
local plugins = {}   -- name -> { plugin = <table>, ctx = <table> }

local function lower_keys(t)
  local out = {}
  for k, v in pairs(t or {}) do out[string.lower(k)] = v end
  return setmetatable(out, { __index = function(self, k)
    if type(k) == "string" then return rawget(self, string.lower(k)) end
  end })
end

local function response(raw)
  local body = raw.body or ""
  local r = {
    status = raw.status or 0,
    headers = lower_keys(raw.headers),
    body = body,
    planned = raw.planned == true,
  }
  r.json = function() return json.decode(body) end
  return r
end

local function make_http()
  local http = {}
  function http.request(req)
    if type(req) ~= "table" then error("ctx.http.request expects a table {method, url, ...}", 2) end
    return response(host.http(req))
  end
  for _, method in ipairs({ "get", "post", "put", "patch", "delete" }) do
    local verb = string.upper(method)
    http[method] = function(url, opts)
      local req = {}
      for k, v in pairs(opts or {}) do req[k] = v end
      req.method, req.url = verb, url
      return response(host.http(req))
    end
  end
  return http
end

local function make_auth()
  local auth = {}
  function auth.bearer(token) return { Authorization = "Bearer " .. tostring(token) } end
  function auth.basic(user, pass) return { Authorization = host.basic(user, pass) } end
  function auth.header(name, value) return { [name] = value } end
  function auth.jwt(spec) return host.jwt(spec) end
  function auth.oauth2(spec)
    local source = { kind = "oauth2" }
    for k, v in pairs(spec or {}) do source[k] = v end
    return source
  end
  function auth.token(source) return host.oauth2_token(source) end
  function auth.invalidate(source) return host.oauth2_invalidate(source) end
  return auth
end

local function make_log(name)
  local log = {}
  for _, level in ipairs({ "debug", "info", "warn", "error" }) do
    log[level] = function(...)
      local parts = table.pack(...)
      for i = 1, parts.n do parts[i] = tostring(parts[i]) end
      host.log(level, table.concat(parts, " ", 1, parts.n))
    end
  end
  return log
end

local M = {}

-- Registers a loaded plugin and builds its ctx (once per run).
function M.install(name, plugin, config, dry_run)
  local ctx = {
    vendor = name,
    config = config,
    dry_run = dry_run,
    http = make_http(),
    auth = make_auth(),
    log = make_log(name),
    json = json,
    url = host.url,
    uuid = host.uuid,
    now = host.now,
    sleep = host.sleep,
  }
  plugins[name] = { plugin = plugin, ctx = ctx }
end

-- Calls one action of one plugin: lookup(ctx, user) / delete(ctx, user, record) / suspend(...).
function M.invoke(name, action, user, record)
  local entry = plugins[name]
  local fn = entry.plugin[action]
  return fn(entry.ctx, user, record)
end

-- Workflow handles -------------------------------------------------------------------------
local Handle = {}
Handle.__index = Handle
function Handle:lookup() return host.act(self.name, "lookup", self.identity) end
function Handle:delete(record) return host.act(self.name, "delete", self.identity, record) end
function Handle:suspend(record, reason) return host.act(self.name, "suspend", self.identity, record, reason) end
function Handle:skip(reason) return host.skip(self.name, reason) end
function Handle:can(action) return self.actions[action] == true end

-- Runs a workflow for one person. `specs` lists the vendors this person can be sent to:
-- { {name=, identity={...}, actions={lookup=true,...}}, ... } in configuration order.
function M.run_workflow(run, person, specs, params)
  local vendors = {}
  for i, spec in ipairs(specs) do
    local h = setmetatable({ name = spec.name, identity = spec.identity, actions = spec.actions }, Handle)
    vendors[i] = h
    vendors[spec.name] = h
  end
  return run(person, vendors, params)
end

return M
"""#

    /// Defines the globals a workflow file sees besides Lua's safe library.
    package static let workflowGlobals = #"""
local host = __erasure
__erasure = nil
function skip(reason) return host.skip(nil, reason) end
"""#
}
