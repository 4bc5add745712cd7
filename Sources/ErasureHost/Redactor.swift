import Foundation

/// Replaces every secret value with `***` wherever it could surface: logs, errors, outcome
/// messages, `--json`, the journal, planned request bodies, vendor answers echoed back, URLs.
///
/// Built from every resolved secret value; each secret is also matched in the forms it takes on
/// the wire: base64 (Basic auth), base64url, percent-encoded (URL path and query, form bodies)
/// and JSON-escaped. A `user:pass` pair used for Basic auth is registered with `addBasicPair`,
/// because the base64 of the pair does not contain the base64 of the password on its own.
/// Tokens obtained at run time (OAuth2 access tokens, signed JWTs) are added with `add`.
///
/// A reference type shared by every user of one run (thread-safe): adding a secret once makes
/// every later redaction hide it.
public final class Redactor: Sendable, CustomStringConvertible {
    public static let mask = "***"

    private struct State {
        var secrets: Set<String> = []
        var patterns: [String] = []           // every form, longest first
        var bytePatterns: [[UInt8]] = []
        var patternSet: Set<String> = []
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
        // a known secret costs one lookup, not its forms re-derived and every pattern re-sorted.
        if state.withLock({ $0.secrets.contains(secret) }) { return }
        addForms(Self.forms(of: secret), secret: secret)
    }

    /// Registers the base64 of `user:pass` as it appears in a Basic `Authorization` header.
    public func addBasicPair(user: String, password: String) {
        let pair = "\(user):\(password)"
        let b64 = Data(pair.utf8).base64EncodedString()
        if state.withLock({ $0.patternSet.contains(b64) }) { return }
        addForms([b64, b64.replacingOccurrences(of: "=", with: "")], secret: nil)
    }

    /// Whether `value` is a registered secret.
    public func isSecret(_ value: String) -> Bool {
        state.withLock { $0.secrets.contains(value) }
    }

    /// Number of registered secrets (not counting derived forms).
    public var count: Int { state.withLock { $0.secrets.count } }

    public var description: String { "Redactor(\(count) secrets)" }

    /// Matches on the UTF-8 bytes (as `redact(_: [UInt8])` does), longest pattern first. Every URL,
    /// message and outcome of a run goes through here, so no Foundation string search (which was
    /// ~8 % of a batch's CPU). A byte match hides at least what a Character match would.
    public func redact(_ text: String) -> String {
        let patterns = state.withLock { $0.bytePatterns }
        guard !patterns.isEmpty, !text.isEmpty else { return text }
        var out = Array(text.utf8)
        var changed = false
        for pattern in patterns where Self.firstMatch(pattern, in: out, from: 0) != nil {
            out = Self.replace(pattern, with: Self.maskBytes, in: out)
            changed = true
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        let patterns = state.withLock { $0.bytePatterns }
        guard !patterns.isEmpty, !bytes.isEmpty else { return bytes }
        var out = bytes
        for pattern in patterns where Self.firstMatch(pattern, in: out, from: 0) != nil {
            out = Self.replace(pattern, with: Self.maskBytes, in: out)
        }
        return out
    }

    private static let maskBytes = Array(mask.utf8)

    // MARK: - internals

    private func addForms(_ forms: [String], secret: String?) {
        state.withLock { s in
            if let secret { s.secrets.insert(secret) }
            var all = Set(s.patterns)
            for f in forms where !f.isEmpty { all.insert(f) }
            s.patterns = all.sorted { a, b in
                a.utf8.count != b.utf8.count ? a.utf8.count > b.utf8.count : a < b
            }
            s.bytePatterns = s.patterns.map { Array($0.utf8) }
            s.patternSet = Set(s.patterns)
        }
    }

    static func forms(of secret: String) -> [String] {
        var forms: Set<String> = [secret]
        let data = Data(secret.utf8)
        let b64 = data.base64EncodedString()
        forms.insert(b64)
        forms.insert(b64.replacingOccurrences(of: "=", with: ""))
        let b64url = b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        forms.insert(b64url)
        let pct = URLBuilder.percentEncode(secret)
        forms.insert(pct)
        forms.insert(pct.lowercasedHexEscapes())
        forms.insert(URLBuilder.formEncode(secret))
        if let q = secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) { forms.insert(q) }
        if let p = secret.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) { forms.insert(p) }
        forms.insert(jsonEscaped(secret, escapeSlash: true))
        forms.insert(jsonEscaped(secret, escapeSlash: false))
        return Array(forms)
    }

    static func jsonEscaped(_ s: String, escapeSlash: Bool) -> String {
        // Most texts need no escape at all: return them as they are.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
                                       || (escapeSlash && $0 == UInt8(ascii: "/")) }) {
            return s
        }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += escapeSlash ? "\\/" : "/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Index of the first occurrence of `pattern` in `bytes` at or after `from`.
    static func firstMatch(_ pattern: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        let m = pattern.count, n = bytes.count
        guard m > 0, m <= n - from else { return nil }
        return bytes.withUnsafeBufferPointer { b in
            pattern.withUnsafeBufferPointer { p in
                let first = p[0], last = n - m
                var i = from
                while i <= last {
                    if b[i] == first {
                        var k = 1
                        while k < m && b[i + k] == p[k] { k += 1 }
                        if k == m { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    static func replace(_ pattern: [UInt8], with mask: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard var match = firstMatch(pattern, in: bytes, from: 0) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while true {
            out.append(contentsOf: bytes[i..<match])
            out.append(contentsOf: mask)
            i = match + pattern.count
            guard let next = firstMatch(pattern, in: bytes, from: i) else { break }
            match = next
        }
        out.append(contentsOf: bytes[i...])
        return out
    }
}

extension String {
    /// `%2F` → `%2f` (some encoders emit lower-case hex).
    fileprivate func lowercasedHexEscapes() -> String {
        var out = ""
        var it = makeIterator()
        while let c = it.next() {
            out.append(c)
            if c == "%" {
                if let a = it.next() { out.append(Character(a.lowercased())) }
                if let b = it.next() { out.append(Character(b.lowercased())) }
            }
        }
        return out
    }
}
