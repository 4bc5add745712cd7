import ErasureHost
import Foundation

/// One person's identity values and the pseudonyms that replace them in everything the journal
/// stores about that person: the person's key and identity JSON, messages, vendor ids, request
/// URLs, bodies. Each value is replaced as it is, JSON-escaped and percent-encoded (the forms it
/// takes in a URL or a JSON text), longest first, so a value inside another is not half-replaced.
struct Pseudonyms: Sendable {
    /// (the form a value takes in a text, its pseudonym)
    let replacements: [(String, String)]

    init(identity: [String: String], key: JournalKey) {
        var pairs: [(String, String)] = []
        for (name, value) in identity where !value.isEmpty {
            let pseudonym = key.pseudonym(key: name, value: value)
            let escaped = String(JSONText.string(value).dropFirst().dropLast())
            var forms: Set<String> = [value, escaped, escaped.replacingOccurrences(of: "/", with: "\\/")]
            if let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
            if let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) { forms.insert(encoded) }
            pairs += forms.map { ($0, pseudonym) }
        }
        replacements = pairs.sorted { $0.0.utf8.count != $1.0.utf8.count ? $0.0.utf8.count > $1.0.utf8.count : $0.0 < $1.0 }
    }

    /// The identity of a person's canonical identity JSON (`PersonRef.identityJSON`).
    static func identity(ofJSON json: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
    }

    func apply(_ text: String) -> String {
        var text = text
        for (clear, pseudonym) in replacements where text.contains(clear) {
            text = text.replacingOccurrences(of: clear, with: pseudonym)
        }
        return text
    }
}
