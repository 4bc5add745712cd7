import ErasureHost
import Foundation
import LuaBridge

/// Calls/second of a Lua loop calling a no-op Swift (sync) host function, against the same loop
/// calling a no-op C function registered with lua_pushcfunction (the floor).
enum HostCallBench {
    static func run(_ args: [String]) async throws {
        let calls = option("--calls", in: args, default: 20_000_000)
        let rt = try LuaRuntime(limits: LuaLimits())
        await rt.register(module: "swift", ["noop": .sync { _ in }])
        await rt._registerNoopCFunction(module: "c", name: "noop")
        let env = await rt.newEnvironment(name: "bench")
        let loop = try await rt.load(PackageResources.host_call_loop_lua, chunkName: "=host_call_loop.lua", in: env)[0]
        let fns = try await rt.evaluate("return c.noop, swift.noop", in: env)
        let loopFn = loop.functionValue!

        func measure(_ f: LuaValue) async throws -> Double {
            _ = try await rt.call(loopFn, [f, .integer(Int64(calls / 10))])  // warm-up
            let start = ContinuousClock.now
            _ = try await rt.call(loopFn, [f, .integer(Int64(calls))])
            let d = ContinuousClock.now - start
            return d.seconds
        }
        // `--only c|swift`: one side only (e.g. under `perf stat`, to compare instruction counts)
        if let i = args.firstIndex(of: "--only"), i + 1 < args.count {
            let t = try await measure(args[i + 1] == "c" ? fns[0] : fns[1])
            print(String(format: "  %@ no-op: %.1f ns/call", args[i + 1], t / Double(calls) * 1e9))
            return
        }
        // interleave to spread noise; keep the best of five
        var cBest = Double.infinity, swiftBest = Double.infinity
        for _ in 0..<5 {
            cBest = min(cBest, try await measure(fns[0]))
            swiftBest = min(swiftBest, try await measure(fns[1]))
        }
        let cRate = Double(calls) / cBest
        let swiftRate = Double(calls) / swiftBest
        print(String(format: "  C no-op (floor):    %6.1f M calls/s  (%.1f ns/call)", cRate / 1e6, cBest / Double(calls) * 1e9))
        print(String(format: "  Swift no-op (sync): %6.1f M calls/s  (%.1f ns/call)", swiftRate / 1e6, swiftBest / Double(calls) * 1e9))
        print(String(format: "  ratio Swift/C time: %.2fx   (goal <= 1.5x)", swiftBest / cBest))
    }
}
