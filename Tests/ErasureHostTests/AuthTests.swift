import Foundation
import XCTest
import _CryptoExtras

@testable import ErasureHost
import ErasureTesting

/// Verifies a JWT with an independent implementation: Python's stdlib hmac (HS256) and the
/// `cryptography` package (RS256). Prints the claims JSON on success; exits 1 on a bad signature.
private let verifierScript = #"""
import base64, hashlib, hmac, json, sys
token, alg, key_path = sys.argv[1], sys.argv[2], sys.argv[3]
key = open(key_path, 'rb').read()
def b64d(s):
    return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
parts = token.split('.')
assert len(parts) == 3, 'compact serialisation has 3 parts'
assert all('=' not in p for p in parts), 'base64url without padding'
header = json.loads(b64d(parts[0]))
assert header['alg'] == alg and header['typ'] == 'JWT', header
signing_input = (parts[0] + '.' + parts[1]).encode()
sig = b64d(parts[2])
if alg == 'HS256':
    ok = hmac.compare_digest(hmac.new(key, signing_input, hashlib.sha256).digest(), sig)
else:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    pub = serialization.load_pem_public_key(key)
    try:
        pub.verify(sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
        ok = True
    except Exception:
        ok = False
if not ok:
    print('bad signature'); sys.exit(1)
print(json.dumps(json.loads(b64d(parts[1]))))
"""#

final class JWTTests: XCTestCase {
    func verify(_ token: String, alg: String, key: String) throws -> (ok: Bool, claims: [String: Any]?) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("verify.py")
        let keyFile = dir.appendingPathComponent("key")
        try verifierScript.write(to: script, atomically: true, encoding: .utf8)
        try key.write(to: keyFile, atomically: true, encoding: .utf8)
        let (status, out) = try runPython(script.path, [token, alg, keyFile.path])
        guard status == 0 else { return (false, nil) }
        let claims = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        return (true, claims)
    }

    func testHS256VerifiesIndependently() throws {
        let secret = "dragonpass-jwt-secret-Ω"
        let now = Date()
        let token = try JWT.sign(claims: ["iss": .string("erasure-test"), "n": .integer(5)],
                                 algorithm: .hs256(secret: Array(secret.utf8)), lifetime: 3600, now: now)
        let (ok, claims) = try verify(token, alg: "HS256", key: secret)
        XCTAssertTrue(ok)
        XCTAssertEqual(claims?["iss"] as? String, "erasure-test")
        XCTAssertEqual(claims?["n"] as? Int, 5)
        XCTAssertEqual(claims?["exp"] as? Int, Int(now.timeIntervalSince1970) + 3600)
        // the verifier can fail: a wrong key and a tampered token are rejected
        XCTAssertFalse(try verify(token, alg: "HS256", key: secret + "x").ok)
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = JWT.base64url(Array(#"{"iss":"mallory"}"#.utf8))
        XCTAssertFalse(try verify(parts.joined(separator: "."), alg: "HS256", key: secret).ok)
    }

    func testRS256VerifiesIndependently() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let token = try JWT.sign(claims: ["sub": .string("ada"), "aud": .array([.string("a"), .string("b")])],
                                 algorithm: .rs256(privateKeyPEM: key.pemRepresentation), lifetime: 60,
                                 issuedAt: true, headerFields: ["kid": .string("k1")])
        let (ok, claims) = try verify(token, alg: "RS256", key: key.publicKey.pemRepresentation)
        XCTAssertTrue(ok)
        XCTAssertEqual(claims?["sub"] as? String, "ada")
        XCTAssertEqual(claims?["aud"] as? [String], ["a", "b"])
        let exp = try XCTUnwrap(claims?["exp"] as? Int)
        let iat = try XCTUnwrap(claims?["iat"] as? Int)
        XCTAssertEqual(exp - iat, 60)
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        XCTAssertFalse(try verify(token, alg: "RS256", key: other.publicKey.pemRepresentation).ok)
    }

    func testRS256WithBadKeySaysSo() {
        XCTAssertThrowsError(try JWT.sign(claims: [:], algorithm: .rs256(privateKeyPEM: "not a key"))) { e in
            XCTAssertTrue("\(e)".contains("RS256"))
        }
    }

    func testHeaderHelpers() {
        let r = Redactor()
        XCTAssertEqual(Auth.bearer("abc", redactor: r).1, "Bearer abc")
        XCTAssertEqual(Auth.basic(user: "Aladdin", password: "open sesame", redactor: r).1,
                       "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")  // RFC 7617 example
        XCTAssertEqual(Auth.header("authorization", "Token t0k").1, "Token t0k")
        XCTAssertEqual(r.redact("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== then abc"), "Basic *** then ***")
    }
}

final class OAuth2Tests: XCTestCase {
    var server: TestServer!
    var engine: HTTPEngine!

    override func setUp() async throws {
        server = try await TestServer.start()
        engine = HTTPEngine(concurrency: 64)
    }

    override func tearDown() async throws {
        try await engine.shutdown()
        await server.stop()
    }

    func testTokenFetchedOnceFor50ConcurrentCallersAndRefreshedAfterExpiry() async throws {
        let redactor = Redactor()
        let policy = VendorHTTPPolicy(vendor: "pagos", baseURL: server.base, hosts: [], secrets: redactor)
        let oauth = OAuth2ClientCredentials(tokenURL: server.base + "/token?expires_in=2", clientID: "client-1",
                                            clientSecret: "very secret value", scope: "api", engine: engine,
                                            policy: policy, refreshMargin: 0.5)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await oauth.token() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(tokens.count, 1)
        var issued = await server.seen.tokensIssued
        XCTAssertEqual(issued, 1, "one token request for 50 concurrent callers")
        let form = await server.seen.tokenForms.first ?? ""
        XCTAssertEqual(form, "grant_type=client_credentials&client_id=client-1&client_secret=very+secret+value&scope=api")
        // the access token is now a secret too
        XCTAssertEqual(redactor.redact("t=\(tokens.first!)"), "t=***")
        XCTAssertEqual(redactor.redact("very secret value"), "***")

        _ = try await oauth.token()
        issued = await server.seen.tokensIssued
        XCTAssertEqual(issued, 1, "cached while fresh")

        try await Task.sleep(nanoseconds: 1_700_000_000)  // expires_in 2 s, refreshed 0.5 s before
        let again = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await oauth.token() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(again.count, 1)
        XCTAssertNotEqual(again, tokens)
        issued = await server.seen.tokensIssued
        XCTAssertEqual(issued, 2)
    }

    func testRefreshAndRetryOnceOn401() async throws {
        let policy = VendorHTTPPolicy(vendor: "pagos", baseURL: server.base, hosts: [])
        let oauth = OAuth2ClientCredentials(tokenURL: server.base + "/token", clientID: "c", clientSecret: "s3cret-xyz",
                                            engine: engine, policy: policy)
        let recorder = ActionRecorder()
        let first = try await engine.send(HTTPRequestSpec(url: server.base + "/protected"), policy: policy,
                                          recorder: recorder, oauth: oauth)
        XCTAssertEqual(first.response?.status, 200)
        await server.seen.revokeTokens()
        let second = try await engine.send(HTTPRequestSpec(url: server.base + "/protected"), policy: policy,
                                           recorder: recorder, oauth: oauth)
        XCTAssertEqual(second.response?.status, 200)
        let issued = await server.seen.tokensIssued
        XCTAssertEqual(issued, 2)
        // token, protected 200, protected 401, token, protected 200
        XCTAssertEqual(recorder.sent.map(\.status), [200, 200, 401, 200, 200])
        XCTAssertEqual(recorder.sent.map { $0.url.hasSuffix("/token") }, [true, false, false, true, false])
    }

    func testTokenRequestIsSentInDryRunFromAHostTheVendorLists() async throws {
        // base_url on localhost; the token URL on 127.0.0.1 is reached because `hosts` lists it
        let policy = VendorHTTPPolicy(vendor: "pagos", baseURL: server.otherHostBase, hosts: [server.base], dryRun: true)
        let oauth = OAuth2ClientCredentials(tokenURL: server.base + "/token", clientID: "c", clientSecret: "s",
                                            engine: engine, policy: policy)
        let recorder = ActionRecorder()
        let token = try await oauth.token(recorder: recorder)
        XCTAssertTrue(token.hasPrefix("tok-1"))
        XCTAssertEqual(recorder.sent.map(\.method), ["POST"])
        XCTAssertFalse(recorder.hasPlanned)
        // a plugin's own POST is still held back
        let r = try await engine.send(HTTPRequestSpec(method: "POST", url: server.otherHostBase + "/echo/x"),
                                      policy: policy, recorder: recorder, oauth: oauth)
        XCTAssertNotNil(r.planned)
        let seen = await server.seen.requests.map(\.target)
        XCTAssertEqual(seen, ["/token"])
    }

    /// Issue 12, finding 3: a token URL is not an allowlist entry. One on an origin the vendor
    /// does not allow (another host, or another port of base_url's host) is refused before
    /// anything is sent, in a dry run as in a real one, and the refusal is not retryable.
    func testTokenURLOutsideTheAllowlistIsRefusedBeforeSending() async throws {
        let other = try await TestServer.start()
        for (tokenURL, dryRun) in [(server.otherHostBase + "/token", true), (other.base + "/token", false)] {
            let policy = VendorHTTPPolicy(vendor: "pagos", baseURL: server.base, hosts: [], dryRun: dryRun)
            let oauth = OAuth2ClientCredentials(tokenURL: tokenURL, clientID: "c", clientSecret: "s3cret-xyz",
                                                engine: engine, policy: policy)
            let recorder = ActionRecorder()
            do {
                _ = try await engine.send(HTTPRequestSpec(url: server.base + "/protected"), policy: policy,
                                          recorder: recorder, oauth: oauth)
                XCTFail("expected a refusal of \(tokenURL)")
            } catch let e as HostHTTPError {
                XCTAssertEqual(e.kind, .hostNotAllowed, e.message)
                XCTAssertFalse(e.retryable)
                XCTAssertTrue(e.message.contains("pagos"), e.message)
            }
            XCTAssertTrue(recorder.records.isEmpty)
        }
        let seen = await server.seen.requests.count
        let seenOther = await other.seen.requests.count
        await other.stop()
        XCTAssertEqual(seen + seenOther, 0, "nothing was sent")
    }

    func testTokenErrorNamesVendorAndRedacts() async throws {
        let policy = VendorHTTPPolicy(vendor: "pagos", baseURL: server.base, hosts: [])
        let oauth = OAuth2ClientCredentials(tokenURL: server.base + "/status/401", clientID: "c",
                                            clientSecret: "TOPSECRET-123", engine: engine, policy: policy)
        do {
            _ = try await oauth.token()
            XCTFail("expected an error")
        } catch let e as OAuth2Error {
            XCTAssertEqual(e.status, 401)
            XCTAssertFalse(e.retryable)
            XCTAssertTrue(e.message.hasPrefix("pagos: "), e.message)
        }
    }
}
