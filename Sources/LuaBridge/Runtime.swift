import CLua
import CLuaShim
import Foundation

/// An isolated sandboxed global table (`_ENV`) inside one runtime.
public struct LuaEnvironment: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    let ref: Int32
    let runtime: ObjectIdentifier
    public var description: String { "environment \(name)" }
}

/// State of one `call`: what the hook and the dispatcher consult while its coroutine runs.
final class CallState {
    let c: UnsafeMutablePointer<erasure_call>
    let context: (any Sendable)?
    var pending: (@Sendable () async throws -> [LuaValue])?
    let slice: UInt64
    init(context: (any Sendable)?, limits: LuaLimits, deadline: Duration?) {
        c = .allocate(capacity: 1)
        var call = erasure_call()
        call.budget = limits.instructionBudget.map { max(0, $0) } ?? -1
        if let d = deadline {
            call.deadline_ns = erasure_now_ns() &+ UInt64(max(1, d.wholeNanoseconds))
        }
        call.hold_ns = UInt64(max(0, limits.holdLimit.wholeNanoseconds))
        slice = UInt64(max(1, limits.timeSlice.wholeNanoseconds))
        c.initialize(to: call)
        self.context = context
    }
    /// Starts a time slice: the call runs until then, and pauses at the next check after it.
    func startSlice() { c.pointee.slice_end_ns = erasure_now_ns() &+ slice }
    deinit { c.deallocate() }
    var killed: Int32 { c.pointee.killed }
}

private struct CallPointer: @unchecked Sendable { let c: UnsafeMutablePointer<erasure_call> }

/// One Lua state, its sandbox and its host modules. Calls interleave: while one call awaits an
/// async host function, others run (actor reentrancy).
public actor LuaRuntime {
    let core: LuaCore
    public nonisolated let limits: LuaLimits

    public init(limits: LuaLimits = LuaLimits()) throws {
        erasure_set_dispatcher(erasureDispatch)
        core = try LuaCore()
        self.limits = limits
        try core.setup()
        core.st.pointee.limit = limits.memoryBytes > 0 ? limits.memoryBytes : 0
        core.register(module: "json", JSONModule.functions)
    }

    // MARK: modules and environments

    /// Registers (or extends) a module: a global table of that name in every environment,
    /// existing and future (each environment gets its own copy of the table).
    public func register(module: String, _ functions: [String: HostFunction]) {
        core.drainReleases()
        core.register(module: module, functions)
    }

    /// Registers a host function as a plain global (e.g. `print`) in every environment,
    /// existing and future.
    public func register(global name: String, _ function: HostFunction) {
        core.drainReleases()
        core.register(global: name, function)
    }

    /// Sets a plain value in a module (e.g. a constant), in every environment.
    public func setModuleValue(module: String, key: String, value: LuaValue) throws {
        core.drainReleases()
        try core.setModuleValue(module: module, key: key, value: value)
    }

    /// A new isolated environment with the safe standard library and every registered module.
    public func newEnvironment(name: String) -> LuaEnvironment {
        core.drainReleases()
        let ref = core.makeEnvironment()
        return LuaEnvironment(name: name, ref: ref, runtime: ObjectIdentifier(core))
    }

    /// Reads a global of an environment (raw access).
    public func global(_ name: String, in env: LuaEnvironment) throws -> LuaValue {
        try check(env)
        let L = core.L
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(env.ref))
        lua_pushstring(L, name)
        lua_rawget(L, -2)
        defer { lua_settop(L, 0) }
        return try core.pull(L, -1)
    }

    /// Sets a global of an environment (raw access).
    public func setGlobal(_ name: String, _ value: LuaValue, in env: LuaEnvironment) throws {
        try check(env)
        let L = core.L
        defer { lua_settop(L, 0) }
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(env.ref))
        lua_pushstring(L, name)
        try core.push(L, value)
        lua_rawset(L, -3)
    }

    private func check(_ env: LuaEnvironment) throws {
        guard env.runtime == ObjectIdentifier(core) else {
            throw LuaError(kind: .conversion, message: "\(env) belongs to another Lua runtime")
        }
    }

    // MARK: loading

    /// Compiles a text chunk into a function whose `_ENV` is `env` (does not run it).
    /// `chunkName` like "plugins/x.lua" makes errors read "plugins/x.lua:12: message".
    public func compile(_ code: [UInt8], chunkName: String, in env: LuaEnvironment) throws -> LuaFunction {
        try check(env)
        core.drainReleases()
        let L = core.L
        let st = core.st
        st.pointee.enforce = 1
        st.pointee.consecutive_failures = 0
        let status = code.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(b.count, 1)) { p in
                erasure_loadbuffer(L, p, b.count, "@" + chunkName, "t")
            }
        }
        st.pointee.enforce = 0
        if status != LUA_OK {
            let message = core.describe(L, -1)
            lua_settop(L, 0)
            if status == LUA_ERRMEM { throw LuaError(kind: .memory, message: "\(chunkName): \(core.limitDescription)") }
            throw LuaError(kind: .syntax, message: message)
        }
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(env.ref))
        _ = lua_setupvalue(L, -2, 1)
        let ref = luaL_ref(L, erasure_registryindex())
        lua_settop(L, 0)
        return LuaFunction(ref: ref, core: core)
    }

    public func compile(_ code: String, chunkName: String, in env: LuaEnvironment) throws -> LuaFunction {
        try compile(Array(code.utf8), chunkName: chunkName, in: env)
    }

    /// Compiles and runs a chunk (as a `call`); returns what the chunk returns.
    public func load(_ code: [UInt8], chunkName: String, in env: LuaEnvironment,
                     context: (any Sendable)? = nil) async throws -> [LuaValue] {
        let f = try compile(code, chunkName: chunkName, in: env)
        return try await call(f, [], context: context)
    }

    public func load(_ code: String, chunkName: String, in env: LuaEnvironment,
                     context: (any Sendable)? = nil) async throws -> [LuaValue] {
        try await load(Array(code.utf8), chunkName: chunkName, in: env, context: context)
    }

    /// Reads a file and runs it like `load`; the chunk name defaults to the path.
    public func loadFile(_ path: String, chunkName: String? = nil, in env: LuaEnvironment,
                         context: (any Sendable)? = nil) async throws -> [LuaValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LuaError(kind: .syntax, message: "\(path): cannot read file")
        }
        return try await load(Array(data), chunkName: chunkName ?? path, in: env, context: context)
    }

    /// Convenience for tests and tools: runs `code` with the chunk name "evaluate".
    public func evaluate(_ code: String, in env: LuaEnvironment) async throws -> [LuaValue] {
        try await load(Array(code.utf8), chunkName: "evaluate", in: env)
    }

    /// Bytes currently allocated by the Lua state.
    public var memoryInUse: Int { core.st.pointee.used }

    /// Benchmark helper: registers a C function that does nothing (the host-call floor).
    public func _registerNoopCFunction(module: String, name: String) {
        core.registerCFunction(module: module, name: name, erasure_noop_cfunction)
    }

    /// Benchmark helper: sets global `name` to a table with Lua's own (unguarded) find, match,
    /// gmatch and gsub, to compare the guarded ones with.
    public func _setLuaPatternFunctions(global name: String, in env: LuaEnvironment) throws {
        try check(env)
        let L = core.L
        defer { lua_settop(L, 0) }
        lua_rawgeti(L, erasure_registryindex(), lua_Integer(env.ref))
        lua_pushstring(L, name)
        erasure_push_lua_patterns(L)
        lua_rawset(L, -3)
    }

    // MARK: calls

    /// Runs `f` in a new coroutine. Many calls interleave: while this one awaits an async host
    /// function, or once it has run Lua for a time slice, others run. `context` is what host
    /// functions see as the owner of their call; `deadline` replaces the runtime's for this call.
    public func call(_ f: LuaFunction, _ args: [LuaValue] = [], context: (any Sendable)? = nil,
                     deadline: Duration? = nil) async throws -> [LuaValue] {
        guard f.core === core else {
            throw LuaError(kind: .conversion, message: "cannot call a function of another Lua runtime")
        }
        if Task.isCancelled { throw LuaError(kind: .cancelled, message: "cancelled") }
        core.drainReleases()
        let call = CallState(context: context, limits: limits, deadline: deadline ?? limits.deadline)
        let (co, ref) = core.acquireThread()
        let budget = call.c.pointee.budget
        erasure_sethook(co, budget >= 0 && budget < Int64(ERASURE_HOOK_COUNT) ? Int32(max(1, budget)) : ERASURE_HOOK_COUNT)
        do {
            guard lua_checkstack(co, Int32(clamping: args.count + 2)) != 0 else {
                throw LuaError(kind: .conversion, message: "too many arguments")
            }
            lua_rawgeti(co, erasure_registryindex(), lua_Integer(f.ref))
            for a in args { try core.push(co, a) }
        } catch {
            lua_settop(co, 0)
            core.releaseThread(co, ref)
            throw error
        }
        let pointer = CallPointer(c: call.c)
        return try await withTaskCancellationHandler {
            try await drive(call, co, ref, Int32(args.count))
        } onCancel: {
            erasure_call_cancel(pointer.c)
        }
    }

    private func drive(_ call: CallState, _ co: LuaState, _ ref: Int32, _ firstArgs: Int32) async throws -> [LuaValue] {
        let st = core.st
        var nargs = firstArgs
        while true {
            call.pending = nil
            core.activeCall = call
            st.pointee.active = call.c
            st.pointee.enforce = 1
            st.pointee.consecutive_failures = 0
            call.startSlice()
            var nres: Int32 = 0
            let status = lua_resume(co, core.L, nargs, &nres)
            st.pointee.enforce = 0
            st.pointee.active = nil
            core.activeCall = nil

            if status == LUA_OK && call.killed != ERASURE_KILL_NONE {
                // e.g. a memory error swallowed by a pcall: the call is still stopped
                lua_settop(co, 0)
                throw finish(call, co, ref, status: LUA_ERRRUN,
                             message: String(cString: erasure_kill_message(call.killed)))
            }
            if status == LUA_OK {
                var results: [LuaValue] = []
                results.reserveCapacity(Int(nres))
                let top = lua_gettop(co)
                do {
                    for i in 0..<nres { results.append(try core.pull(co, top - nres + 1 + i)) }
                } catch {
                    lua_settop(co, 0)
                    core.releaseThread(co, ref)
                    throw error
                }
                lua_settop(co, 0)
                core.releaseThread(co, ref)
                return results
            }
            if status != LUA_YIELD {
                throw finish(call, co, ref, status: status, message: nil)
            }
            // a pause at the end of a time slice: the count hook yielded the call's thread (no
            // values), or a coroutine of the script and the prelude passed the pause up (SENTINEL)
            if call.pending == nil && (nres == 0 ? erasure_take_paused(co) != 0 : nres == 1 && isSentinel(co, -1)) {
                erasure_pop(co, nres)
                await Task.yield()
                if let stop = stopReason(call) {
                    throw finish(call, co, ref, status: LUA_ERRRUN, message: stop)
                }
                nargs = 0
                continue
            }
            // a yield: only a host yield is legal at the top of a call
            guard let op = call.pending, nres == 2, isSentinel(co, -2) else {
                throw finish(call, co, ref, status: LUA_ERRRUN,
                             message: "plugin yielded outside a coroutine (coroutine.yield at the top level of a call)")
            }
            let fname = core.describe(co, -1)
            erasure_pop(co, nres)
            call.pending = nil

            var outcome: Result<[LuaValue], Error>
            do {
                outcome = .success(try await awaitOperation(op, call))
            } catch is LuaDeadlineReached {
                call.c.pointee.killed = ERASURE_KILL_DEADLINE
                outcome = .failure(CancellationError())
            } catch {
                outcome = .failure(error)
            }
            if let stop = stopReason(call) {
                throw finish(call, co, ref, status: LUA_ERRRUN, message: "\(stop) while awaiting '\(fname)'")
            }
            // hand the outcome to the trampoline's continuation: (true, results...) or (false, error)
            switch outcome {
            case .success(let values):
                if lua_checkstack(co, Int32(clamping: values.count + 2)) == 0 {
                    lua_pushboolean(co, 0)
                    lua_pushstring(co, "too many results from '\(fname)'")
                    nargs = 2
                    break
                }
                lua_pushboolean(co, 1)
                do {
                    for v in values { try core.push(co, v) }
                    nargs = 1 + Int32(values.count)
                } catch {
                    lua_settop(co, 0)
                    lua_pushboolean(co, 0)
                    core.pushError(co, error)
                    nargs = 2
                }
            case .failure(let error):
                lua_pushboolean(co, 0)
                core.pushError(co, error)
                nargs = 2
            }
            if st.pointee.limit != 0 && st.pointee.used > st.pointee.limit {
                call.c.pointee.killed = ERASURE_KILL_MEMORY
                throw finish(call, co, ref, status: LUA_ERRMEM, message: nil)
            }
        }
    }

    private func isSentinel(_ co: LuaState, _ index: Int32) -> Bool {
        lua_type(co, index) == LUA_TLIGHTUSERDATA && lua_touserdata(co, index) == erasure_host_sentinel()
    }

    /// Why the call must stop now that it is back with the driver (its cancellation or deadline
    /// may have come while it was paused or awaiting), or nil.
    private func stopReason(_ call: CallState) -> String? {
        if call.killed == ERASURE_KILL_NONE && erasure_call_cancelled(call.c) != 0 {
            call.c.pointee.killed = ERASURE_KILL_CANCELLED
        }
        if call.killed == ERASURE_KILL_NONE, call.c.pointee.deadline_ns != 0,
           erasure_now_ns() > call.c.pointee.deadline_ns {
            call.c.pointee.killed = ERASURE_KILL_DEADLINE
        }
        return call.killed == ERASURE_KILL_NONE ? nil : String(cString: erasure_kill_message(call.killed))
    }

    private func awaitOperation(_ op: @escaping @Sendable () async throws -> [LuaValue], _ call: CallState) async throws -> [LuaValue] {
        let deadline = call.c.pointee.deadline_ns
        if deadline == 0 { return try await op() }
        let now = erasure_now_ns()
        if now >= deadline { throw LuaDeadlineReached() }
        return try await LuaCall.$deadline.withValue(deadline) {
            try await raceDeadline(op, nanoseconds: deadline - now)
        }
    }

    /// Builds the LuaError of a failed call (traceback first), then resets and recycles the thread.
    private func finish(_ call: CallState, _ co: LuaState, _ ref: Int32, status: Int32, message: String?) -> LuaError {
        let L = core.L
        let st = core.st
        var value: LuaValue = .nil
        var text: String
        if let message {
            text = message
            value = .string(LuaString(message))
        } else {
            text = core.describe(co, -1)
            value = (try? core.pull(co, -1)) ?? .string(LuaString(text))
        }
        luaL_traceback(L, co, text, 0)
        let traceback = core.describe(L, -1)
        lua_settop(L, 0)

        var kind: LuaError.Kind = .runtime
        switch call.killed {
        case ERASURE_KILL_BUDGET: kind = .budget
        case ERASURE_KILL_DEADLINE: kind = .deadline
        case ERASURE_KILL_CANCELLED: kind = .cancelled
        case ERASURE_KILL_MEMORY: kind = .memory
        case ERASURE_KILL_HELD: kind = .held
        default: if status == LUA_ERRMEM { kind = .memory }
        }
        if kind == .memory {
            if let r = text.range(of: "memory limit exceeded") {
                text.replaceSubrange(r, with: core.limitDescription)
            } else if !text.contains("memory limit") {
                text = core.limitDescription
            }
            value = .string(LuaString(text))
        } else if kind != .runtime {
            let phrase = String(cString: erasure_kill_message(call.killed))
            if !text.contains(phrase) { text = phrase }
            value = .string(LuaString(text))
        }
        // A stopped call's thread is simply dropped: its pending to-be-closed variables do not
        // run (they could loop with the hook disabled). After an ordinary error the thread is
        // reset, which runs them under the same call's budget and deadline.
        if call.killed == ERASURE_KILL_NONE {
            st.pointee.active = call.c
            st.pointee.enforce = 1
            call.startSlice()
            _ = lua_resetthread(co)
            st.pointee.enforce = 0
            st.pointee.active = nil
            lua_settop(co, 0)
        }
        core.releaseThread(co, ref, reusable: false)
        return LuaError(kind: kind, message: text, value: value, traceback: traceback)
    }
}

/// Thrown by an async host function whose wait would outlast its call's deadline (a sleep longer
/// than the time left): the call stops now, as it would at its deadline.
public struct LuaDeadlineReached: Error {
    public init() {}
}

/// What an async host function can know of the Lua call it works for.
public enum LuaCall {
    /// The deadline (CLOCK_MONOTONIC ns) of the call whose async host function runs in this task.
    @TaskLocal static var deadline: UInt64 = 0

    /// Time left before the deadline of the call whose async host function is running; nil when
    /// that call has none (or outside an async host function).
    public static var timeLeft: Duration? {
        let d = deadline
        guard d != 0 else { return nil }
        let now = erasure_now_ns()
        return .nanoseconds(d > now ? Int64(d - now) : 0)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var wholeNanoseconds: Int64 {
        let (s, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (components.seconds < 0 ? .min : .max) : s &+ components.attoseconds / 1_000_000_000
    }
}

/// Waits for `op`, but no longer than `nanoseconds`; on time-out `op` is cancelled.
private func raceDeadline(_ op: @escaping @Sendable () async throws -> [LuaValue], nanoseconds: UInt64) async throws -> [LuaValue] {
    final class Once: @unchecked Sendable {
        let lock = NSLock()
        var done = false
        var tasks: [Task<Void, Never>] = []
        func claim() -> Bool {
            lock.lock(); defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
        func cancelAll() {
            lock.lock(); let t = tasks; lock.unlock()
            for task in t { task.cancel() }
        }
    }
    let once = Once()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (k: CheckedContinuation<[LuaValue], Error>) in
            let work = Task {
                do {
                    let v = try await op()
                    if once.claim() { k.resume(returning: v) }
                } catch {
                    if once.claim() { k.resume(throwing: error) }
                }
                once.cancelAll()
            }
            let timer = Task {
                try? await Task.sleep(nanoseconds: nanoseconds)
                let error: Error = Task.isCancelled ? CancellationError() : LuaDeadlineReached()
                if once.claim() { k.resume(throwing: error) }
                once.cancelAll()
            }
            once.lock.lock(); once.tasks = [work, timer]; let finished = once.done; once.lock.unlock()
            if finished { once.cancelAll() }
        }
    } onCancel: {
        once.cancelAll()
    }
}
