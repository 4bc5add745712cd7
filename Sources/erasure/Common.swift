import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The config file.", discussion: "Default: $ERASURE_CONFIG, else ./erasure.toml.",
                                            valueName: "FILE"))
    var config: String?

    @Flag(name: .long, help: "One JSON object per outcome on standard output (Contract 3), for scripts.")
    var json = false
}

/// A mistake in how the command was called (an argument, a missing person): exit 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Prints the message of a usage/config/plugin problem and exits 2 (nothing was sent).
func usageFailure(_ error: Error) -> Error {
    let text: String
    switch error {
    case let e as UsageError: text = e.description
    case let e as SetupError: text = e.description
    case let e as IdentityError: text = e.description
    case let e as ConfigError: text = e.description
    case let e as ExitCode: return e
    case let e as CleanExit: return e
    default: text = "\(error)"
    }
    FileHandle.standardError.write(Data("erasure: \(text)\n".utf8))
    return ExitCode(2)
}

func stderr(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Runs `body`; a usage error becomes exit 2 with its message.
func usage<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw usageFailure(error) }
}

/// The identity arguments, refused when one was not valid UTF-8 on the command line (Swift hands
/// it over with U+FFFD in place of the bad bytes: a different identity than the one typed).
func validUTF8(_ arguments: [String]) throws -> [String] {
    var repaired = Set<String>()
    for i in 0..<Int(CommandLine.argc) {
        guard let raw = CommandLine.unsafeArgv[i] else { continue }
        let bytes = UnsafeBufferPointer(start: raw, count: strlen(raw)).map { UInt8(bitPattern: $0) }
        if String(validating: bytes, as: UTF8.self) == nil { repaired.insert(String(decoding: bytes, as: UTF8.self)) }
    }
    if let bad = arguments.first(where: repaired.contains) {
        throw IdentityError.invalidUTF8("the argument '\(bad)'")
    }
    return arguments
}
