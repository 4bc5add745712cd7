import ErasureHost
import Foundation
import LuaBridge

/// N concurrent calls, each awaiting an async host function (a 50 ms timer): elapsed and peak RSS.
enum CoroutinesBench {
    static func run(_ args: [String]) async throws {
        let count = option("--count", in: args, default: 10_000)
        let sleepMs = option("--sleep-ms", in: args, default: 50)
        let rt = try LuaRuntime(limits: LuaLimits())
        await rt.register(module: "timer", ["sleep": .async { args, _ in
            try await Task.sleep(nanoseconds: UInt64(args.first?.intValue ?? 0) * 1_000_000)
            return [.boolean(true)]
        }])
        let env = await rt.newEnvironment(name: "bench")
        let f = try await rt.load(PackageResources.coroutine_sleep_lua, chunkName: "=coroutine_sleep.lua", in: env)[0]
            .functionValue!
        let rssBefore = peakRSSBytes() ?? 0
        let start = ContinuousClock.now
        let sum = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<count {
                group.addTask {
                    let r = try await rt.call(f, [.integer(Int64(i)), .integer(Int64(sleepMs))])
                    return r.first?.intValue ?? -1
                }
            }
            var s: Int64 = 0
            for try await v in group { s += v }
            return s
        }
        let elapsed = ContinuousClock.now - start
        let expected = Int64(count) * Int64(count - 1)
        guard sum == expected else { throw BenchError("wrong results: sum \(sum), expected \(expected)") }
        let ms = elapsed.seconds * 1000
        let peak = peakRSSBytes() ?? 0
        let lua = await rt.memoryInUse
        print(String(format: "  %d concurrent calls awaiting a %d ms timer: %.0f ms elapsed", count, sleepMs, ms))
        print(String(format: "  peak RSS %.1f MB (%.1f MB before the calls; goal < 100 MB); Lua heap now %.1f MB",
                     Double(peak) / 1048576, Double(rssBefore) / 1048576, Double(lua) / 1048576))
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
