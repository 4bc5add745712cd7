import CLua
import CLuaShim

extension LuaCore {
    /// The files of lua/, embedded at build time (Package.swift: `.embedInCode("lua")` generates
    /// `PackageResources`), so there is nothing to find at run time. A test compiles each.
    static let embeddedLua: [String: [UInt8]] = ["sandbox.lua": PackageResources.sandbox_lua]

    /// Opens the safe libraries, guards them (CLuaShim: guards.c), runs the sandbox
    /// (lua/sandbox.lua, embedded at build time), keeps references to what it returns.
    func setup() throws {
        let libs: [(String, lua_CFunction)] = [
            ("_G", luaopen_base), ("coroutine", luaopen_coroutine), ("table", luaopen_table),
            ("string", luaopen_string), ("math", luaopen_math), ("utf8", luaopen_utf8), ("os", luaopen_os),
        ]
        for (name, open) in libs {
            luaL_requiref(L, name, open, 1)
            lua_settop(L, 0)
        }
        erasure_install_guards(L)
        let status = LuaCore.embeddedLua["sandbox.lua"]!.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
                erasure_loadbuffer(L, p, b.count, "=LuaBridge/sandbox.lua", "t")
            }
        }
        guard status == LUA_OK else { throw LuaError(kind: .syntax, message: describe(L, -1)) }
        lua_pushlightuserdata(L, erasure_host_sentinel())
        lua_pushlightuserdata(L, erasure_null_sentinel())
        lua_pushstring(L, LuaCore.cannotYield)
        lua_pushcclosure(L, erasure_lua_paused, 0)
        guard erasure_pcall(L, 4, 6, 0) == LUA_OK else {
            throw LuaError(kind: .runtime, message: describe(L, -1))
        }
        globalsRef = luaL_ref(L, erasure_registryindex())
        rootsRef = luaL_ref(L, erasure_registryindex())
        modulesRef = luaL_ref(L, erasure_registryindex())
        objectMarker = luaL_ref(L, erasure_registryindex())
        arrayMarker = luaL_ref(L, erasure_registryindex())
        makeEnvRef = luaL_ref(L, erasure_registryindex())
        lua_settop(L, 0)
    }

    /// Pushes the module table `name` (created when missing) on the main thread.
    private func pushModuleTable(_ name: String) {
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(modulesRef))
        lua_pushstring(L, name)
        if lua_rawget(L, -2) != LUA_TTABLE {
            erasure_pop(L, 1)
            erasure_newtable(L)
            lua_pushstring(L, name)
            lua_pushvalue(L, -2)
            lua_rawset(L, -4)
        }
        erasure_remove(L, -2)
    }

    /// Gives every existing environment a fresh copy of module `name` (module table at top of L).
    private func publishModule(_ name: String) {
        let mod = lua_gettop(L)
        for env in envRefs {
            lua_rawgeti(L, erasure_registryindex(), lua_Integer(env))
            lua_pushstring(L, name)
            lua_createtable(L, 0, 8)
            lua_pushnil(L)
            while lua_next(L, mod) != 0 {
                lua_pushvalue(L, -2)
                erasure_insert(L, -2)
                lua_rawset(L, -4)
            }
            lua_rawset(L, -3)
            erasure_pop(L, 1)
        }
    }

    func register(module: String, _ functions: [String: HostFunction]) {
        pushModuleTable(module)
        for (name, function) in functions.sorted(by: { $0.key < $1.key }) {
            let fn = RegisteredFunction(name: "\(module).\(name)", function: function, core: self)
            functions_append(fn)
            lua_pushstring(L, name)
            erasure_push_host_function(L, Unmanaged.passUnretained(self).toOpaque(),
                                       Unmanaged.passUnretained(fn).toOpaque(), fn.name)
            lua_rawset(L, -3)
        }
        publishModule(module)
        lua_settop(L, 0)
    }

    private func functions_append(_ fn: RegisteredFunction) { self.functions.append(fn) }

    /// A host function as a plain global in every environment, existing and future.
    func register(global name: String, _ function: HostFunction) {
        let fn = RegisteredFunction(name: name, function: function, core: self)
        functions_append(fn)
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(globalsRef))
        lua_pushstring(L, name)
        erasure_push_host_function(L, Unmanaged.passUnretained(self).toOpaque(),
                                   Unmanaged.passUnretained(fn).toOpaque(), name)
        lua_rawset(L, -3)
        for env in envRefs {
            lua_rawgeti(L, erasure_registryindex(), lua_Integer(env))
            lua_pushstring(L, name)
            lua_pushstring(L, name)
            lua_rawget(L, -4)  // GLOBALS[name]
            lua_rawset(L, -3)
            erasure_pop(L, 1)
        }
        lua_settop(L, 0)
    }

    func registerCFunction(module: String, name: String, _ f: lua_CFunction) {
        pushModuleTable(module)
        lua_pushstring(L, name)
        lua_pushcclosure(L, f, 0)
        lua_rawset(L, -3)
        publishModule(module)
        lua_settop(L, 0)
    }

    func setModuleValue(module: String, key: String, value: LuaValue) throws {
        defer { lua_settop(L, 0) }
        pushModuleTable(module)
        lua_pushstring(L, key)
        try push(L, value)
        lua_rawset(L, -3)
        publishModule(module)
    }

    func makeEnvironment() -> Int32 {
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(makeEnvRef))
        guard erasure_pcall(L, 0, 1, 0) == LUA_OK else {
            // only possible when the process itself is out of memory
            fatalError("cannot create a Lua environment: \(describe(L, -1))")
        }
        let ref = luaL_ref(L, erasure_registryindex())
        envRefs.append(ref)
        lua_settop(L, 0)
        return ref
    }

    // MARK: threads

    func acquireThread() -> (LuaState, Int32) {
        if let t = threadPool.popLast() { return t }
        let co = lua_newthread(L)!
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(rootsRef))
        lua_pushvalue(L, -2)
        lua_pushboolean(L, 1)
        lua_rawset(L, -3)
        erasure_pop(L, 1)
        let ref = luaL_ref(L, erasure_registryindex())
        return (co, ref)
    }

    /// Recycles a thread that finished normally; drops any other. (A thread stopped by an error
    /// raised in the count hook keeps `allowhook` off in Lua 5.4.4 even after lua_resetthread,
    /// so it must never run again.)
    func releaseThread(_ co: LuaState, _ ref: Int32, reusable: Bool = true) {
        if reusable && threadPool.count < 64 && lua_status(co) == LUA_OK {
            threadPool.append((co, ref))
        } else {
            luaL_unref(L, erasure_registryindex(), ref)
        }
    }
}
