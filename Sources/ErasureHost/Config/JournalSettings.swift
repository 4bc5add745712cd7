import Foundation
import TOMLKit

/// `[journal]` of erasure.toml:
///
///     [journal]
///     key = "env:ERASURE_JOURNAL_KEY"   # or "file:PATH" (relative to the config); the key of the
///                                       # journal's pseudonyms. Without it: a key file next to the journal.
///     clear_identities = false          # true keeps identities in clear (recorded in each run)
public struct JournalSettings: Sendable, Equatable {
    /// `env:NAME` or `file:ABSOLUTE-PATH`; nil when not configured.
    public var key: String?
    public var clearIdentities = false

    public init(key: String? = nil, clearIdentities: Bool = false) {
        self.key = key
        self.clearIdentities = clearIdentities
    }

    static func parse(_ table: TOMLTable, directory: String) -> (JournalSettings, [ConfigError.Problem]) {
        var settings = JournalSettings()
        var problems: [ConfigError.Problem] = []
        for name in table.keys.sorted() {
            let value = table[name]!
            switch name {
            case "key":
                guard let text = value.string, text.hasPrefix("env:") || text.hasPrefix("file:"),
                      text.count > (text.hasPrefix("env:") ? 4 : 5) else {
                    problems.append(.init(table: "journal", key: name, message:
                        "expected \"env:NAME\" or \"file:PATH\" (the key is a secret: never a literal)"))
                    continue
                }
                if text.hasPrefix("file:") && !text.hasPrefix("file:/") {
                    settings.key = "file:" + (directory as NSString).appendingPathComponent(String(text.dropFirst(5)))
                } else {
                    settings.key = text
                }
            case "clear_identities":
                guard let flag = value.bool else {
                    problems.append(.init(table: "journal", key: name, message: "expected true or false"))
                    continue
                }
                settings.clearIdentities = flag
            default:
                let hint = closestMatch(name, in: ["key", "clear_identities"]).map { "; did you mean \($0)?" } ?? ""
                problems.append(.init(table: "journal", key: name, message: "unknown key\(hint)"))
            }
        }
        return (settings, problems)
    }
}
