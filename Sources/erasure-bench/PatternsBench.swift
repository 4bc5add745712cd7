import ErasureHost
import Foundation
import LuaBridge

/// The guarded pattern functions (find, match, gmatch, gsub with a step budget) against Lua's
/// own, on the ordinary patterns of lua/patterns.lua: time per call of each, and the ratio.
enum PatternsBench {
    static func run(_ args: [String]) async throws {
        let calls = option("--calls", in: args, default: 200_000)
        let rt = try LuaRuntime(limits: LuaLimits())
        let env = await rt.newEnvironment(name: "bench")
        try await rt._setLuaPatternFunctions(global: "lua", in: env)
        let loaded = try await rt.load(PackageResources.patterns_lua, chunkName: "=patterns.lua", in: env)
        guard case .table(let names)? = loaded.first, case .function(let run)? = loaded.last else {
            throw BenchError("patterns.lua must return the case names and run(case, lib, n)")
        }

        func measure(_ index: Int, _ lib: String) async throws -> (Double, LuaValue) {
            let start = ContinuousClock.now
            let sum = try await rt.call(run, [.integer(Int64(index)), .string(LuaString(lib)), .integer(Int64(calls))])
            return ((ContinuousClock.now - start).seconds, sum.first ?? .nil)
        }
        var guardedTotal = 0.0, luaTotal = 0.0
        for (n, name) in names.array.enumerated() {
            var guarded = Double.infinity, own = Double.infinity
            for _ in 0..<5 {  // interleaved, best of five: 2 shared cores are noisy
                let (g, gSum) = try await measure(n + 1, "string")
                let (l, lSum) = try await measure(n + 1, "lua")
                guard gSum == lSum else { throw BenchError("\(name): the guarded result \(gSum) is not Lua's \(lSum)") }
                guarded = min(guarded, g)
                own = min(own, l)
            }
            guardedTotal += guarded
            luaTotal += own
            print("  " + name.description.padding(toLength: 16, withPad: " ", startingAt: 0)
                  + String(format: " guarded %7.1f ns/call   Lua's own %7.1f ns/call   ratio %.2fx",
                           guarded / Double(calls) * 1e9, own / Double(calls) * 1e9, guarded / own))
        }
        print(String(format: "  all cases: guarded/Lua's own time %.2fx", guardedTotal / luaTotal))
    }
}
