// erasure-bench: benchmarks, one file per benchmark, dispatched on argv[1].
// Run through scripts/bench (release build). Not a test: prints numbers, asserts nothing.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.first ?? ""
let rest = Array(arguments.dropFirst())

do {
    switch command {
    case "batch": try await benchBatch(rest)
    default:
        FileHandle.standardError.write(Data("usage: erasure-bench batch [options]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("erasure-bench \(command): \(error)\n".utf8))
    exit(1)
}
