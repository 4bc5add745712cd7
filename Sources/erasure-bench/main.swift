// erasure-bench: benchmarks, one file per benchmark, dispatched on argv[1].
// Run through scripts/bench (release build). Not a test: prints numbers, asserts nothing.
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? ""
let rest = Array(arguments.dropFirst())

MallocTuning.apply()   // as erasure does
do {
    switch command {
    case "hostcall": try await HostCallBench.run(rest)
    case "coroutines": try await CoroutinesBench.run(rest)
    case "sandbox-rps": try await benchSandboxRPS()
    case "batch": try await benchBatch(rest)
    case "journal": try await JournalBench.run(rest)
    case "patterns": try await PatternsBench.run(rest)
    default:
        FileHandle.standardError.write(Data("usage: erasure-bench hostcall|coroutines|sandbox-rps|batch|journal|patterns [options]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("erasure-bench \(command): \(error)\n".utf8))
    exit(1)
}

/// Peak resident set size of this process (VmHWM), in bytes; nil when /proc is unavailable.
func peakRSSBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first
        return kb.map { $0 * 1024 }
    }
    return nil
}

func option(_ name: String, in args: [String], default value: Int) -> Int {
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return value
}
