import CLua
import CLuaShim
import Foundation

typealias LuaState = OpaquePointer

/// The non-isolated heart of a runtime: the lua_State and everything the C dispatcher needs.
/// Only ever touched from the owning `LuaRuntime` actor (or synchronously from Lua code that
/// actor is running), hence @unchecked Sendable. `releaseLater` is the one thread-safe entry.
final class LuaCore: @unchecked Sendable {
    let L: LuaState
    let st: UnsafeMutablePointer<erasure_state>
    var functions: [RegisteredFunction] = []
    /// The call whose coroutine is being resumed right now (owner of any host call made).
    var activeCall: CallState?
    /// A value a sync host function could not push (reported when the function returns).
    var hostPushError: Error?

    // registry references set up by the sandbox (lua/sandbox.lua)
    var arrayMarker: Int32 = LUA_NOREF
    var objectMarker: Int32 = LUA_NOREF
    var modulesRef: Int32 = LUA_NOREF
    var makeEnvRef: Int32 = LUA_NOREF
    var rootsRef: Int32 = LUA_NOREF
    var globalsRef: Int32 = LUA_NOREF
    var envRefs: [Int32] = []

    var threadPool: [(thread: LuaState, ref: Int32)] = []

    private let unrefLock = NSLock()
    private var pendingUnrefs: [Int32] = []
    private var hasPendingUnrefs = false

    init() throws {
        st = UnsafeMutablePointer<erasure_state>.allocate(capacity: 1)
        st.initialize(to: erasure_state())
        guard let L = erasure_newstate(st) else {
            st.deallocate()
            throw LuaError(kind: .memory, message: "cannot create a Lua state")
        }
        self.L = L
    }

    deinit {
        st.pointee.enforce = 0
        st.pointee.active = nil
        lua_close(L)
        st.deallocate()
    }

    var limitDescription: String {
        let limit = Double(st.pointee.limit)
        if st.pointee.limit >= 1 << 20 {
            let mb = limit / 1048576
            return "memory limit of \(mb == mb.rounded() ? String(Int(mb)) : String(format: "%.1f", mb)) MB exceeded"
        }
        return "memory limit of \(st.pointee.limit) bytes exceeded"
    }

    // MARK: releasing references from any thread

    func releaseLater(_ ref: Int32) {
        unrefLock.lock()
        pendingUnrefs.append(ref)
        hasPendingUnrefs = true
        unrefLock.unlock()
    }

    /// Called by the actor before it uses the state.
    func drainReleases() {
        unrefLock.lock()
        guard hasPendingUnrefs else { unrefLock.unlock(); return }
        let refs = pendingUnrefs
        pendingUnrefs.removeAll()
        hasPendingUnrefs = false
        unrefLock.unlock()
        for r in refs { luaL_unref(L, erasure_registryindex(), r) }
    }

    // MARK: Lua -> Swift

    /// Converts the value at `index` of thread `T` (raw access only, no metamethod runs).
    func pull(_ T: LuaState, _ index: Int32) throws -> LuaValue {
        var path: [UnsafeRawPointer] = []
        return try pull(T, lua_absindex(T, index), &path)
    }

    private func pull(_ T: LuaState, _ idx: Int32, _ path: inout [UnsafeRawPointer]) throws -> LuaValue {
        switch lua_type(T, idx) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(T, idx) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(T, idx) != 0 { return .integer(lua_tointegerx(T, idx, nil)) }
            return .number(lua_tonumberx(T, idx, nil))
        case LUA_TSTRING:
            var len = 0
            let p = lua_tolstring(T, idx, &len)!
            return .string(LuaString(bytes: UnsafeRawBufferPointer(start: p, count: len)))
        case LUA_TLIGHTUSERDATA:
            if lua_touserdata(T, idx) == erasure_null_sentinel() { return .null }
            throw LuaError(kind: .conversion, message: "cannot convert a light userdata value")
        case LUA_TFUNCTION:
            lua_pushvalue(T, idx)
            let ref = luaL_ref(T, erasure_registryindex())
            return .function(LuaFunction(ref: ref, core: self))
        case LUA_TTABLE:
            return .table(try pullTable(T, idx, &path))
        case let t:
            let name = String(cString: lua_typename(T, t))
            throw LuaError(kind: .conversion, message: "cannot convert a \(name) value")
        }
    }

    private func pullTable(_ T: LuaState, _ idx: Int32, _ path: inout [UnsafeRawPointer]) throws -> LuaTable {
        let ptr = lua_topointer(T, idx)!
        if path.contains(ptr) {
            throw LuaError(kind: .conversion, message: "cannot convert a table with a cycle")
        }
        if path.count >= 200 {
            throw LuaError(kind: .conversion, message: "cannot convert a table nested more than 200 levels deep")
        }
        guard lua_checkstack(T, 4) != 0 else {
            throw LuaError(kind: .conversion, message: "cannot convert: Lua stack exhausted")
        }
        path.append(ptr)
        defer { path.removeLast() }
        var table = LuaTable()
        if lua_getmetatable(T, idx) != 0 {
            lua_rawgeti(T, erasure_registryindex(), lua_Integer(arrayMarker))
            if lua_rawequal(T, -1, -2) != 0 { table.shape = .array }
            erasure_pop(T, 1)
            lua_rawgeti(T, erasure_registryindex(), lua_Integer(objectMarker))
            if lua_rawequal(T, -1, -2) != 0 { table.shape = .object }
            erasure_pop(T, 2)
        }
        // array part: 1...n while present
        let n = lua_rawlen(T, idx)
        var count: lua_Integer = 0
        if n > 0 {
            table.array.reserveCapacity(Int(n))
            for i in 1...lua_Integer(n) {
                if lua_rawgeti(T, idx, i) == LUA_TNIL { erasure_pop(T, 1); break }
                do {
                    table.array.append(try pull(T, lua_gettop(T), &path))
                } catch { erasure_pop(T, 1); throw error }
                erasure_pop(T, 1)
                count = i
            }
        }
        lua_pushnil(T)
        while lua_next(T, idx) != 0 {
            // key at -2, value at -1
            if lua_type(T, -2) == LUA_TNUMBER, lua_isinteger(T, -2) != 0 {
                let k = lua_tointegerx(T, -2, nil)
                if k >= 1 && k <= count { erasure_pop(T, 1); continue }
            }
            let key: LuaValue
            let value: LuaValue
            do {
                key = try pull(T, lua_absindex(T, -2), &path)
                value = try pull(T, lua_absindex(T, -1), &path)
            } catch {
                erasure_pop(T, 2)
                throw error
            }
            table.hash[key] = value
            erasure_pop(T, 1)
        }
        return table
    }

    // MARK: Swift -> Lua

    /// Pushes `value` on thread `T`. Runs with the memory cap lifted (callers set host mode).
    func push(_ T: LuaState, _ value: LuaValue) throws {
        guard lua_checkstack(T, 3) != 0 else {
            throw LuaError(kind: .conversion, message: "cannot push: Lua stack exhausted")
        }
        switch value {
        case .nil: lua_pushnil(T)
        case .boolean(let b): lua_pushboolean(T, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(T, i)
        case .number(let d): lua_pushnumber(T, d)
        case .string(let s):
            s.bytes.withUnsafeBytes { b in
                if let base = b.baseAddress {
                    _ = lua_pushlstring(T, base.assumingMemoryBound(to: CChar.self), b.count)
                } else {
                    _ = lua_pushlstring(T, "", 0)
                }
            }
        case .null: lua_pushlightuserdata(T, erasure_null_sentinel())
        case .function(let f):
            guard f.core === self else {
                throw LuaError(kind: .conversion, message: "cannot pass a function from another Lua runtime")
            }
            lua_rawgeti(T, erasure_registryindex(), lua_Integer(f.ref))
        case .table(let t):
            lua_createtable(T, Int32(clamping: t.array.count), Int32(clamping: t.hash.count))
            let tIndex = lua_gettop(T)
            do {
                for (i, v) in t.array.enumerated() {
                    try push(T, v)
                    lua_rawseti(T, tIndex, lua_Integer(i + 1))
                }
                for (k, v) in t.hash {
                    if case .nil = k { continue }
                    if case .number(let d) = k, d.isNaN { continue }
                    if case .nil = v { continue }
                    try push(T, k)
                    try push(T, v)
                    lua_rawset(T, tIndex)
                }
            } catch {
                lua_settop(T, tIndex - 1)
                throw error
            }
            switch t.shape {
            case .unspecified: break
            case .array:
                lua_rawgeti(T, erasure_registryindex(), lua_Integer(arrayMarker))
                lua_setmetatable(T, tIndex)
            case .object:
                lua_rawgeti(T, erasure_registryindex(), lua_Integer(objectMarker))
                lua_setmetatable(T, tIndex)
            }
        }
    }

    /// A short description of the value at `index`, for error messages (no metamethods).
    func describe(_ T: LuaState, _ index: Int32) -> String {
        switch lua_type(T, index) {
        case LUA_TSTRING:
            var len = 0
            let p = lua_tolstring(T, index, &len)!
            return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
        case LUA_TTABLE:
            lua_pushstring(T, "message")
            lua_rawget(T, index < 0 ? index - 1 : index)
            defer { erasure_pop(T, 1) }
            if lua_type(T, -1) == LUA_TSTRING { return describe(T, -1) }
            return "(error object is a table value)"
        case LUA_TNUMBER:
            if lua_isinteger(T, index) != 0 { return String(lua_tointegerx(T, index, nil)) }
            return String(lua_tonumberx(T, index, nil))
        case LUA_TNIL: return "nil"
        case LUA_TBOOLEAN: return lua_toboolean(T, index) != 0 ? "true" : "false"
        case let t: return "(error object is a \(String(cString: lua_typename(T, t))) value)"
        }
    }
}
