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
        let bytes = TableDigest.bytes(hex: trimmed) ?? Array(trimmed.utf8)
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
        if let reference, reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let value = environment[name], !value.isEmpty else {
                throw JournalKeyError("[journal] key = \"\(reference)\": the environment variable \(name) is not set")
            }
            return (try JournalKey(material: value, origin: reference), nil)
        }
        let path = reference.map { String($0.dropFirst("file:".count)) } ?? defaultFile(journal: journal)
        if !FileManager.default.fileExists(atPath: path) {
            guard reference == nil, create else {
                throw JournalKeyError("no journal key at \(path)" + (reference == nil
                    ? " (it is made next to the journal by the first run; or set [journal] key in erasure.toml)" : ""))
            }
            return (try generate(path), path)
        }
        return (try read(path), nil)
    }

    static func read(_ path: String) throws -> JournalKey {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            throw JournalKeyError("the journal key file \(path) may be read or written by others (mode "
                                  + String(mode & 0o777, radix: 8) + "): chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalKeyError("cannot read the journal key file \(path)")
        }
        return try JournalKey(material: String(decoding: data, as: UTF8.self), origin: path)
    }

    /// 32 random bytes, as hex, in a new file only its owner may read (created with that mode,
    /// never widened for a moment).
    static func generate(_ path: String) throws -> JournalKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let text = Digest.hex(bytes) + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw JournalKeyError("cannot create the journal key file \(path): \(String(cString: strerror(errno)))") }
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == text.utf8.count, synced else { throw JournalKeyError("cannot write the journal key file \(path)") }
        return try JournalKey(material: text, origin: path)
    }
}

public struct JournalKeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
