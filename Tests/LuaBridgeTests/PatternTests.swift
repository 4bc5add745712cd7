import XCTest
@testable import LuaBridge

/// The guarded pattern functions (CLuaShim/pattern.c): a backtracking bomb ends in milliseconds
/// with "pattern too complex", and every ordinary pattern gives exactly what Lua's own gives.
final class PatternTests: XCTestCase {
    /// Finding 7: about 2^60 backtracking steps, through each of the four functions and the
    /// string methods. Each ends with a clear error, fast.
    func testBacktrackingBombEndsWithPatternTooComplex() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .seconds(60)))
        let bombs = [
            #"return ("a"):rep(60):find(("a-"):rep(30) .. "b")"#,
            #"return string.match(("a"):rep(60), ("a-"):rep(30) .. "b")"#,
            #"for m in ("a"):rep(60):gmatch(("a-"):rep(30) .. "b") do end"#,
            #"return ("a"):rep(60):gsub(("a-"):rep(30) .. "b", "x")"#,
            #"return ("a"):rep(40):find(("a*"):rep(20) .. "b")"#,
            #"return ("("):rep(20000):find("%b()")"#,
        ]
        for code in bombs {
            let took = try await seconds {
                _ = try await within(20) {
                    await assertLuaError(.runtime, "pattern too complex") { try await rt.evaluate(code, in: env) }
                }
            }
            XCTAssertLessThan(took, 2, code)
        }
        // the error is an ordinary one: the script can catch it and go on
        let r = try await rt.evaluate(#"""
            local ok, err = pcall(string.find, ("a"):rep(60), ("a-"):rep(30) .. "b")
            return ok, err:match("pattern too complex") ~= nil, ("abc"):find("b")
            """#, in: env)
        XCTAssertEqual(r, [false, true, 2, 2])
    }

    /// A plain search is linear: Lua's own is not (10^7 × 10^5 byte comparisons here).
    func testPlainFindIsLinear() async throws {
        let (rt, env) = try await makeRuntime()
        let took = try await seconds {
            let r = try await within(20) {
                try await rt.evaluate(#"""
                    local s = ("a"):rep(10000000)
                    return s:find(("a"):rep(100000) .. "b", 1, true), s:find(("a"):rep(100000), 9900001, true)
                    """#, in: env)
            }
            XCTAssertEqual(r, [.nil, 9_900_001, 10_000_000])
        }
        XCTAssertLessThan(took, 5)
    }

    /// A loop that keeps the matcher busy, bomb after bomb under pcall, ends at the deadline.
    func testBombsInALoopEndAtTheDeadline() async throws {
        let (rt, env) = try await makeRuntime(LuaLimits(deadline: .milliseconds(300)))
        let took = try await seconds {
            _ = try await within(20) {
                await assertLuaError(.deadline, "deadline exceeded") {
                    try await rt.evaluate(#"""
                        local s, p = ("a"):rep(60), ("a-"):rep(30) .. "b"
                        while true do pcall(string.find, s, p) end
                        """#, in: env)
                }
            }
        }
        XCTAssertLessThan(took, 5)
    }

    /// Ordinary patterns over large subjects stay well inside the budget (it grows with the
    /// subject).
    func testLinearPatternsOverLargeSubjects() async throws {
        let (rt, env) = try await makeRuntime()
        let r = try await rt.evaluate(#"""
            local words = ("word "):rep(800000)                     -- 4 MB
            local _, n = words:gsub("%w+", "x")
            local count = 0
            for _ in words:gmatch("%a+") do count = count + 1 end
            local trimmed = ("  " .. ("ab"):rep(500000) .. "  "):match("^%s*(.-)%s*$")
            return n, count, #trimmed, (("k=v;"):rep(100000)):find("(%w+)=(%w+);$")
            """#, in: env)
        XCTAssertEqual(r, [800_000, 800_000, 1_000_000, 399_997, 400_000, "k", "v"])
    }

    /// Differential: the guarded find, match, gmatch and gsub give exactly what Lua 5.4's own give
    /// (results and error messages), over patterns of every kind, anchors, captures, position
    /// captures, %b, %f, back-references, init positions, and malformed patterns.
    func testOrdinaryPatternsGiveWhatLuasOwnGive() async throws {
        let (rt, env) = try await makeRuntime()
        try await rt._setLuaPatternFunctions(global: "lua", in: env)
        let mismatches = try await rt.evaluate(#"""
            local subjects = { "", "hello world", "  trim me  ", "key=value; other=thing", "aaa", "(a(b)c)",
              "THE (quick) fox", "2024-01-02T03:04:05Z", "ab\0cd", "caf\195\169", ("x"):rep(300) .. "y", "a.b.c" }
            local patterns = { "", "o", "l+", "l*", "l-", "l?", "^h", "d$", "^$", ".", "%a+", "%A+", "%s*(.-)%s*$",
              "(%w+)=(%w+)", "()", "(h)(e)", "%b()", "%f[%w]%w+", "[^%s]+", "[a-c]+", "[%]]", "(a)%1", "%d%d%d%d%-%d%d",
              "x-y", ".-", "[%a_][%w_]*", "%z", "\0", "(()a)", "%", "[a", "(()", "%g+", "%p", "%x+", "%u%l*", "%c",
              "^(%a+)", "[^]]", "%1", "a.b", "%.", "(a*(.)%w(%s*))", "%f[%a]", "[]", "(", ")" }
            local inits = { 1, 2, -3, 100, 0, -100 }
            local function show(...)
              local t = table.pack(...)
              for i = 1, t.n do t[i] = type(t[i]) .. ":" .. tostring(t[i]) end
              return table.concat(t, ",", 1, t.n)
            end
            local function all(gmatch, s, p, init)
              local ok, it = pcall(gmatch, s, p, init)
              if not ok then return "error " .. it end
              local out = {}
              local ok2, err = pcall(function()
                for a, b in it do out[#out + 1] = show(a, b) if #out > 500 then break end end
              end)
              return table.concat(out, "|") .. (ok2 and "" or " error " .. err)
            end
            local mismatches = {}
            local function compare(what, a, b)
              if a ~= b then mismatches[#mismatches + 1] = what .. "\n  guarded: " .. a .. "\n  Lua's:   " .. b end
            end
            local repls = { "<%0>", "%1-%1", "%%", "%2", { hello = "HI", a = false }, function(x) return x and x:upper() end, 7 }
            for _, s in ipairs(subjects) do
              for _, p in ipairs(patterns) do
                local case = ("%q %q"):format(s, p)
                for _, init in ipairs(inits) do
                  compare("find " .. case .. " " .. init, show(pcall(string.find, s, p, init)), show(pcall(lua.find, s, p, init)))
                  compare("plain find " .. case .. " " .. init, show(pcall(string.find, s, p, init, true)),
                          show(pcall(lua.find, s, p, init, true)))
                  compare("match " .. case .. " " .. init, show(pcall(string.match, s, p, init)), show(pcall(lua.match, s, p, init)))
                  compare("gmatch " .. case .. " " .. init, all(string.gmatch, s, p, init), all(lua.gmatch, s, p, init))
                end
                compare("find method " .. case, show(pcall(function() return s:find(p) end)), show(pcall(function() return lua.find(s, p) end)))
                for r, repl in ipairs(repls) do
                  for _, max in ipairs({ 1, 2, 1000 }) do
                    compare("gsub " .. case .. " repl " .. r .. " max " .. max, show(pcall(string.gsub, s, p, repl, max)),
                            show(pcall(lua.gsub, s, p, repl, max)))
                  end
                end
              end
            end
            return table.concat(mismatches, "\n")
            """#, in: env)
        XCTAssertEqual(mismatches, [""])
    }
}
