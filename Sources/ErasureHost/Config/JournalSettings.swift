import Foundation
import TOMLKit

/// `[journal]` of erasure.toml:
///
///     [journal]
///     key = "env:ERASURE_JOURNAL_KEY"   # or "file:PATH" (relative to the config); the key of the
///                                       # journal's pseudonyms. Without it: a key file next to the journal.
///     clear_identities = false          # true keeps identities in clear (recorded in each run)
///     signing_key = "file:PATH"         # or "env:NAME": the Ed25519 key (erasure journal keygen) that
///                                       # signs each run; without it, a key file next to the journal
public struct JournalSettings: Sendable, Equatable {
    /// `env:NAME` or `file:ABSOLUTE-PATH`; nil when not configured.
    public var key: String?
    public var clearIdentities = false
    /// Same form as `key`.
    public var signingKey: String?

    public init(key: String? = nil, clearIdentities: Bool = false, signingKey: String? = nil) {
        self.key = key
        self.clearIdentities = clearIdentities
        self.signingKey = signingKey
    }

    static func parse(_ table: TOMLTable, directory: String) -> (JournalSettings, [ConfigError.Problem]) {
        var settings = JournalSettings()
        var problems: [ConfigError.Problem] = []
        for name in table.keys.sorted() {
            let value = table[name]!
            switch name {
            case "key", "signing_key":
                guard let text = value.string, text.hasPrefix("env:") || text.hasPrefix("file:"),
                      text.count > (text.hasPrefix("env:") ? 4 : 5) else {
                    problems.append(.init(table: "journal", key: name, message:
                        "expected \"env:NAME\" or \"file:PATH\" (the key is a secret: never a literal)"))
                    continue
                }
                let reference = text.hasPrefix("file:") && !text.hasPrefix("file:/")
                    ? "file:" + (directory as NSString).appendingPathComponent(String(text.dropFirst(5))) : text
                if name == "key" { settings.key = reference } else { settings.signingKey = reference }
            case "clear_identities":
                guard let flag = value.bool else {
                    problems.append(.init(table: "journal", key: name, message: "expected true or false"))
                    continue
                }
                settings.clearIdentities = flag
            default:
                let hint = closestMatch(name, in: ["key", "clear_identities", "signing_key"]).map { "; did you mean \($0)?" } ?? ""
                problems.append(.init(table: "journal", key: name, message: "unknown key\(hint)"))
            }
        }
        return (settings, problems)
    }
}
