import ErasureHost
import Foundation
import GRDB

/// Which steps and receipts `show` and `export` cover: every condition given must hold.
public struct JournalFilter: Sendable, Hashable {
    public var run: RunID?
    /// A person, by identity (`KEY=VALUE` pairs, each must match; see `Journal.history`).
    public var identity: [String: String] = [:]
    /// ISO 8601 bounds on the receipt's time (a step's last update): `since` inclusive, `until`
    /// exclusive; a date alone (`2026-01-31`) is that day's start, UTC.
    public var since: String?
    public var until: String?
    public var vendor: String?
    public var outcome: String?

    public init(run: RunID? = nil, identity: [String: String] = [:], since: String? = nil, until: String? = nil,
                vendor: String? = nil, outcome: String? = nil) {
        self.run = run
        self.identity = identity
        self.since = since
        self.until = until
        self.vendor = vendor
        self.outcome = outcome
    }

    public var isEmpty: Bool { self == JournalFilter() }

    /// A WHERE condition over `steps` (`time` = `updated_at`) or `receipts` (`time`), with its
    /// arguments. The person's pseudonyms are recomputed under `key`.
    func condition(timeColumn: String, key: JournalKey?) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for (name, value) in identity.sorted(by: { $0.key < $1.key }) {
            let bare = name.split(separator: ".").last.map(String.init) ?? name
            // In clear: the value as a JSON string after its key (scoped or not) in the identity JSON.
            var alternatives = ["instr(person_json, ?) > 0"]
            arguments.append("\(bare)\":" + JSONText.string(value))
            if let key {
                alternatives.append("instr(person_json, ?) > 0")
                arguments.append(JSONText.string(key.pseudonym(key: name, value: value)))
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        for (column, value) in [("run_id", run?.rawValue), ("vendor", vendor), ("outcome", outcome)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            arguments.append(value)
        }
        if let since {
            conditions.append("\(timeColumn) >= ?")
            arguments.append(since)
        }
        if let until {
            conditions.append("\(timeColumn) < ?")
            arguments.append(until)
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), StatementArguments(arguments))
    }

    /// A time bound as given on the command line: `YYYY-MM-DD` or ISO 8601; nil when it is neither.
    public static func time(_ text: String) -> String? {
        if text.count == 10, (try? Date(text + "T00:00:00Z", strategy: .iso8601)) != nil { return text }
        guard let date = (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) else { return nil }
        return JournalTime.string(date)
    }
}
