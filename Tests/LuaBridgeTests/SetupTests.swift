import XCTest
@testable import LuaBridge

/// Every known escape route is refused with an error, each in its own test.
final class SandboxEscapeTests: XCTestCase {
    func testIoOpenIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "global 'io'") {
            try await rt.evaluate("return io.open('/etc/passwd'):read('a')", in: env)
        }
    }

    func testOsExecuteIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "field 'execute'") { try await rt.evaluate("return os.execute('id')", in: env) }
        await assertLuaError(.runtime, "field 'getenv'") { try await rt.evaluate("return os.getenv('HOME')", in: env) }
        await assertLuaError(.runtime, "field 'remove'") { try await rt.evaluate("return os.remove('/tmp/x')", in: env) }
        await assertLuaError(.runtime, "field 'exit'") { try await rt.evaluate("return os.exit(1)", in: env) }
        let r = try await rt.evaluate("return type(os.time()), type(os.clock()), type(os.date('%Y'))", in: env)
        XCTAssertEqual(r, ["number", "number", "string"])
    }

    func testRequireIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "global 'require'") { try await rt.evaluate("return require 'io'", in: env) }
    }

    func testPackageLoadlibIsRefused() async throws {
        // CVE-2022-0543: Debian's Lua exposed package.loadlib to Redis scripts.
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "global 'package'") {
            try await rt.evaluate("return package.loadlib('/usr/lib/x86_64-linux-gnu/liblua5.4.so.0', 'luaopen_io')", in: env)
        }
    }

    func testDofileAndLoadfileAreAbsent() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "global 'dofile'") { try await rt.evaluate("return dofile('/etc/passwd')", in: env) }
        await assertLuaError(.runtime, "global 'loadfile'") { try await rt.evaluate("return loadfile('/etc/passwd')", in: env) }
    }

    func testLoadOfBytecodeIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        // a real bytecode header, with every mode a script could ask for, and through a reader function
        await assertLuaError(.runtime, "attempt to load a binary chunk") {
            try await rt.evaluate(#"return assert(load("\27Lua\84\0\25\147\13\10\26\10\4\8\8\120\86"))"#, in: env)
        }
        await assertLuaError(.runtime, "attempt to load a binary chunk") {
            try await rt.evaluate(#"return assert(load("\27Lua\84\0", "x", "b"))"#, in: env)
        }
        await assertLuaError(.runtime, "attempt to load a binary chunk") {
            try await rt.evaluate(#"local s = "\27Lua\84\0" return assert(load(function() local p = s s = nil return p end, "x", "bt"))"#, in: env)
        }
        // text chunks still load, with the caller's environment by default
        let r = try await rt.evaluate("secret = 7 return load('return secret + 1')()", in: env)
        XCTAssertEqual(r, [8])
    }

    func testStringDumpIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "field 'dump'") { try await rt.evaluate("return string.dump(print or type)", in: env) }
        await assertLuaError(.runtime, "method 'dump'") { try await rt.evaluate("return (''):dump(type)", in: env) }
    }

    func testDebugIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "global 'debug'") { try await rt.evaluate("return debug.getregistry()", in: env) }
    }

    func testStringMetatableIsProtected() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "attempt to index a boolean value") {
            try await rt.evaluate("getmetatable('').__index.upper = function() return 'pwned' end", in: env)
        }
        let r = try await rt.evaluate("return getmetatable(''), ('abc'):upper(), ('x'):rep(3)", in: env)
        XCTAssertEqual(r, [false, "ABC", "xxx"])
        // changing this env's string table does not change string methods elsewhere
        let other = await rt.newEnvironment(name: "other")
        _ = try await rt.evaluate("string.upper = function() return 'pwned' end", in: env)
        let r2 = try await rt.evaluate("return ('abc'):upper(), string.upper('abc')", in: other)
        XCTAssertEqual(r2, ["ABC", "ABC"])
        let e = await assertLuaError(.runtime, "bad argument #1 to 'setmetatable' (table expected, got string)") {
            try await rt.evaluate("setmetatable('', {})", in: env)
        }
        XCTAssertTrue(e?.message.hasPrefix("evaluate:1:") ?? false)
    }

    func testAnotherPluginsGlobalsAreUnreachable() async throws {
        let rt = try LuaRuntime(limits: LuaLimits())
        let a = await rt.newEnvironment(name: "plugins/a.lua")
        let b = await rt.newEnvironment(name: "plugins/b.lua")
        _ = try await rt.load("token = 'secret-a'; string.leak = token; table.leak = 1; json.leak = 1; _G.also = 2",
                              chunkName: "plugins/a.lua", in: a)
        let r = try await rt.load("""
            return token, string.leak, table.leak, json.leak, also, _G.token, rawget(_G, 'token'),
                   load('return token')()
            """, chunkName: "plugins/b.lua", in: b)
        XCTAssertEqual(r, [.nil, .nil, .nil, .nil, .nil, .nil, .nil, .nil])
        // b cannot overwrite a's library functions either
        _ = try await rt.load("string.format = nil; pairs = nil", chunkName: "plugins/b.lua", in: b)
        let r2 = try await rt.load("return string.format('%d', 5), type(pairs)", chunkName: "plugins/a.lua", in: a)
        XCTAssertEqual(r2, ["5", "function"])
    }

    func testCollectgarbageAbuseIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        for opt in ["stop", "restart", "setpause", "setstepmul", "incremental", "generational", "isrunning"] {
            await assertLuaError(.runtime, "collectgarbage('\(opt)') is not allowed") {
                try await rt.evaluate("return collectgarbage('\(opt)')", in: env)
            }
        }
        let r = try await rt.evaluate("collectgarbage() collectgarbage('step') return type(collectgarbage('count'))", in: env)
        XCTAssertEqual(r, ["number"])
    }

    func testGcMetamethodsAreRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "__gc metamethods are not allowed") {
            try await rt.evaluate("setmetatable({}, { __gc = function() while true do end end })", in: env)
        }
    }

    func testStringRepBombHitsTheMemoryCap() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(memoryBytes: 8 << 20))
        let e = await assertLuaError(.memory, "memory limit of 8 MB exceeded") {
            try await rt.evaluate("local s = string.rep('x', 1 << 30) return #s", in: env)
        }
        XCTAssertNotNil(e)
        // doubling until the cap, in pcall: still stopped
        await assertLuaError(.memory, "memory limit of 8 MB exceeded") {
            try await rt.evaluate("""
                local ok = pcall(function() local t = {} local s = 'x' while true do s = s .. s t[#t+1] = s end end)
                return 'swallowed'
                """, in: env)
        }
        let r = try await rt.evaluate("return string.rep('ab', 1000):len()", in: env)
        XCTAssertEqual(r, [2000])
    }
}

final class LimitTests: XCTestCase {
    func testInfiniteLoopIsStoppedByTheBudget() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(instructionBudget: 1_000_000))
        let e = await assertLuaError(.budget, "instruction budget exceeded") {
            try await rt.load("\nwhile true do end", chunkName: "plugins/loop.lua", in: env)
        }
        XCTAssertTrue(e?.message.hasPrefix("plugins/loop.lua:2:") ?? false, e?.message ?? "")
        let r = try await rt.evaluate("local n = 0 for i = 1, 1000 do n = n + i end return n", in: env)
        XCTAssertEqual(r, [500500])
    }

    func testPcallCannotSwallowTheBudget() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(instructionBudget: 1_000_000))
        await assertLuaError(.budget, "instruction budget exceeded") {
            try await rt.evaluate("""
                local caught = 0
                while true do
                  local ok, err = pcall(function() while true do end end)
                  caught = caught + 1
                  pcall(error, err)
                end
                """, in: env)
        }
        await assertLuaError(.budget, "instruction budget exceeded") {
            try await rt.evaluate("""
                local co = coroutine.wrap(function() while true do end end)
                while true do pcall(co) end
                """, in: env)
        }
        let r = try await rt.evaluate("return 'next chunk runs'", in: env)
        XCTAssertEqual(r, ["next chunk runs"])
    }

    func testDeadlineStopsALoop() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .milliseconds(200)))
        let start = ContinuousClock.now
        await assertLuaError(.deadline, "deadline exceeded") {
            try await rt.evaluate("while true do pcall(function() while true do end end) end", in: env)
        }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(200))
        let r = try await rt.evaluate("return 1", in: env)
        XCTAssertEqual(r, [1])
    }

    func testDeadlineAppliesWhileAwaitingAHostFunction() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .milliseconds(200)))
        await rt.register(module: "slow", ["wait": .async { _, _ in
            try await Task.sleep(nanoseconds: 30_000_000_000)
            return []
        }])
        let e = await assertLuaError(.deadline, "deadline exceeded while awaiting 'slow.wait'") {
            try await rt.evaluate("pcall(slow.wait) return 'swallowed'", in: env)
        }
        XCTAssertNotNil(e?.traceback)
        await rt.register(module: "fast", ["wait": .async { _, _ in [1] }])
        let r = try await rt.evaluate("return fast.wait()", in: env)
        XCTAssertEqual(r, [1])
    }

    func testCancellingARunningCall() async throws {
        let (rt, env) = try await makeRuntime()
        let f = try await rt.evaluate("return function() while true do end end", in: env)[0].functionValue!
        let task = Task { try await rt.call(f) }
        try await Task.sleep(nanoseconds: 100_000_000)
        task.cancel()
        await assertLuaError(.cancelled, "cancelled") { try await task.value }
        let r = try await rt.evaluate("return 2", in: env)
        XCTAssertEqual(r, [2])
    }

    func testCancellingAnAwaitingCall() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "slow", ["wait": .async { _, _ in
            try await Task.sleep(nanoseconds: 30_000_000_000)
            return []
        }])
        let f = try await rt.evaluate("return function() pcall(slow.wait) while true do end end", in: env)[0].functionValue!
        let task = Task { try await rt.call(f) }
        try await Task.sleep(nanoseconds: 100_000_000)
        task.cancel()
        await assertLuaError(.cancelled, "cancelled") { try await task.value }
    }

    func testMemoryCapLeavesOtherStatesAlone() async throws {
        let (small, senv) = try await makeRuntime(LuaLimits(memoryBytes: 4 << 20))
        let (big, benv) = try await makeRuntime()
        await assertLuaError(.memory, "memory limit of 4 MB exceeded") {
            try await small.evaluate("local t = {} for i = 1, 1e9 do t[i] = {i} end", in: senv)
        }
        let r = try await big.evaluate("return #string.rep('x', 16 << 20)", in: benv)
        XCTAssertEqual(r, [.integer(16 << 20)])
        let r2 = try await small.evaluate("local t = {} for i = 1, 1000 do t[i] = {i} end return #t", in: senv)
        XCTAssertEqual(r2, [1000])
    }

    func testHostPushesPastTheCapBecomeAnError() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(memoryBytes: 4 << 20))
        await rt.register(module: "m", ["huge": .sync { call in
            call.push(.string(LuaString(bytes: [UInt8](repeating: 65, count: 8 << 20))))
        }])
        await assertLuaError(.memory, "memory limit of 4 MB exceeded") {
            try await rt.evaluate("local ok = pcall(m.huge) return 'swallowed'", in: env)
        }
        let r = try await rt.evaluate("return 3", in: env)
        XCTAssertEqual(r, [3])
    }
}

final class SandboxCloseTests: XCTestCase {
    func testCloseMetamethodCannotOutliveAStoppedCall() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(instructionBudget: 200_000))
        // a to-be-closed variable whose __close loops forever: the stop is final all the same
        await assertLuaError(.budget, "instruction budget exceeded") {
            try await rt.evaluate("""
                local mt = {}
                local guard = setmetatable({}, mt)
                mt.__close = function() while true do end end
                local x <close> = guard
                while true do end
                """, in: env)
        }
        let r = try await rt.evaluate("return 'alive'", in: env)
        XCTAssertEqual(r, ["alive"])
    }
}
