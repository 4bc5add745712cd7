import Crypto
import ErasureHost
import Foundation

/// The Ed25519 key pair that signs each run's final chain head (`RunSignature`): one per
/// installation, made by `erasure journal keygen` (a private file and `FILE.pub`), named in
/// `[journal] signing_key`; else one generated next to the journal on first use. Hand the public
/// key to whoever audits: `erasure journal verify --public-key FILE.pub` then proves that the
/// chain is the one this installation signed, not one recomputed after an edit.
public struct SigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey
    public let origin: String

    public var publicKey: Curve25519.Signing.PublicKey { key.publicKey }
    public var id: String { Self.id(of: key.publicKey) }

    init(_ key: Curve25519.Signing.PrivateKey, origin: String) {
        self.key = key
        self.origin = origin
    }

    /// Names a public key: the first 16 hex digits of the SHA-256 of its 32 bytes.
    public static func id(of publicKey: Curve25519.Signing.PublicKey) -> String {
        String(Digest.sha256Hex(publicKey.rawRepresentation).prefix(16))
    }

    func sign(_ message: [UInt8]) throws -> String {
        Digest.hex(try key.signature(for: message))
    }

    /// Where a journal's own signing key is, when none is configured.
    public static func defaultFile(journal: String) -> String { journal + ".signing.key" }

    /// Writes a new key pair: `path` (private, mode 600) and `path.pub` (the public key, hex).
    public static func generate(at path: String) throws -> SigningKey {
        let key = Curve25519.Signing.PrivateKey()
        try KeyFile.create(path, Digest.hex(key.rawRepresentation) + "\n", what: "signing key")
        try KeyFile.create(path + ".pub", Digest.hex(key.publicKey.rawRepresentation) + "\n", what: "public key", mode: 0o644)
        return SigningKey(key, origin: path)
    }

    /// The key `reference` names (`env:NAME`, `file:PATH`), or else the journal's own signing key,
    /// generated when missing and `create` (then `generated` is its path).
    public static func load(reference: String?, journal: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            create: Bool) throws -> (key: SigningKey, generated: String?) {
        let what = "signing key"
        if let reference {
            let (text, origin) = try KeyFile.resolve(reference, what: what, environment: environment)
            return (try parse(text, origin: origin), nil)
        }
        let path = defaultFile(journal: journal)
        if FileManager.default.fileExists(atPath: path) {
            return (try parse(try KeyFile.read(path, what: what), origin: path), nil)
        }
        guard create else { throw JournalKeyError("no signing key at \(path)") }
        return (try generate(at: path), path)
    }

    static func parse(_ text: String, origin: String) throws -> SigningKey {
        guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
            throw JournalKeyError("\(origin) is not an erasure signing key (64 hex digits; erasure journal keygen makes one)")
        }
        return SigningKey(key, origin: origin)
    }

    /// A public key file (`FILE.pub` of keygen: 64 hex digits).
    public static func readPublicKey(_ path: String) throws -> Curve25519.Signing.PublicKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw JournalKeyError("cannot read \(path)") }
        return try publicKey(hex: String(decoding: data, as: UTF8.self), origin: path)
    }

    static func publicKey(hex: String, origin: String) throws -> Curve25519.Signing.PublicKey {
        guard let bytes = Hex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else {
            throw JournalKeyError("\(origin) is not an erasure public key (64 hex digits; erasure journal keygen makes one)")
        }
        return key
    }
}

/// The public half of a `SigningKey` (what an auditor holds).
public typealias SigningPublicKey = Curve25519.Signing.PublicKey

/// A run's signed final chain head: its last receipt (whose hash covers, through `prev_hash`,
/// every receipt before it), or the chain head when it wrote none.
public struct RunSignature: Sendable, Hashable, Codable {
    public var run: RunID
    public var headSeq: Int64
    public var headHash: String
    public var keyID: String
    public var publicKey: String
    public var signature: String

    static let version = "erasure-run-head-v1"

    /// What is signed: the version, the run, the head's seq and hash, one per line.
    static func message(run: String, seq: Int64, hash: String) -> [UInt8] {
        Array("\(version)\nrun=\(run)\nseq=\(seq)\nhash=\(hash)\n".utf8)
    }

    /// Nil when the signature holds under `key` (else the recorded public key); else what is wrong.
    public func problem(trusting key: Curve25519.Signing.PublicKey?) -> String? {
        let recorded = try? SigningKey.publicKey(hex: publicKey, origin: "the journal")
        guard let used = key ?? recorded else { return "its public key is not a key" }
        if SigningKey.id(of: used) != keyID {
            return key == nil ? "its public key is not key \(keyID)"
                : "it was signed by key \(keyID), not by the given public key \(SigningKey.id(of: used))"
        }
        guard let bytes = Hex.decode(signature, count: 64),
              used.isValidSignature(bytes, for: Self.message(run: run.rawValue, seq: headSeq, hash: headHash)) else {
            return "its signature does not hold"
        }
        return nil
    }
}
