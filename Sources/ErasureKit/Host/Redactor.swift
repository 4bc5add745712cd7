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
        addForms(Self.forms(of: secret), secret: secret)
    }

    /// Registers the base64 of `user:pass` as it appears in a Basic `Authorization` header.
    public func addBasicPair(user: String, password: String) {
        let pair = "\(user):\(password)"
        let b64 = Data(pair.utf8).base64EncodedString()
        addForms([b64, b64.replacingOccurrences(of: "=", with: "")], secret: nil)
    }

    /// Whether `value` is a registered secret.
    public func isSecret(_ value: String) -> Bool {
        state.withLock { $0.secrets.contains(value) }
    }

    /// Number of registered secrets (not counting derived forms).
    public var count: Int { state.withLock { $0.secrets.count } }

    public var description: String { "Redactor(\(count) secrets)" }

    public func redact(_ text: String) -> String {
        let patterns = state.withLock { $0.patterns }
        guard !patterns.isEmpty, !text.isEmpty else { return text }
        var out = text
        for pattern in patterns where out.contains(pattern) {
            out = out.replacingOccurrences(of: pattern, with: Self.mask)
        }
        return out
    }

    public func redact(_ bytes: [UInt8]) -> [UInt8] {
        let patterns = state.withLock { $0.bytePatterns }
        guard !patterns.isEmpty, !bytes.isEmpty else { return bytes }
        var out = bytes
        let mask = Array(Self.mask.utf8)
        for pattern in patterns {
            out = Self.replace(pattern, with: mask, in: out)
        }
        return out
    }

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

    static func replace(_ pattern: [UInt8], with mask: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard pattern.count <= bytes.count, let first = pattern.first else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count, m = pattern.count
        while i < n {
            if bytes[i] == first, i + m <= n, bytes[i..<(i + m)].elementsEqual(pattern) {
                out.append(contentsOf: mask)
                i += m
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
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
