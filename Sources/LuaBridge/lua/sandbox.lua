-- The sandbox: run once per Lua state, with the full (trusted) standard library, before any
-- script (LuaBridge/Setup.swift). Arguments: the host-yield sentinel, json.null, the error
-- for an async host function called where Lua cannot yield (LuaCore.cannotYield: a format whose
-- one %s is the function's name), and paused(co) (true when the count hook paused `co` at the
-- end of a time slice). Returns make_env, the json array and object marker metatables, the
-- module table, the set of call-root threads and the table of host globals.
local SENTINEL, NULL, CANNOT_YIELD, paused = ...
local _G = _G
local pairs, ipairs, type, error, select, tostring = pairs, ipairs, type, error, select, tostring
local setmetatable, getmetatable, rawget = setmetatable, getmetatable, rawget
local pack, unpack = table.pack, table.unpack
local co_create, co_resume, co_yield = coroutine.create, coroutine.resume, coroutine.yield
local co_isyieldable, co_close = coroutine.isyieldable, coroutine.close
local raw_load, raw_collect = load, collectgarbage
local format = string.format

-- string.dump would hand out bytecode; the shared string metatable must not be reachable.
string.dump = nil
getmetatable("").__metatable = false

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- Threads that run a host call (the driver marks them): scripts cannot resume or close them.
local ROOTS = setmetatable({}, { __mode = "k" })

-- Script-level coroutines: a host call inside them yields (SENTINEL, name); pass it up to the
-- driver and hand the results back, so the script's own coroutines only ever see their own
-- yields. A pause at the end of a time slice (the count hook yields nothing) is passed up as
-- SENTINEL alone, then the coroutine goes on where it was.
local function settle(co, r)
  while r[1] do
    if r.n == 3 and r[2] == SENTINEL then
      if co_isyieldable() then
        r = pack(co_resume(co, co_yield(SENTINEL, r[3])))
      else
        r = pack(co_resume(co, false, format(CANNOT_YIELD, tostring(r[3]))))
      end
    elseif (r.n == 1 and paused(co)) or (r.n == 2 and r[2] == SENTINEL) then
      if co_isyieldable() then co_yield(SENTINEL) end
      r = pack(co_resume(co))
    else
      break
    end
  end
  return r
end

local coroutine_lib = {
  create = co_create,
  yield = co_yield,
  status = coroutine.status,
  isyieldable = co_isyieldable,
  running = coroutine.running,
  resume = function(co, ...)
    if ROOTS[co] then return false, "cannot resume a host call's coroutine" end
    local r = settle(co, pack(co_resume(co, ...)))
    return unpack(r, 1, r.n)
  end,
  wrap = function(f)
    local co = co_create(f)
    return function(...)
      local r = settle(co, pack(co_resume(co, ...)))
      if r[1] then return unpack(r, 2, r.n) end
      co_close(co)
      error(r[2], 0)
    end
  end,
  close = function(co)
    if ROOTS[co] then error("cannot close a host call's coroutine", 2) end
    return co_close(co)
  end,
}

local function safe_collectgarbage(opt, ...)
  if opt == nil or opt == "collect" or opt == "count" or opt == "step" then
    return raw_collect(opt, ...)
  end
  error("collectgarbage('" .. tostring(opt) .. "') is not allowed in the sandbox", 2)
end

local function safe_setmetatable(t, mt)
  if type(t) ~= "table" then
    error("bad argument #1 to 'setmetatable' (table expected, got " .. type(t) .. ")", 2)
  end
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc metamethods are not allowed in the sandbox", 2)
  end
  return setmetatable(t, mt)
end

local safe_os = { time = os.time, clock = os.clock, date = os.date }

-- json markers and module table
local ARRAY_MT = { __metatable = "json.array" }
local OBJECT_MT = { __metatable = "json.object" }
local MODULES = {}
local GLOBALS = {}  -- host functions registered as plain globals (e.g. print)
local function marker(mt, what)
  return function(t)
    if t == nil then t = {} end
    if type(t) ~= "table" then
      error("bad argument #1 to 'json." .. what .. "' (table expected, got " .. type(t) .. ")", 2)
    end
    return setmetatable(t, mt)
  end
end
MODULES.json = { null = NULL, array = marker(ARRAY_MT, "array"), object = marker(OBJECT_MT, "object") }

local base_names = {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
  "rawlen", "rawset", "select", "tonumber", "tostring", "type", "xpcall", "_VERSION",
}

local function make_env()
  local env = {}
  for _, n in ipairs(base_names) do env[n] = _G[n] end
  env._G = env
  env.setmetatable = safe_setmetatable
  env.collectgarbage = safe_collectgarbage
  -- text chunks only; the default environment is the caller's own
  env.load = function(chunk, name, mode, ...)
    if select("#", ...) > 0 then return raw_load(chunk, name, "t", (...)) end
    return raw_load(chunk, name, "t", env)
  end
  env.string = copy(string)
  env.table = copy(table)
  env.math = copy(math)
  env.utf8 = copy(utf8)
  env.os = copy(safe_os)
  env.coroutine = copy(coroutine_lib)
  for name, mod in pairs(MODULES) do env[name] = copy(mod) end
  for name, value in pairs(GLOBALS) do env[name] = value end
  return env
end

return make_env, ARRAY_MT, OBJECT_MT, MODULES, ROOTS, GLOBALS
