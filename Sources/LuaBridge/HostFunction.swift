import CLua
import CLuaShim

/// A Swift function callable from Lua.
///
/// - `sync`: runs inside the Lua call; reads arguments and pushes results through `HostCall`.
///   Must not block. Throwing raises a Lua error (catchable with `pcall`).
/// - `async`: suspends only the calling coroutine; the arguments are converted up front, the
///   returned values are Lua's results. `context` is the `context:` of the owning `call`.
///   It may itself `await runtime.call(...)`.
public enum HostFunction: @unchecked Sendable {
    case sync((inout HostCall) throws -> Void)
    case async(@Sendable (_ args: [LuaValue], _ context: (any Sendable)?) async throws -> [LuaValue])
}

final class RegisteredFunction {
    let name: String        // "module.function"
    let function: HostFunction
    unowned(unsafe) let core: LuaCore  // the core owns its functions
    let st: UnsafeMutablePointer<erasure_state>
    // The sync body apart and not Optional: the hot path calls it in place (borrowed from this
    // object) instead of copying it out, which cost a retain and a release per call.
    let isSync: Bool
    let syncBody: (inout HostCall) throws -> Void
    init(name: String, function: HostFunction, core: LuaCore) {
        self.name = name
        self.function = function
        self.core = core
        self.st = core.st
        if case .sync(let body) = function {
            isSync = true
            syncBody = body
        } else {
            isSync = false
            syncBody = { _ in }
        }
    }
}

/// The view a synchronous host function gets of its call. Valid only during the call.
/// (Holds unretained references: it must not escape the host function.)
public struct HostCall {
    let L: LuaState
    let fnRef: Unmanaged<RegisteredFunction>
    /// Number of arguments Lua passed.
    public let count: Int
    var results: Int32 = 0
    // (a failed push is recorded in the core, keeping this struct trivial to copy and destroy)

    init(L: LuaState, fn: Unmanaged<RegisteredFunction>) {
        self.L = L
        self.fnRef = fn
        self.count = Int(lua_gettop(L))
    }

    var fn: RegisteredFunction { fnRef.takeUnretainedValue() }
    var core: LuaCore { fnRef._withUnsafeGuaranteedRef { $0.core } }

    /// "module.function", as Lua code calls it.
    public var name: String { fn.name }
    /// The `context:` of the call whose coroutine made this host call.
    public var context: (any Sendable)? { core.activeCall?.context }

    /// Argument `i` (1-based); `.nil` past the end.
    public func argument(_ i: Int) throws -> LuaValue {
        guard i >= 1 && i <= count else { return .nil }
        do {
            return try core.pull(L, Int32(i))
        } catch let e as LuaError {
            throw HostError(badArgument(i, e.message))
        }
    }
    /// All arguments.
    public func arguments() throws -> [LuaValue] {
        try (0..<count).map { try argument($0 + 1) }
    }
    /// Lua type name of argument `i` ("no value" past the end).
    public func typeName(_ i: Int) -> String {
        guard i >= 1 && i <= count else { return "no value" }
        let t = lua_type(L, Int32(i))
        if t == LUA_TLIGHTUSERDATA && lua_touserdata(L, Int32(i)) == erasure_null_sentinel() { return "json.null" }
        return String(cString: lua_typename(L, t))
    }
    public func isNil(_ i: Int) -> Bool { i < 1 || i > count || lua_type(L, Int32(i)) == LUA_TNIL }

    func badArgument(_ i: Int, _ msg: String) -> String { "bad argument #\(i) to '\(fn.name)' (\(msg))" }
    func typeError(_ i: Int, _ expected: String) -> HostError {
        HostError(badArgument(i, "\(expected) expected, got \(typeName(i))"))
    }

    /// Argument `i` as bytes (a string, or a number converted like Lua does).
    public func bytes(_ i: Int) throws -> [UInt8] {
        guard i >= 1 && i <= count else { throw typeError(i, "string") }
        let t = lua_type(L, Int32(i))
        if t == LUA_TSTRING {
            var len = 0
            let p = lua_tolstring(L, Int32(i), &len)!
            return Array(UnsafeRawBufferPointer(start: p, count: len))
        }
        if t == LUA_TNUMBER {
            if lua_isinteger(L, Int32(i)) != 0 { return Array(String(lua_tointegerx(L, Int32(i), nil)).utf8) }
            return Array(String(lua_tonumberx(L, Int32(i), nil)).utf8)
        }
        throw typeError(i, "string")
    }
    /// Argument `i` as a String (bytes decoded as UTF-8, invalid sequences replaced).
    public func string(_ i: Int) throws -> String { String(decoding: try bytes(i), as: UTF8.self) }
    public func optionalString(_ i: Int) throws -> String? { isNil(i) ? nil : try string(i) }
    /// Argument `i` as an exact integer (a float with an integral value is accepted, like Lua).
    public func integer(_ i: Int) throws -> Int64 {
        guard i >= 1 && i <= count, lua_type(L, Int32(i)) == LUA_TNUMBER else { throw typeError(i, "number") }
        var ok: Int32 = 0
        let v = lua_tointegerx(L, Int32(i), &ok)
        if ok == 0 { throw HostError(badArgument(i, "number has no integer representation")) }
        return v
    }
    public func optionalInteger(_ i: Int) throws -> Int64? { isNil(i) ? nil : try integer(i) }
    public func number(_ i: Int) throws -> Double {
        guard i >= 1 && i <= count, lua_type(L, Int32(i)) == LUA_TNUMBER else { throw typeError(i, "number") }
        return lua_tonumberx(L, Int32(i), nil)
    }
    public func optionalNumber(_ i: Int) throws -> Double? { isNil(i) ? nil : try number(i) }
    /// Argument `i` as a boolean; only `true`/`false` accepted.
    public func boolean(_ i: Int) throws -> Bool {
        guard i >= 1 && i <= count, lua_type(L, Int32(i)) == LUA_TBOOLEAN else { throw typeError(i, "boolean") }
        return lua_toboolean(L, Int32(i)) != 0
    }
    public func optionalBoolean(_ i: Int) throws -> Bool? { isNil(i) ? nil : try boolean(i) }
    /// Lua truthiness of argument `i` (nil and false are false).
    public func truthy(_ i: Int) -> Bool { i >= 1 && i <= count && lua_toboolean(L, Int32(i)) != 0 }
    public func table(_ i: Int) throws -> LuaTable {
        guard i >= 1 && i <= count, lua_type(L, Int32(i)) == LUA_TTABLE else { throw typeError(i, "table") }
        guard case .table(let t) = try argument(i) else { throw typeError(i, "table") }
        return t
    }
    public func optionalTable(_ i: Int) throws -> LuaTable? { isNil(i) ? nil : try table(i) }
    public func function(_ i: Int) throws -> LuaFunction {
        guard i >= 1 && i <= count, lua_type(L, Int32(i)) == LUA_TFUNCTION else { throw typeError(i, "function") }
        guard case .function(let f) = try argument(i) else { throw typeError(i, "function") }
        return f
    }

    /// Pushes one result. A value that cannot be pushed (a function of another runtime)
    /// makes the host call fail with a Lua error.
    public mutating func push(_ value: LuaValue) {
        let L = self.L
        let ok: Bool = fnRef._withUnsafeGuaranteedRef { fn in
            guard fn.st.pointee.host_push_failed == 0 else { return false }
            do {
                try fn.core.push(L, value)
                return true
            } catch {
                fn.core.hostPushError = error
                fn.st.pointee.host_push_failed = 1
                return false
            }
        }
        if ok { results += 1 }
    }
    public mutating func push(contentsOf values: [LuaValue]) {
        for v in values { push(v) }
    }
    /// Number of results pushed so far.
    public var resultCount: Int { Int(results) }
}

// MARK: - the dispatcher the C trampoline calls

// A C entry point of its own rather than a closure converted to a C function pointer.
@_cdecl("erasure_swift_dispatch")
func erasureSwiftDispatch(_ L: LuaState?, _ unused: UnsafeMutableRawPointer?, _ fnPtr: UnsafeMutableRawPointer?) -> Int32 {
    let ref = Unmanaged<RegisteredFunction>.fromOpaque(fnPtr!)
    return ref._withUnsafeGuaranteedRef { fn in
        if fn.isSync { return dispatchSync(L!, ref, fn) }
        return dispatchAsync(L!, fn)
    }
}

let erasureDispatch: @convention(c) (LuaState?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = erasureSwiftDispatch

@inline(__always)
private func dispatchSync(_ L: LuaState, _ ref: Unmanaged<RegisteredFunction>, _ fn: RegisteredFunction) -> Int32 {
    let st = fn.st
    let enforce = st.pointee.enforce
    st.pointee.enforce = 0  // "host mode": pushing from Swift never raises
    defer { st.pointee.enforce = enforce }
    var call = HostCall(L: L, fn: ref)
    do {
        try fn.syncBody(&call)
        if st.pointee.host_push_failed != 0 {
            throw fn.core.hostPushError ?? LuaError(kind: .conversion, message: "cannot push a value")
        }
    } catch {
        st.pointee.host_push_failed = 0
        fn.core.hostPushError = nil
        lua_settop(L, 0)
        fn.core.pushError(L, error)
        return ERASURE_ERR
    }
    if st.pointee.limit != 0 && st.pointee.used > st.pointee.limit {
        return fn.core.memoryExceeded(L)
    }
    return call.results
}

private func dispatchAsync(_ L: LuaState, _ fn: RegisteredFunction) -> Int32 {
    guard case .async(let body) = fn.function else { return ERASURE_ERR }
    let core = fn.core
    let st = fn.st
    let enforce = st.pointee.enforce
    st.pointee.enforce = 0
    defer { st.pointee.enforce = enforce }
    guard let owner = core.activeCall else {
        lua_settop(L, 0)
        lua_pushstring(L, "async host function '\(fn.name)' called outside a call")
        return ERASURE_ERR
    }
    if owner.c.pointee.killed != ERASURE_KILL_NONE || erasure_call_cancelled(owner.c) != 0 {
        lua_settop(L, 0)
        lua_pushstring(L, String(cString: erasure_kill_message(owner.c.pointee.killed == ERASURE_KILL_NONE
            ? ERASURE_KILL_CANCELLED : owner.c.pointee.killed)))
        return ERASURE_ERR
    }
    if lua_isyieldable(L) == 0 {
        lua_settop(L, 0)
        lua_pushstring(L, core.cannotYieldMessage(fn.name))
        return ERASURE_ERR
    }
    let args: [LuaValue]
    do {
        args = try HostCall(L: L, fn: Unmanaged.passUnretained(fn)).arguments()
    } catch {
        lua_settop(L, 0)
        core.pushError(L, error)
        return ERASURE_ERR
    }
    let context = owner.context
    owner.pending = { try await body(args, context) }
    return ERASURE_YIELD
}

extension LuaCore {
    /// The error for an async host function called where Lua cannot yield, `%s` standing for its
    /// name. The one text: the sandbox gets it too, for a host call inside a script's coroutine.
    static let cannotYield = "async host function '%s' cannot be called here: Lua cannot yield "
        + "(inside a metamethod, table.sort comparator or similar)"

    func cannotYieldMessage(_ name: String) -> String {
        LuaCore.cannotYield.replacing("%s", with: name)
    }

    /// Pushes the Lua error value for a Swift error.
    func pushError(_ L: LuaState, _ error: Error) {
        let value: LuaValue
        switch error {
        case let e as HostError: value = e.value
        case let e as LuaError: value = e.value.isNil ? .string(LuaString(e.message)) : e.value
        case is CancellationError: value = "cancelled"
        default: value = .string(LuaString(String(describing: error)))
        }
        do { try push(L, value) } catch { lua_pushstring(L, String(describing: error)) }
    }

    /// After Swift pushed values past the cap: the call is stopped with a memory error.
    func memoryExceeded(_ L: LuaState) -> Int32 {
        lua_settop(L, 0)
        if let c = st.pointee.active, c.pointee.killed == ERASURE_KILL_NONE { c.pointee.killed = ERASURE_KILL_MEMORY }
        lua_pushstring(L, limitDescription)
        return ERASURE_ERR
    }
}
