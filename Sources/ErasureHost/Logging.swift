import Foundation
import Logging

/// A swift-log handler that writes one line per message to stderr (or any sink) with every
/// secret the redactor knows replaced by `***` — message, metadata and source alike — so no
/// secret can leave through logs. Line: `2025-01-31T09:15:02.123Z warning [cubicasa] message key=value`.
public struct RedactingLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let redactor: Redactor
    private let sink: @Sendable (String) -> Void

    /// `sink` receives each finished line (with its newline); the default writes to stderr.
    public init(label: String, redactor: Redactor, logLevel: Logger.Level = .info,
                sink: @escaping @Sendable (String) -> Void = RedactingLogHandler.stderr)
    {
        self.label = label
        self.redactor = redactor
        self.logLevel = logLevel
        self.sink = sink
    }

    public static let stderr: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let plugin = all.removeValue(forKey: "plugin").map { "[\($0)] " } ?? ""
        let rest = all.isEmpty ? "" : " " + all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        let line = "\(HostHelpers.iso8601(Date())) \(event.level) \(plugin)\(event.message)\(rest)"
        sink(redactor.redact(line) + "\n")
    }
}

public enum HostLog {
    /// The logger a plugin's `ctx.log` writes to: `plugin` metadata set, output redacted.
    public static func logger(plugin: String, redactor: Redactor, level: Logger.Level = .info,
                              sink: @escaping @Sendable (String) -> Void = RedactingLogHandler.stderr) -> Logger
    {
        var logger = Logger(label: "erasure.plugin.\(plugin)") { label in
            RedactingLogHandler(label: label, redactor: redactor, logLevel: level, sink: sink)
        }
        logger[metadataKey: "plugin"] = "\(plugin)"
        return logger
    }
}
