import Foundation

/// Replaces every secret value with `***` wherever it could surface: logs, errors, outcome
/// messages, `--json`, the journal, planned request bodies, vendor answers echoed back, URLs.
///
/// Each secret is found as it is and base64-encoded (standard and URL-safe, padded or not, and
/// inside any longer base64 text, whatever comes before it: see `forms(of:)`), each of these
/// percent-encoded, form-encoded or JSON-escaped in any mix (`SecretMatcher` reads the escapes).
/// The base64 of a `user:password` pair is registered whole with `addBasicPairs` (the config
/// registers every pair a plugin could build from a vendor's table at start-up); tokens obtained
/// at run time (OAuth2 access tokens, signed JWTs) are added with `add`.
///
/// A reference type shared by every user of one run (thread-safe): adding a secret once makes
/// every later redaction hide it.
public final class Redactor: Sendable, CustomStringConvertible {
    public static let mask = "***"

    private struct State {
        var secrets: Set<String> = []
        var patterns: Set<[UInt8]> = []
        var matcher = SecretMatcher(patterns: [[UInt8]]())
    }

    private let state = Locked(State())

    public init(secrets: [String] = []) {
        for secret in secrets { add(secret) }
    }

    /// A redactor that hides nothing (for tests and runs without secrets).
    public static var none: Redactor { Redactor() }

    /// Registers a secret value (and its wire forms). Empty values are ignored.
    public func add(_ secret: String) {
        guard !secret.isEmpty else { return }
        // Plugins register the same credential on every request (ctx.auth.oauth2, bearer, ...):
        // a known secret costs one lookup, not its forms re-derived and the matcher rebuilt.
        if state.withLock({ $0.secrets.contains(secret) }) { return }
        addPatterns(Self.forms(of: secret), secret: secret)
    }

    /// Registers the base64 of `user:password` as it appears in a Basic `Authorization` header.
    public func addBasicPair(user: String, password: String) {
        addBasicPairs([(user, password)])
    }

    /// Registers several Basic pairs at once (one rebuild of the matcher).
    public func addBasicPairs(_ pairs: [(user: String, password: String)]) {
        var forms: [String] = []
        for (user, password) in pairs {
            let b64 = Data("\(user):\(password)".utf8).base64EncodedString()
            forms += [b64, b64.replacingOccurrences(of: "=", with: "")]
        }
        let new = forms.map { Array($0.utf8) }
        if state.withLock({ s in new.allSatisfy { s.patterns.contains($0) } }) { return }
        addPatterns(forms, secret: nil)
    }

    /// Whether `value` is a registered secret.
    public func isSecret(_ value: String) -> Bool {
        state.withLock { $0.secrets.contains(value) }
    }

    /// Number of registered secrets (not counting derived forms).
    public var count: Int { state.withLock { $0.secrets.count } }

    public var description: String { "Redactor(\(count) secrets)" }

    /// Every URL, message and outcome of a run goes through here: one pass over the UTF-8 bytes,
    /// in place (no copy) and no allocation when there is nothing to hide. Overlapping matches
    /// are hidden together; a byte match hides at least what a Character match would.
    public func redact(_ text: String) -> String {
        let matcher = state.withLock { $0.matcher }
        guard !matcher.isEmpty, !text.isEmpty else { return text }
        var contiguous = text
        let out = contiguous.withUTF8 { Self.masked($0, matcher) }
        return out.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        let matcher = state.withLock { $0.matcher }
        guard !matcher.isEmpty, !bytes.isEmpty else { return bytes }
        return bytes.withUnsafeBufferPointer { Self.masked($0, matcher) } ?? bytes
    }

    private static let maskBytes = Array(mask.utf8)

    // MARK: - internals

    /// `t` with every range the matcher finds replaced by the mask; nil when it finds none.
    private static func masked(_ t: UnsafeBufferPointer<UInt8>, _ matcher: SecretMatcher) -> [UInt8]? {
        let ranges = matcher.ranges(in: t)
        guard !ranges.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var i = 0
        for r in ranges {
            out.append(contentsOf: t[i..<r.lowerBound])
            out.append(contentsOf: maskBytes)
            i = r.upperBound
        }
        out.append(contentsOf: t[i...])
        return out
    }

    private func addPatterns(_ forms: [String], secret: String?) {
        state.withLock { s in
            if let secret { s.secrets.insert(secret) }
            let before = s.patterns.count
            for f in forms where !f.isEmpty { s.patterns.insert(Array(f.utf8)) }
            if s.patterns.count != before { s.matcher = SecretMatcher(patterns: s.patterns) }
        }
    }

    /// The written forms of a secret the matcher cannot derive by reading escapes: the secret,
    /// its base64 (standard: padded and not; URL-safe, not padded) and, for each of the three
    /// alignments the secret can have inside longer base64 text (`user:secret` in a Basic
    /// header, a JSON document encoded whole), the run of base64 characters that depends on the
    /// secret's bytes alone. Only the first or last byte or two of the secret can then show.
    static func forms(of secret: String) -> [String] {
        let bytes = Array(secret.utf8)
        let b64 = Data(bytes).base64EncodedString()
        var forms: Set<String> = [secret, b64, b64.replacingOccurrences(of: "=", with: ""), urlSafe(b64)]
        for skip in 0..<3 where bytes.count - skip >= 6 {
            let aligned = bytes[skip..<(skip + (bytes.count - skip) / 3 * 3)]
            let run = Data(aligned).base64EncodedString()
            forms.insert(run)
            forms.insert(urlSafe(run))
        }
        return Array(forms)
    }

    private static func urlSafe(_ b64: String) -> String {
        b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
