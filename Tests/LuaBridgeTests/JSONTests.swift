import XCTest
@testable import LuaBridge

final class JSONTests: XCTestCase {
    func testRoundTripKeepsShapesIncludingEmpty() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("""
            local s = '{"a":[],"b":{},"c":[1,2,{"d":null}],"e":"x"}'
            local v = json.decode(s)
            return json.encode(v), #v.a, v.c[3].d == json.null, json.encode(json.decode('[]')), json.encode(json.decode('{}'))
            """, in: env)
        XCTAssertEqual(r, [#"{"a":[],"b":{},"c":[1,2,{"d":null}],"e":"x"}"#, 0, true, "[]", "{}"])
    }

    func testMarkersAndDefaults() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("""
            return json.encode(json.array{}), json.encode(json.object{}), json.encode({}),
                   json.encode({1, 2, 3}), json.encode({ z = 1, a = { b = true }, m = json.null }),
                   json.encode(json.array()), getmetatable(json.array{})
            """, in: env)
        XCTAssertEqual(r, ["[]", "{}", "{}", "[1,2,3]", #"{"a":{"b":true},"m":null,"z":1}"#, "[]", "json.array"])
    }

    func testNullIsUnique() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("""
            local v = json.decode('[null, 1]')
            return v[1] == json.null, v[1] ~= nil, #v, type(json.null), json.null == false
            """, in: env)
        XCTAssertEqual(r, [true, true, 2, "userdata", false])
        // json.null crosses into Swift as .null and back
        let f = try await rt.evaluate("return function(x) return x == json.null, json.null end", in: env)[0].functionValue!
        let r2 = try await rt.call(f, [.null])
        XCTAssertEqual(r2, [true, .null])
    }

    func testShapesCrossIntoSwift() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("return json.decode('{\"a\":[]}'), json.array{}, {}", in: env)
        XCTAssertEqual(r[0].tableValue?.shape, .object)
        XCTAssertEqual(r[0]["a"].tableValue?.shape, .array)
        XCTAssertEqual(r[1].tableValue?.shape, .array)
        XCTAssertEqual(r[2].tableValue?.shape, .unspecified)
        let f = try await rt.evaluate("return function(a, o) return json.encode(a), json.encode(o) end", in: env)[0].functionValue!
        let r2 = try await rt.call(f, [.array([]), .object([:])])
        XCTAssertEqual(r2, ["[]", "{}"])
    }

    func testExactInt64AndDoubles() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("""
            local v = json.decode('[9223372036854775807, -9223372036854775808, 9007199254740993, 1.5, 1.0, 1e300, -0.0]')
            return v[1], v[2], v[3], math.type(v[3]), v[4], math.type(v[5]), v[6], json.encode(v)
            """, in: env)
        XCTAssertEqual(Array(r[0..<7]), [.integer(.max), .integer(.min), .integer((1 << 53) + 1), "integer", 1.5, "float", 1e300])
        XCTAssertEqual(r[7], "[9223372036854775807,-9223372036854775808,9007199254740993,1.5,1.0,1e+300,-0.0]")
        let back = try JSON.decode(Array(r[7].stringValue!.utf8))
        XCTAssertEqual(back[5], .number(1.0))
        XCTAssertEqual(back[3], .integer((1 << 53) + 1))
    }

    func testIntegerBeyondInt64IsRefused() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate("return pcall(json.decode, '[1, 9223372036854775808]')", in: env)
        XCTAssertEqual(r[0], false)
        XCTAssertTrue(r[1].stringValue!.contains("invalid JSON at byte offset 4: integer 9223372036854775808 does not fit in 64 bits"), "\(r[1])")
        XCTAssertThrowsError(try JSON.decode("-9223372036854775809"))
    }

    func testUnicodeEscapesAndSurrogatePairs() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate(#"""
            local s = json.decode('"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\/ \\n\\t\\u0000end"')
            return s, #s, json.encode(s), json.encode("\1\127")
            """#, in: env)
        XCTAssertEqual(r[0].bytesValue, Array("café 😀 \"q\" \\ / \n\t\u{0}end".utf8))
        XCTAssertEqual(r[2], #""café 😀 \"q\" \\ / \n\t\u0000end""#)
        XCTAssertEqual(r[3], #""\u0001\u007f""#)
        for bad in [#""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\u12G4""#, #""\x""#] {
            XCTAssertThrowsError(try JSON.decode(bad), bad)
        }
    }

    func testDecodeErrorsGiveTheByteOffset() throws {
        let cases: [(String, Int)] = [
            (#"{"a":1,}"#, 7), ("[1 2]", 3), (#"{"a" 1}"#, 5), ("", 0), ("[1,2", 4), ("01", 0),
            ("tru", 0), (#"{"a":1} x"#, 8), ("[\"a\u{1}\"]", 3), ("nul", 0),
        ]
        for (text, offset) in cases {
            do {
                _ = try JSON.decode(text)
                XCTFail("\(text) decoded")
            } catch let e as JSONError {
                XCTAssertEqual(e.offset, offset, "\(text): \(e.message)")
                XCTAssertTrue(e.message.contains("byte offset \(offset)"), e.message)
            }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        XCTAssertThrowsError(try JSON.decode(deep))
    }

    func testDecodeErrorInLuaNamesTheOffset() async throws {
        let (rt, env) = try await makeRuntime()
        await assertLuaError(.runtime, "json.decode: invalid JSON at byte offset 7") {
            try await rt.load("return json.decode('{\"a\":1,}')", chunkName: "plugins/j.lua", in: env)
        }
    }

    func testEncodeRefusals() async throws {
        let (rt, env) = try await makeRuntime()
        let cases = [
            ("json.encode(0/0)", "NaN and infinity"),
            ("json.encode(math.huge)", "NaN and infinity"),
            ("json.encode({[true] = 1})", "non-string key true"),
            ("json.encode({[1.5] = 1})", "non-string key 1.5"),
            ("json.encode({1, 2, x = 3})", "mixes array items"),
            ("json.encode({[1] = 1, [3] = 3})", "mixes array items"),
            ("json.encode(print or type)", "cannot encode a function"),
            ("json.encode('\\255')", "not valid UTF-8"),
            ("local t = {} t.t = t json.encode(t)", "cycle"),
            ("json.encode(json.object{1})", "json.object with array items"),
        ]
        for (code, fragment) in cases {
            await assertLuaError(.runtime, fragment) { try await rt.evaluate(code, in: env) }
        }
    }

    func testSwiftAPISortsKeys() throws {
        let v: LuaValue = .object(["b": 1, "a": .array([.null, "x", 2.5]), "c": .object([:])])
        XCTAssertEqual(try JSON.encodeString(v), #"{"a":[null,"x",2.5],"b":1,"c":{}}"#)
        XCTAssertEqual(try JSON.decode(JSON.encode(v)), v)
    }
}
