import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation
import Logging

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The config file.", discussion: "Default: $ERASURE_CONFIG, else ./erasure.toml.",
                                            valueName: "FILE"))
    var config: String?

    @Flag(name: .long, help: "One JSON object per outcome on standard output (Contract 3), for scripts.")
    var json = false

    @Flag(name: .shortAndLong, help: ArgumentHelp(
        "More log lines on standard error: -v info, -vv debug, -vvv trace.",
        discussion: "Host lines (requests held back, retries) and plugins' ctx.log lines, secrets redacted."))
    var verbose: Int

    @Option(name: .long, help: ArgumentHelp(
        "The least severe log line shown: trace, debug, info, notice, warning, error, critical.",
        discussion: "Default: $ERASURE_LOG, else warning (or what -v says).", valueName: "LEVEL"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level \(logLevel): one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// --log-level, else -v (each one a level more), else $ERASURE_LOG, else warning.
    func level(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
        if let logLevel { return Logger.Level(rawValue: logLevel) ?? .warning }
        if verbose > 0 { return [Logger.Level.info, .debug, .trace][min(verbose, 3) - 1] }
        if let env = environment["ERASURE_LOG"], !env.isEmpty {
            guard let level = Logger.Level(rawValue: env.lowercased()) else {
                throw UsageError("ERASURE_LOG=\(env): one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return level
        }
        return .warning
    }

    func engineOptions(dryRun: Bool, concurrency: Int, locator: PluginLocator = .standard(),
                       fixtures: FixtureRecorder? = nil) throws -> EngineOptions {
        var o = EngineOptions()
        o.fixtures = fixtures
        o.configPath = config
        o.dryRun = dryRun
        o.concurrency = concurrency
        o.locator = locator
        o.logLevel = try level()
        return o
    }
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
