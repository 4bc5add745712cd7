import XCTest
@testable import LuaBridge

/// The deadline holds whatever the call is doing inside one C function of the standard library
/// (CLuaShim/guards.c), and a stopped coroutine's `__close` never runs unchecked.
final class GuardsTests: XCTestCase {
    /// Finding 8: the budget stops a coroutine with a to-be-closed variable whose `__close` loops;
    /// closing it (coroutine.close, or coroutine.wrap's own close on the error) must not run that
    /// loop with the hooks off.
    func testAStoppedCoroutinesLoopingCloseNeverRuns() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(instructionBudget: 1_000_000, deadline: .seconds(30)))
        let viaClose = #"""
            local co = coroutine.create(function()
              local guard <close> = setmetatable({}, { __close = function() while true do end end })
              while true do end
            end)
            coroutine.resume(co)
            return coroutine.close(co)
            """#
        let viaWrap = #"""
            local f = coroutine.wrap(function()
              local guard <close> = setmetatable({}, { __close = function() while true do end end })
              while true do end
            end)
            return pcall(f)
            """#
        for code in [viaClose, viaWrap] {
            _ = try await within(20) {
                await assertLuaError(.budget, "instruction budget exceeded") { try await rt.evaluate(code, in: env) }
            }
        }
        // a stopped coroutine kept by the script for a later call: closing it is refused
        _ = try await within(20) {
            await assertLuaError(.budget, "instruction budget exceeded") {
                try await rt.evaluate(#"""
                    kept = coroutine.create(function()
                      local guard <close> = setmetatable({}, { __close = function() while true do end end })
                      while true do end
                    end)
                    coroutine.resume(kept)
                    """#, in: env)
            }
        }
        let r = try await within(20) { try await rt.evaluate("return coroutine.close(kept)", in: env) }
        XCTAssertEqual(r.first, false)
        XCTAssertTrue(r.last?.description.contains("stopped by a limit") ?? false, "\(r)")
        // a coroutine that was not stopped closes as in Lua, its __close runs
        let ok = try await rt.evaluate(#"""
            local closed = false
            local co = coroutine.create(function()
              local guard <close> = setmetatable({}, { __close = function() closed = true end })
              coroutine.yield()
            end)
            coroutine.resume(co)
            return coroutine.close(co), closed
            """#, in: env)
        XCTAssertEqual(ok, [true, true])
    }

    /// A looping `__close` on a live coroutine, or run as an error unwinds a call, ends at the
    /// deadline (the call's error is then the one that unwound it).
    func testALoopingCloseEndsAtTheDeadline() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .milliseconds(300)))
        for (code, expected) in [
            (#"""
            local co = coroutine.create(function()
              local guard <close> = setmetatable({}, { __close = function() while true do end end })
              coroutine.yield()
            end)
            coroutine.resume(co)
            coroutine.close(co)
            """#, "deadline exceeded"),
            (#"""
            local guard <close> = setmetatable({}, { __close = function() while true do end end })
            error("boom")
            """#, "boom"),
        ] {
            let took = try await seconds {
                _ = try await within(20) {
                    do { _ = try await rt.evaluate(code, in: env); XCTFail("not stopped") } catch let e as LuaError {
                        XCTAssertTrue(e.message.contains(expected), e.message)
                    }
                }
            }
            XCTAssertLessThan(took, 5)
        }
    }

    /// `__gc` handlers cannot be installed at all: not in setmetatable's table, and not added to
    /// the metatable afterwards (Lua only honours a `__gc` present when the metatable is set).
    func testNoGcHandlerEverRuns() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .seconds(10)))
        await assertLuaError(.runtime, "__gc metamethods are not allowed") {
            try await rt.evaluate("setmetatable({}, { __gc = function() while true do end end })", in: env)
        }
        let r = try await within(20) {
            try await rt.evaluate(#"""
                local mt = {}
                local t = setmetatable({}, mt)
                mt.__gc = function() while true do end end
                t = nil
                collectgarbage() collectgarbage()
                return "collected"
                """#, in: env)
        }
        XCTAssertEqual(r, ["collected"])
    }

    /// Finding 9: collectgarbage() in a loop over a large heap: each call takes long for few
    /// instructions, so a check every 1000 instructions came seconds late. It ends at the deadline.
    func testCollectgarbageLoopEndsAtTheDeadline() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .milliseconds(300)))
        // Big enough that one full collection takes a while; small enough to build within the
        // deadline on a loaded machine.
        _ = try await rt.evaluate("heap = {} for i = 1, 300000 do heap[i] = { i } end", in: env)
        let took = try await seconds {
            _ = try await within(60) {
                await assertLuaError(.deadline, "deadline exceeded") {
                    try await rt.evaluate("while true do collectgarbage() end", in: env)
                }
            }
        }
        XCTAssertLessThan(took, 1.5)
    }

    /// The same for a table function whose one call is long (a move of a million slots).
    func testLongTableCallsInALoopEndAtTheDeadline() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .milliseconds(300)))
        _ = try await rt.evaluate("big = {} for i = 1, 2000000 do big[i] = i end", in: env)
        let took = try await seconds {
            _ = try await within(60) {
                await assertLuaError(.deadline, "deadline exceeded") {
                    try await rt.evaluate("while true do table.insert(big, 1, 0) table.remove(big, 1) end", in: env)
                }
            }
        }
        XCTAssertLessThan(took, 1.5)
    }

    /// The guarded library functions behave as Lua's own (errors name the function as before).
    func testGuardedFunctionsBehaveAsBefore() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate(#"""
            local t = { 3, 1, 2 }
            table.sort(t)
            table.insert(t, 4)
            local ok, err = pcall(table.insert, t, 1, 2, 3)
            return table.concat(t, ","), ("ab"):rep(3, "-"), utf8.len("caf\195\169"), select(2, load("return 7"))  == nil,
                   err, string.format("%5.1f", 2.25), collectgarbage("count") > 0
            """#, in: env)
        XCTAssertEqual(r, ["1,2,3,4", "ab-ab-ab", 4, true, "wrong number of arguments to 'insert'", "  2.2", true])
    }
}
