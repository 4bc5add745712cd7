import XCTest
@testable import LuaBridge

final class CoreTests: XCTestCase {
    func testChunkNameAndTraceback() async throws {
        let (rt, env) = try await makeRuntime()
        let code = "local x = 1\nlocal function inner()\n  error('boom')\nend\ninner()\n"
        let e = await assertLuaError(.runtime, "plugins/x.lua:3: boom") {
            try await rt.load(code, chunkName: "plugins/x.lua", in: env)
        }
        XCTAssertEqual(e?.message, "plugins/x.lua:3: boom")
        XCTAssertTrue(e?.traceback?.contains("plugins/x.lua:5") ?? false, e?.traceback ?? "no traceback")
        XCTAssertTrue(e?.traceback?.contains("stack traceback") ?? false)
    }

    func testSyntaxErrorNamesFileAndLine() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.syntax, "plugins/bad.lua:2:") {
            try await rt.load("local a = 1\nlocal = 2\n", chunkName: "plugins/bad.lua", in: env)
        }
    }

    func testLoadFromFile() async throws {
        let (rt, env) = try await makeRuntime()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lb-\(UUID()).lua").path
        try "return { name = 'x', n = 41 + 1 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await rt.loadFile(path, chunkName: "plugins/x.lua", in: env)
        XCTAssertEqual(r.first?["name"], "x")
        XCTAssertEqual(r.first?["n"], 42)
        await assertLuaError(.syntax, "cannot read") {
            try await rt.loadFile("/nonexistent/file.lua", in: env)
        }
    }

    func testErrorTableValueIsKept() async throws {
        let (rt, env) = try await makeRuntime()
        let e = await assertLuaError(.runtime, "vendor said no") {
            try await rt.evaluate("error({ message = 'vendor said no', retryable = true })", in: env)
        }
        XCTAssertEqual(e?.value["retryable"], true)
    }

    // MARK: values

    func testIntegersAreExact() async throws {
        let (rt, env) = try await makeRuntime()
        let f = try await rt.evaluate("return function(...) local t = {} for i, v in ipairs({...}) do t[i] = math.type(v) end return t, ... end", in: env)[0].functionValue!
        let big: Int64 = (1 << 53) + 1
        let r = try await rt.call(f, [.integer(.min), .integer(.max), .integer(big), .integer(-big)])
        XCTAssertEqual(r[0], .table(LuaTable(array: ["integer", "integer", "integer", "integer"])))
        XCTAssertEqual(Array(r.dropFirst()), [.integer(.min), .integer(.max), .integer(big), .integer(-big)])
        // arithmetic stays exact in Lua
        let g = try await rt.evaluate("return function(x) return x - 1, x + 0.0 end", in: env)[0].functionValue!
        let r2 = try await rt.call(g, [.integer(big)])
        XCTAssertEqual(r2[0], .integer(1 << 53))
        XCTAssertEqual(r2[1], .number(Double(1 << 53)))  // the float conversion loses the +1, as it should
        let r3 = try await rt.evaluate("return math.maxinteger, math.mininteger, 9007199254740993", in: env)
        XCTAssertEqual(r3, [.integer(.max), .integer(.min), .integer(big)])
    }

    func testDoublesAndBooleans() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("return 1.5, 2.0, -0.25, true, false, nil", in: env)
        XCTAssertEqual(r, [.number(1.5), .number(2.0), .number(-0.25), true, false, .nil])
    }

    func testBinarySafeStrings() async throws {
        let (rt, env) = try await makeRuntime()
        let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0xFE, 0xC3, 0x28, 0x00]
        let f = try await rt.evaluate("return function(s) return s, #s, s:byte(2), s:byte(4) end", in: env)[0].functionValue!
        let r = try await rt.call(f, [.string(LuaString(bytes: bytes))])
        XCTAssertEqual(r[0].bytesValue, bytes)
        XCTAssertEqual(r[1], .integer(Int64(bytes.count)))
        XCTAssertEqual(r[2], 0)
        XCTAssertEqual(r[3], 255)
        XCTAssertNil(r[0].stringValue)  // invalid UTF-8: no String, bytes kept
        let r2 = try await rt.evaluate(#"return "x\0y\255""#, in: env)
        XCTAssertEqual(r2[0].bytesValue, [0x78, 0, 0x79, 0xFF])
    }

    func testNestedTablesRoundTrip() async throws {
        let (rt, env) = try await makeRuntime()
        let value: LuaValue = [
            "name": "ada", "tags": ["a", "b", "c"], "n": 3,
            "nested": ["deep": ["x": 1.5, "list": [1, 2, ["k": "v"]]]],
        ]
        let f = try await rt.evaluate("return function(t) return t, t.nested.deep.list[3].k, #t.tags end", in: env)[0].functionValue!
        let r = try await rt.call(f, [value])
        XCTAssertEqual(r[0], value)
        XCTAssertEqual(r[1], "v")
        XCTAssertEqual(r[2], 3)
    }

    func testSharedSubtableIsNotACycle() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("local s = {1, 2} return { a = s, b = s }", in: env)
        XCTAssertEqual(r[0]["a"], [1, 2])
        XCTAssertEqual(r[0]["b"], [1, 2])
    }

    func testCycleIsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.conversion, "cannot convert a table with a cycle") {
            try await rt.evaluate("local t = { a = { } } t.a.back = t return t", in: env)
        }
        // the same through a host function: a catchable Lua error naming the argument
        await rt.register(module: "m", ["take": .sync { call in _ = try call.argument(1) }])
        let r = try await rt.evaluate("local t = {} t[1] = t return pcall(m.take, t)", in: env)
        XCTAssertEqual(r[0], false)
        XCTAssertTrue(r[1].stringValue!.contains("bad argument #1 to 'm.take' (cannot convert a table with a cycle)"), "\(r[1])")
        // and the runtime keeps working
        let ok = try await rt.evaluate("return 1 + 1", in: env)
        XCTAssertEqual(ok, [2])
    }

    func testFunctionsComeBackAsCallableValues() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("local n = 10 return { add = function(x) n = n + x return n end }", in: env)
        let add = r[0]["add"].functionValue!
        let a = try await rt.call(add, [5])
        let b = try await rt.call(add, [5])
        XCTAssertEqual(a, [15])
        XCTAssertEqual(b, [20])
        // a function passed back into Lua is the same function
        let same = try await rt.evaluate("return function(f, g) return f == g, f(1) end", in: env)[0].functionValue!
        let r2 = try await rt.call(same, [.function(add), .function(add)])
        XCTAssertEqual(r2, [true, 21])
    }

    func testFunctionOfAnotherRuntimeIsRefused() async throws {
        let (rt1, env1) = try await makeRuntime()
        let (rt2, env2) = try await makeRuntime()
        let f = try await rt1.evaluate("return function() return 1 end", in: env1)[0]
        let g = try await rt2.evaluate("return function(x) return x end", in: env2)[0].functionValue!
        await assertLuaError(.conversion, "another Lua runtime") { try await rt2.call(g, [f]) }
        await assertLuaError(.conversion, "another Lua runtime") { try await rt2.call(f.functionValue!, []) }
    }

    func testGlobalsFromSwift() async throws {
        let (rt, env) = try await makeRuntime()
        try await rt.setGlobal("config", ["key": "v"], in: env)
        _ = try await rt.evaluate("answer = config.key .. '!'", in: env)
        let v = try await rt.global("answer", in: env)
        XCTAssertEqual(v, "v!")
    }

    func testRuntimeSurvivesDeepRecursion() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "stack overflow") {
            try await rt.evaluate("local function f(n) return f(n + 1) + 1 end return f(1)", in: env)
        }
        let r = try await rt.evaluate("return 'still fine'", in: env)
        XCTAssertEqual(r, ["still fine"])
    }
}
