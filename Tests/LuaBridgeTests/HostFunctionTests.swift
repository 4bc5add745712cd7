import XCTest
@testable import LuaBridge

struct Owner: Sendable, Equatable { let name: String }

final class HostFunctionTests: XCTestCase {
    func testSyncHostFunction() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "m", [
            "add": .sync { call in call.push(.integer(try call.integer(1) + call.integer(2))) },
            "pair": .sync { call in
                call.push(.string(LuaString(try call.string(1).uppercased())))
                call.push(.integer(Int64(call.count)))
            },
        ])
        let r = try await rt.evaluate("local s, n = m.pair('ab', 2, 3) return m.add(40, 2), s, n", in: env)
        XCTAssertEqual(r, [42, "AB", 3])
    }

    func testBadArgumentMessages() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "m", ["add": .sync { call in call.push(.integer(try call.integer(1) + call.integer(2))) }])
        let e = await assertLuaError(.runtime, "bad argument #2 to 'm.add' (number expected, got string)") {
            try await rt.load("\nreturn m.add(1, 'x')", chunkName: "plugins/p.lua", in: env)
        }
        XCTAssertEqual(e?.message, "plugins/p.lua:2: bad argument #2 to 'm.add' (number expected, got string)")
    }

    func testSwiftErrorIsCatchableWithPcall() async throws {
        let (rt, env) = try await makeRuntime()
        struct Oops: Error {}
        await rt.register(module: "m", [
            "fail": .sync { _ in throw HostError("vendor unreachable") },
            "failTable": .sync { _ in throw HostError(value: ["message": "rate limited", "retryable": true]) },
            "failOther": .sync { _ in throw Oops() },
            "afail": .async { _, _ in throw HostError("async nope") },
        ])
        let r = try await rt.evaluate("""
            local ok1, e1 = pcall(function() local r = m.fail() return r end)
            local ok2, e2 = pcall(m.failTable)
            local ok3, e3 = pcall(m.failOther)
            local ok4, e4 = pcall(function() local r = m.afail() return r end)
            local ok5, e5 = pcall(m.fail)
            return ok1, e1, ok2, e2.retryable, e2.message, ok3, type(e3), ok4, e4, ok5, e5
            """, in: env)
        XCTAssertEqual(r[0], false)
        XCTAssertEqual(r[1], "evaluate:1: vendor unreachable")
        XCTAssertEqual(r[2], false)
        XCTAssertEqual(r[3], true)
        XCTAssertEqual(r[4], "rate limited")
        XCTAssertEqual(r[5], false)
        XCTAssertEqual(r[6], "string")
        XCTAssertEqual(r[7], false)
        XCTAssertEqual(r[8], "evaluate:4: async nope")
        // called directly by pcall (a C function) there is no Lua line to name, as with Lua's own
        XCTAssertEqual(r[9], false)
        XCTAssertEqual(r[10], "vendor unreachable")
        // uncaught: reaches Swift as a runtime LuaError with the value
        let e = await assertLuaError(.runtime, "rate limited") { try await rt.evaluate("m.failTable()", in: env) }
        XCTAssertEqual(e?.value["retryable"], true)
    }

    func testAsyncHostFunction() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "t", [
            "later": .async { args, _ in
                try await Task.sleep(nanoseconds: 1_000_000)
                return [.integer((args[0].intValue ?? 0) * 2), "done"]
            },
        ])
        let r = try await rt.evaluate("local a, b = t.later(21) local c = t.later(a) return a, b, c", in: env)
        XCTAssertEqual(r, [42, "done", 84])
    }

    func testContextIsTheOwningCall() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "h", [
            "who": .sync { call in call.push(.string(LuaString((call.context as? Owner)?.name ?? "none"))) },
            "awho": .async { _, ctx in
                try await Task.sleep(nanoseconds: 2_000_000)
                return [.string(LuaString((ctx as? Owner)?.name ?? "none"))]
            },
        ])
        let f = try await rt.evaluate("""
            return function()
              local gen = coroutine.wrap(function()
                local inner = coroutine.wrap(function() coroutine.yield(h.awho() .. "/" .. h.who()) end)
                coroutine.yield(inner())
                coroutine.yield(h.awho())
              end)
              return h.who(), h.awho(), gen(), gen()
            end
            """, in: env)[0].functionValue!
        async let a = rt.call(f, [], context: Owner(name: "dragonpass"))
        async let b = rt.call(f, [], context: Owner(name: "pagos"))
        let (ra, rb) = try await (a, b)
        XCTAssertEqual(ra, ["dragonpass", "dragonpass", "dragonpass/dragonpass", "dragonpass"])
        XCTAssertEqual(rb, ["pagos", "pagos", "pagos/pagos", "pagos"])
    }

    func test200AsyncCallsAreInFlightAtOnce() async throws {
        let (rt, env) = try await makeRuntime()
        let gate = Gate(expected: 200)
        await rt.register(module: "wait", [
            "release": .async { args, _ in
                await gate.arrive()
                return [.integer((args[0].intValue ?? -1) * 10)]
            },
        ])
        let f = try await rt.evaluate("return function(i) local r = wait.release(i) return r + 1, i end", in: env)[0].functionValue!
        let results = try await withThrowingTaskGroup(of: (Int, [LuaValue]).self) { group in
            for i in 0..<200 {
                group.addTask { (i, try await rt.call(f, [.integer(Int64(i))])) }
            }
            // Watchdog: if the calls were serialised the gate would never open.
            group.addTask {
                try await Task.sleep(nanoseconds: 60_000_000_000)
                throw LuaError(kind: .runtime, message: "timed out: calls are not in flight concurrently")
            }
            var out: [Int: [LuaValue]] = [:]
            while out.count < 200, let (i, r) = try await group.next() { out[i] = r }
            group.cancelAll()
            return out
        }
        let maxWaiting = await gate.maxWaiting
        XCTAssertEqual(maxWaiting, 200)
        for i in 0..<200 {
            XCTAssertEqual(results[i], [.integer(Int64(i * 10 + 1)), .integer(Int64(i))])
        }
    }

    func testCoroutineWrapWithHostCallsInside() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "net", [
            "fetch": .async { args, _ in
                try await Task.sleep(nanoseconds: 500_000)
                return [.string(LuaString("page" + (args[0].stringValue ?? "")))]
            },
            "sfetch": .sync { call in call.push(.string(LuaString("s" + (try call.string(1))))) },
        ])
        let r = try await rt.evaluate("""
            local pages = coroutine.wrap(function()
              for i = 1, 3 do
                coroutine.yield(net.fetch(tostring(i)), net.sfetch(tostring(i)))
              end
              return "end"
            end)
            local out = {}
            for i = 1, 3 do local a, b = pages() out[#out + 1] = a .. ":" .. b end
            out[#out + 1] = pages()
            -- coroutine.resume directly, nested two levels, with a yield of its own
            local co = coroutine.create(function(x)
              local inner = coroutine.create(function() return net.fetch("in") end)
              local ok, v = coroutine.resume(inner)
              local y = coroutine.yield(x + 1, v)
              return net.fetch(y)
            end)
            local ok1, a, b = coroutine.resume(co, 1)
            local ok2, c = coroutine.resume(co, "Z")
            out[#out + 1] = tostring(ok1) .. a .. b .. tostring(ok2) .. c .. coroutine.status(co)
            return table.concat(out, ",")
            """, in: env)
        XCTAssertEqual(r, ["page1:s1,page2:s2,page3:s3,end,true2pageintruepageZdead"])
    }

    func testAsyncInsideTableSortComparatorFailsClearly() async throws {
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "net", ["cmp": .async { _, _ in [true] }])
        let e = await assertLuaError(.runtime, "async host function 'net.cmp' cannot be called here: Lua cannot yield") {
            try await rt.evaluate("local t = {3, 1, 2} table.sort(t, function(a, b) return net.cmp(a, b) end) return t", in: env)
        }
        XCTAssertTrue(e?.message.contains("table.sort comparator") ?? false)
        // through a script coroutine inside the comparator: same clear error, caught by pcall
        let r = try await rt.evaluate("""
            local t = {3, 1, 2}
            return pcall(table.sort, t, function(a, b)
              return coroutine.wrap(function() return net.cmp(a, b) end)()
            end)
            """, in: env)
        XCTAssertEqual(r[0], false)
        XCTAssertTrue(r[1].stringValue?.contains("async host function 'net.cmp' cannot be called here") ?? false, "\(r[1])")
        // a metamethod called from C (tostring's __tostring) cannot yield either
        await assertLuaError(.runtime, "cannot be called here") {
            try await rt.evaluate("return tostring(setmetatable({}, { __tostring = function() return net.cmp() end }))", in: env)
        }
        // ... but one the VM calls (__index) can, in Lua 5.4
        let idx = try await rt.evaluate("local t = setmetatable({}, { __index = function() return net.cmp() end }) return t.x", in: env)
        XCTAssertEqual(idx, [true])
        // and the runtime is fine afterwards
        let ok = try await rt.evaluate("return net.cmp()", in: env)
        XCTAssertEqual(ok, [true])
    }

    func testYieldOutsideACoroutineIsAnError() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "yielded outside a coroutine") {
            try await rt.evaluate("coroutine.yield(1)", in: env)
        }
        let r = try await rt.evaluate("return 'ok'", in: env)
        XCTAssertEqual(r, ["ok"])
    }

    func testScriptCannotResumeAHostCallsCoroutine() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("local co = coroutine.running() return coroutine.resume(co)", in: env)
        XCTAssertEqual(r[0], false)
        XCTAssertTrue(r[1].stringValue?.contains("host call's coroutine") ?? false)
    }

    func testAsyncHostFunctionCanCallBackIntoTheRuntime() async throws {
        let (rt, env) = try await makeRuntime()
        let helper = try await rt.evaluate("return function(x) return x * 3 end", in: env)[0].functionValue!
        await rt.register(module: "h", [
            "triple": .async { [rt] args, ctx in
                try await rt.call(helper, args, context: ctx)
            },
        ])
        let r = try await rt.evaluate("return h.triple(14)", in: env)
        XCTAssertEqual(r, [42])
    }

    func testModulesAreCopiedPerEnvironment() async throws {
        let rt = try LuaRuntime(limits: LuaLimits())
        let a = await rt.newEnvironment(name: "a")
        await rt.register(module: "m", ["one": .sync { $0.push(1) }])
        let b = await rt.newEnvironment(name: "b")
        try await rt.setModuleValue(module: "m", key: "version", value: "1.2")
        // registered after `a` was made: still visible there
        let ra = try await rt.evaluate("m.one = nil return type(m.one), m.version", in: a)
        XCTAssertEqual(ra, ["nil", "1.2"])
        let rb = try await rt.evaluate("return m.one(), m.version", in: b)
        XCTAssertEqual(rb, [1, "1.2"])
    }
}

final class HostGlobalTests: XCTestCase {
    func testGlobalHostFunctionInEveryEnvironment() async throws {
        let rt = try LuaRuntime(limits: LuaLimits())
        let a = await rt.newEnvironment(name: "a")
        let lines = UnsafeSendableBox<[String]>([])
        await rt.register(global: "print", .sync { call in
            lines.value.append(try (1...max(call.count, 1)).map { try call.string($0) }.joined(separator: "\t"))
        })
        let b = await rt.newEnvironment(name: "b")
        _ = try await rt.evaluate("print('from a', 1)", in: a)
        _ = try await rt.evaluate("print('from b') print = nil", in: b)
        _ = try await rt.evaluate("print('a again')", in: a)
        XCTAssertEqual(lines.value, ["from a\t1", "from b", "a again"])
    }
}

final class HostPushTests: XCTestCase {
    func testAValueThatCannotBePushedIsALuaError() async throws {
        let (other, oenv) = try await makeRuntime()
        let foreign = try await other.evaluate("return function() end", in: oenv)[0]
        let (rt, env) = try await makeRuntime()
        await rt.register(module: "m", [
            "bad": .sync { call in call.push(1); call.push(foreign) },
            "good": .sync { call in call.push("fine") },
        ])
        let r = try await rt.evaluate("local ok, e = pcall(m.bad) return ok, e, m.good()", in: env)
        XCTAssertEqual(r[0], false)
        XCTAssertTrue(r[1].stringValue?.contains("another Lua runtime") ?? false, "\(r[1])")
        XCTAssertEqual(r[2], "fine")
    }
}
