import Crypto
import ErasureHost
import Foundation

/// The journal key: the HMAC-SHA-256 key of the pseudonyms that stand for identities in the
/// journal (`Pseudonyms`). Configured as `[journal] key = "env:NAME" | "file:PATH"`; otherwise
/// it lives in a file next to the journal (`<journal>.key`), generated on first use. A key file
/// that others may read or write is refused: whoever holds the key can test a guess of who is in
/// the journal.
public struct JournalKey: Sendable {
    let key: SymmetricKey
    /// Where it came from: `env:NAME` or the file's path.
    public let origin: String
    /// Names the key without revealing it (recorded in each run, so a wrong key is told apart from
    /// a person who is not there).
    public let id: String

    /// `bytes` of at least 32; a text of hex digits is the bytes it spells.
    public init(material text: String, origin: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = Hex.decode(trimmed) ?? Array(trimmed.utf8)
        guard bytes.count >= 32 else {
            throw JournalKeyError("the journal key from \(origin) is too short: it needs at least 32 bytes "
                                  + "(64 hex digits); erasure makes one when no key is configured")
        }
        key = SymmetricKey(data: bytes)
        self.origin = origin
        id = String(Digest.hex(SHA256.hash(data: Array("erasure-journal-key-id".utf8) + bytes)).prefix(16))
    }

    /// `⟨email:3f9a1c…⟩` for `email=…`; a scoped key (`gafapay.id`) counts as its bare name (`id`),
    /// so a person is found whichever way they were given.
    public func pseudonym(key name: String, value: String) -> String {
        let bare = name.split(separator: ".").last.map(String.init) ?? name
        let mac = HMAC<SHA256>.authenticationCode(for: Array((bare + "=" + value).utf8), using: key)
        return "⟨" + bare + ":" + Digest.hex(mac).prefix(24) + "⟩"
    }

    /// The keyed digest of a text (what stands for an identity's SHA-256, which anyone could recompute).
    public func digest(_ text: String) -> String {
        Digest.hex(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
    }

    /// Where a journal's own key file is.
    public static func defaultFile(journal: String) -> String { journal + ".key" }

    /// The key `reference` names (`env:NAME`, `file:PATH`), or else the journal's own key file,
    /// created when missing and `create` (then `generated` is its path: tell the operator).
    public static func load(reference: String?, journal: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            create: Bool) throws -> (key: JournalKey, generated: String?) {
        let what = "journal key"
        if let reference {
            let (text, origin) = try KeyFile.resolve(reference, what: what, environment: environment)
            return (try JournalKey(material: text, origin: origin), nil)
        }
        let path = defaultFile(journal: journal)
        if FileManager.default.fileExists(atPath: path) {
            return (try JournalKey(material: try KeyFile.read(path, what: what), origin: path), nil)
        }
        guard create else {
            throw JournalKeyError("no journal key at \(path) (the first run makes it next to the journal; "
                                  + "or set [journal] key in erasure.toml)")
        }
        let text = Digest.hex(KeyFile.randomBytes()) + "\n"
        try KeyFile.create(path, text, what: what)
        return (try JournalKey(material: text, origin: path), path)
    }
}
