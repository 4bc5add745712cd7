import Foundation
import XCTest

@testable import ErasureHost

final class RedactorTests: XCTestCase {
    func testEveryWireFormIsRedactedLongestFirst() {
        let r = Redactor(secrets: ["p@ss w/rd+1", "abcd"])
        r.addBasicPair(user: "app", password: "p@ss w/rd+1")
        let b64 = Data("p@ss w/rd+1".utf8).base64EncodedString()
        let pair = Data("app:p@ss w/rd+1".utf8).base64EncodedString()
        let text = """
            raw=p@ss w/rd+1 pct=\(URLBuilder.percentEncode("p@ss w/rd+1")) form=\(URLBuilder.formEncode("p@ss w/rd+1")) \
            json="p@ss w\\/rd+1" b64=\(b64) basic=Basic \(pair) short=abcdabcd
            """
        let out = r.redact(text)
        XCTAssertEqual(out, "raw=*** pct=*** form=*** json=\"***\" b64=*** basic=Basic *** short=******")
        XCTAssertEqual(String(decoding: r.redact(Array(text.utf8)), as: UTF8.self), out)
        XCTAssertTrue(r.isSecret("abcd"))
        XCTAssertFalse(r.isSecret("app"))
    }

    func testRedactorIsSharedAndLearnsAtRunTime() {
        let r = Redactor()
        XCTAssertEqual(r.redact("token=t0k3n-xyz"), "token=t0k3n-xyz")
        _ = Auth.bearer("t0k3n-xyz", redactor: r)
        XCTAssertEqual(r.redact("token=t0k3n-xyz"), "token=***")
    }

    /// Issue 12, finding 17: a secret in every form a vendor or an encoder may write it.
    func testEachFormOfASecretIsHidden() {
        let secret = "sandbox-key/é+1"
        let r = Redactor(secrets: [secret])
        let utf8 = Array(secret.utf8)
        let b64 = Data(utf8).base64EncodedString()
        func unicodeEscaped(_ s: String, upper: Bool) -> String {
            s.utf16.map { String(format: upper ? "\\u%04X" : "\\u%04x", $0) }.joined()
        }
        let forms: [String: String] = [
            "raw": secret,
            "base64": b64,
            "base64, unpadded": b64.replacingOccurrences(of: "=", with: ""),
            "base64url": b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: ""),
            "base64 with JSON's \\/": b64.replacingOccurrences(of: "/", with: "\\/"),
            "percent-encoded": URLBuilder.percentEncode(secret),
            "percent-encoded, lower-case hex": utf8.map { $0 < 0x80 && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "+")
                ? String(UnicodeScalar($0)) : String(format: "%%%02x", $0) }.joined(),
            "every byte percent-encoded": utf8.map { String(format: "%%%02X", $0) }.joined(),
            "form-encoded": URLBuilder.formEncode(secret),
            "JSON-escaped /": secret.replacingOccurrences(of: "/", with: "\\/"),
            "fully \\u-escaped": unicodeEscaped(secret, upper: false),
            "fully \\u-escaped, upper-case hex": unicodeEscaped(secret, upper: true),
            "mixed \\u0073andbox": "\\u0073andbox-key\\/\\u00e9+1",
            "mixed percent and JSON": "s%61ndbox\\u002dkey%2F\\u00E9%2B1",
        ]
        for (name, form) in forms.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(r.redact(#"{"echo":"\#(form)","n":1}"#), #"{"echo":"***","n":1}"#, name)
            XCTAssertEqual(r.redact(Array(form.utf8)), Array("***".utf8), name)
        }
        // Inside longer base64 (a Basic pair with a user the config does not know, a document
        // encoded whole), whatever the alignment: hidden but for the characters that also
        // encode what comes before it and the secret's last byte or two.
        for user in ["someone", "ab", "a", ""] {
            let b64 = Data("\(user):\(secret)".utf8).base64EncodedString()
            let out = r.redact("Basic " + b64)
            let parts = out.dropFirst("Basic ".count).components(separatedBy: "***")
            XCTAssertEqual(parts.count, 2, "\(user): \(out)")
            XCTAssertLessThanOrEqual(parts[0].count, (user.count + 1 + 2) / 3 * 4 + 4, "\(user): \(out)")
            XCTAssertLessThanOrEqual(parts[1].count, 4, "\(user): \(out)")
        }
        // A character outside the BMP, \u-escaped as a surrogate pair.
        let emoji = "k€y-😀-secret"
        r.add(emoji)
        let escaped = emoji.utf16.map { String(format: "\\u%04x", $0) }.joined()
        XCTAssertEqual(r.redact("x=" + escaped), "x=***")
    }

    func testEscapesThatDoNotSpellASecretAreLeftAlone() {
        let r = Redactor(secrets: ["s3cr3t-value"])
        for text in [#"\u0073 3cr3t"#, "%73%33cr3t-valu", #"\ud800 lone surrogate"#, "100% done", #"path\\s3cr3t"#, "+"] {
            XCTAssertEqual(r.redact(text), text)
        }
        XCTAssertEqual(r.redact(#"a\\s3cr3t-value"#), #"a\\***"#, "an escaped backslash before the secret stays")
    }

    /// A text with no secret comes back as it is, whatever the number of patterns; the scan of a
    /// large answer stays linear (one byte at a time through the tables).
    func testManySecretsAndALargeText() {
        let secrets = (0..<200).map { "secret-\($0)-\(UUID().uuidString)" }
        let r = Redactor(secrets: secrets)
        r.addBasicPairs(secrets.map { (user: "app", password: $0) })
        let big = String(repeating: #"{"id":"4f1c","name":"Ada Lovelace","email":"ada@example.com","n":12345}"#, count: 20_000)
        let start = ContinuousClock.now
        XCTAssertEqual(r.redact(big), big)
        let withOne = big + secrets[137]
        XCTAssertTrue(r.redact(withOne).hasSuffix("***"))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "a 1.4 MB text against 1 400 patterns")
    }
}
