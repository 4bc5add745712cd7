import XCTest
@testable import LuaBridge

/// Calls share one Lua state in time slices (CLuaShim/limits.c, the driver in Runtime.swift): a
/// call that computes for long pauses at the end of each slice, so it never holds up the others.
final class TimeSliceTests: XCTestCase {
    /// One call loops; others started after it still finish at once, and the loop ends at its
    /// deadline.
    func testALongCallDoesNotHoldUpTheOthers() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .seconds(4)))
        let spin = try await rt.evaluate("return function() while true do end end", in: env)[0].functionValue!
        let nested = try await rt.evaluate(
            "return function() coroutine.wrap(function() while true do collectgarbage('step') end end)() end",
            in: env)[0].functionValue!
        let start = ContinuousClock.now
        let stuck = [Task { try await rt.call(spin) }, Task { try await rt.call(nested) }]
        try await Task.sleep(nanoseconds: 100_000_000)
        for i in 1...20 {
            let r = try await within(20) { try await rt.evaluate("local n = 0 for i = 1, 1000 do n = n + i end return n + \(i)", in: env) }
            XCTAssertEqual(r, [.integer(500_500 + Int64(i))])
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3), "the others waited for the loops")
        for task in stuck {
            await assertLuaError(.deadline, "deadline exceeded") { try await within(20) { try await task.value } }
        }
    }

    /// A computation over many slices, with a script coroutine yielding its own values meanwhile,
    /// comes out exactly as without pauses.
    func testPausesAreInvisibleToTheScript() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .seconds(60), timeSlice: .microseconds(200)))
        let r = try await within(60) {
            try await rt.evaluate(#"""
                local gen = coroutine.wrap(function()
                  for i = 1, 5 do
                    local s = 0
                    for j = 1, 300000 do s = s + j % 7 end
                    coroutine.yield(i, s)
                  end
                  return "done"
                end)
                local out = {}
                for i = 1, 6 do out[#out + 1] = table.concat({ gen() }, ":") end
                local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
                local _, x = coroutine.resume(co, 1)
                for j = 1, 300000 do x = x + 0 end
                local _, y = coroutine.resume(co, 21)
                local s = 0
                for j = 1, 300000 do s = s + j % 7 end
                local want = {}
                for i = 1, 5 do want[i] = i .. ":" .. s end
                want[6] = "done"
                return table.concat(out, " ") == table.concat(want, " "), x, y, coroutine.status(co)
                """#, in: env)
        }
        XCTAssertEqual(r, [true, 2, 42, "dead"])
    }

    /// Where Lua cannot pause (a sort comparator here), a call that runs on past its hold is
    /// stopped, and the others go on.
    func testACallThatCannotPauseIsStoppedAtItsHold() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .seconds(30), holdLimit: .milliseconds(300)))
        let took = try await seconds {
            _ = try await within(20) {
                await assertLuaError(.held, "ran too long without a pause") {
                    try await rt.evaluate("table.sort({ 3, 2, 1 }, function(a, b) while true do end end)", in: env)
                }
            }
        }
        XCTAssertLessThan(took, 5)
        let r = try await rt.evaluate("return 'next call runs'", in: env)
        XCTAssertEqual(r, ["next call runs"])
    }

    /// An async host function sees how much time its call has left.
    func testAsyncHostFunctionsSeeTheTimeLeft() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .seconds(10)))
        await rt.register(module: "m", ["left": .async { _, _ in [.number(LuaCall.timeLeft?.seconds ?? -1)] }])
        let f = try await rt.evaluate("return function() return m.left() end", in: env)[0].functionValue!
        let r = try await rt.call(f, deadline: .seconds(2))
        guard case .number(let left)? = r.first else { return XCTFail("\(r)") }
        XCTAssertGreaterThan(left, 0)
        XCTAssertLessThanOrEqual(left, 2)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
