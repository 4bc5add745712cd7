import Foundation

/// Small helpers plugins see as `ctx.uuid()` and `ctx.now()`.
public enum HostHelpers {
    /// A random (version 4) UUID, lower-case, e.g. for request ids.
    public static func uuid() -> String { UUID().uuidString.lowercased() }

    public struct Timestamp: Sendable, Equatable {
        /// Seconds since 1970-01-01T00:00:00Z (fractional).
        public var epoch: Double
        /// ISO 8601 in UTC with milliseconds, e.g. `2025-01-31T09:15:02.123Z`.
        public var iso8601: String
    }

    public static func now(_ date: Date = Date()) -> Timestamp {
        Timestamp(epoch: date.timeIntervalSince1970, iso8601: iso8601(date))
    }

    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}

/// A path shown to people: relative to the working folder when inside it.
package func displayPath(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
}
