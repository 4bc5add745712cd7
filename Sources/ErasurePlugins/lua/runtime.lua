-- The Lua half of the runtime, run once per Lua runtime in an environment of its own, before any
-- plugin (RuntimeLua.swift). It turns the raw host functions of the `__erasure` module
-- (HostModule.swift) into the `ctx` a plugin sees (ctx.lua) and the vendor handles a workflow
-- sees (workflow.lua). Every capability still derives from the Swift side: a host function acts
-- for the (vendor, action) whose call is running, so nothing here grants a plugin more than its
-- own vendor's policy.
local files = ...  -- the files of this folder, compiled, by name without ".lua"
local raw = __erasure

-- Each file takes the host functions it wraps from `host` as it loads. A name the Swift side
-- does not register, or a Swift host function no file takes, stops the runtime right here.
local taken = {}
local host = setmetatable({}, { __index = function(_, name)
  local f = raw[name]
  if f == nil then error("HostModule.swift registers no host function '" .. tostring(name) .. "'", 2) end
  taken[name] = true
  return f
end })

local new_ctx = files.ctx(host, files)
local workflow = files.workflow(host)
for name in pairs(raw) do
  if not taken[name] then error("host function '" .. name .. "' (HostModule.swift) is wrapped by no Lua file", 0) end
end

local plugins = {}  -- name -> { plugin = <table>, ctx = <table> }

local M = { run_workflow = workflow.run, skip = workflow.skip }

-- Registers a loaded plugin and builds its ctx (once per run).
function M.install(name, plugin, config, dry_run)
  plugins[name] = { plugin = plugin, ctx = new_ctx(name, config, dry_run) }
end

-- Calls one action of one plugin: lookup(ctx, user) / delete(ctx, user, record) / suspend(...).
function M.invoke(name, action, user, record)
  local entry = plugins[name]
  local fn = entry.plugin[action]
  return fn(entry.ctx, user, record)
end

return M
