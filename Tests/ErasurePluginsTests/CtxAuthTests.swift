import Foundation
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
import ErasureTesting

/// `ctx.auth` from Lua: JWTs checked by an independent implementation, OAuth2 tokens shared and refreshed.
final class CtxAuthTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    // MARK: 7. JWT

    func testJWTHS256AndRS256FromLuaVerifyIndependently() async throws {
        let (privatePEM, publicPEM) = try makeRSAKeyPair()
        let hsSecret = "hs-secret-from-file-Ω"
        try fx.write("secrets/hs.txt", hsSecret + "\n")
        try fx.write("secrets/rsa.pem", privatePEM)
        try fx.plugin("acme", config: """
            jwt_secret = { required = true, secret = true }, rsa_key = { required = true, secret = true }
            """, body: """
            function plugin.delete(ctx, user)
              local base = ctx.config.base_url
              local hs = ctx.auth.jwt{ alg = "HS256", key = ctx.config.jwt_secret, lifetime = 600,
                                       claims = { iss = "erasure-test", sub = user.id, n = 5 } }
              local rs = ctx.auth.jwt{ alg = "RS256", key = ctx.config.rsa_key, lifetime = 60,
                                       claims = { sub = user.id, aud = { "a", "b" } } }
              ctx.http.get(base .. "/echo/hs", { headers = ctx.auth.bearer(hs) })
              ctx.http.get(base .. "/echo/rs", { headers = ctx.auth.header("X-Token", rs) })
              return { outcome = "deleted", message = "signed " .. hs }
            end
            """)
        try acmeConfig("""
            jwt_secret = "file:secrets/hs.txt"
            rsa_key = "file:secrets/rsa.pem"
            """)
        let engine = try await fx.start()
        let now = Date().timeIntervalSince1970
        let o = try await engine.act(["id": "ada"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .deleted, o.message)

        let hsHeader = await server.seen.seen(pathPrefix: "/echo/hs").first?.headers["authorization"] ?? ""
        XCTAssertTrue(hsHeader.hasPrefix("Bearer "), hsHeader)
        let hs = String(hsHeader.dropFirst("Bearer ".count))
        let rs = await server.seen.seen(pathPrefix: "/echo/rs").first?.headers["x-token"] ?? ""
        XCTAssertEqual(o.pluginMessage, "signed ***", "the signed token is redacted from the outcome")

        let hsClaims = try XCTUnwrap(try verifyJWTIndependently(hs, alg: "HS256", key: hsSecret), "HS256 verifies")
        XCTAssertEqual(hsClaims["iss"] as? String, "erasure-test")
        XCTAssertEqual(hsClaims["sub"] as? String, "ada")
        XCTAssertEqual(hsClaims["n"] as? Int, 5)
        let exp = try XCTUnwrap(hsClaims["exp"] as? Int)
        XCTAssertGreaterThanOrEqual(Double(exp), now + 600 - 1)
        XCTAssertLessThanOrEqual(Double(exp), Date().timeIntervalSince1970 + 600 + 1)
        XCTAssertNil(try verifyJWTIndependently(hs, alg: "HS256", key: hsSecret + "x"), "a wrong key must fail")

        let rsClaims = try XCTUnwrap(try verifyJWTIndependently(rs, alg: "RS256", key: publicPEM), "RS256 verifies")
        XCTAssertEqual(rsClaims["sub"] as? String, "ada")
        XCTAssertEqual(rsClaims["aud"] as? [String], ["a", "b"])
        XCTAssertNotNil(rsClaims["exp"] as? Int)
        let (_, otherPublic) = try makeRSAKeyPair()
        XCTAssertNil(try verifyJWTIndependently(rs, alg: "RS256", key: otherPublic), "another key must fail")
    }

    // MARK: 8. OAuth2

    func oauthPlugin() throws {
        try fx.plugin("acme", config: """
            token_url = { required = true }, client_id = { required = true },
            client_secret = { required = true, secret = true }
            """, body: """
            local function source(ctx)
              return ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = ctx.config.client_id,
                                      client_secret = ctx.config.client_secret }
            end
            function plugin.delete(ctx, user)
              local r = ctx.http.get(ctx.config.base_url .. "/protected", { auth = source(ctx) })
              if r.status ~= 200 then error({ message = "protected answered " .. r.status }) end
              return { outcome = "deleted", message = "ok", vendor_id = user.id }
            end
            """)
    }

    func oauthConfig(expiresIn: Int) throws {
        try acmeConfig("""
            token_url = "\(server.base)/token?expires_in=\(expiresIn)"
            client_id = "acme-client"
            client_secret = "env:ACME_CLIENT_SECRET"
            """)
    }

    func testOAuth2TokenFetchedOnceFor50ConcurrentActions() async throws {
        try oauthPlugin()
        try oauthConfig(expiresIn: 3600)
        let engine = try await fx.start(concurrency: 64, environment: ["ACME_CLIENT_SECRET": "cs-oauth-123"])
        let outcomes = await withTaskGroup(of: Outcome?.self) { group in
            for i in 1...50 { group.addTask { try? await engine.act(["id": "p\(i)"]) } }
            var all: [Outcome] = []
            for await o in group { if let o { all.append(o) } }
            return all
        }
        await engine.shutdown()

        XCTAssertEqual(outcomes.count, 50)
        XCTAssertEqual(outcomes.filter { $0.kind == .deleted }.count, 50, outcomes.map(\.message).joined(separator: "\n"))
        do { let v = await server.seen.tokensIssued; XCTAssertEqual(v, 1, "one token request for 50 concurrent callers") }
        do { let v = await seenCount("/protected"); XCTAssertEqual(v, 50) }
        let form = await server.seen.tokenForms.first ?? ""
        XCTAssertTrue(form.contains("grant_type=client_credentials"), form)
        XCTAssertTrue(form.contains("client_id=acme-client"), form)
        XCTAssertTrue(form.contains("client_secret=cs-oauth-123"), form)
    }

    func testOAuth2TokenIsRefreshedAfterExpiry() async throws {
        try oauthPlugin()
        try oauthConfig(expiresIn: 2)
        let engine = try await fx.start(environment: ["ACME_CLIENT_SECRET": "cs-oauth-123"])
        let first = try await engine.act(["id": "p1"])
        let beforeExpiry = await server.seen.tokensIssued
        try await Task.sleep(nanoseconds: 2_100_000_000)  // past expires_in
        let second = try await engine.act(["id": "p2"])
        await engine.shutdown()

        for o in [first, second] { XCTAssertEqual(o.kind, .deleted, o.message) }
        XCTAssertEqual(beforeExpiry, 1)
        do { let v = await server.seen.tokensIssued; XCTAssertEqual(v, 2, "a new token after expiry") }
        do { let v = await seenCount("/protected"); XCTAssertEqual(v, 2, "no 401 needed: refreshed before use") }
        let auths = await server.seen.seen(pathPrefix: "/protected").map { $0.headers["authorization"] ?? "" }
        XCTAssertEqual(Set(auths).count, 2, "the second action used the new token")
    }

    func testOAuth2401TriggersOneRefreshAndRetry() async throws {
        try oauthPlugin()
        try oauthConfig(expiresIn: 3600)
        let engine = try await fx.start(environment: ["ACME_CLIENT_SECRET": "cs-oauth-123"])
        let first = try await engine.act(["id": "p1"])
        await server.seen.revokeTokens()  // the server forgets the token: next use answers 401
        let second = try await engine.act(["id": "p2"])
        await engine.shutdown()

        XCTAssertEqual(first.kind, .deleted, first.message)
        XCTAssertEqual(second.kind, .deleted, second.message)
        do { let v = await server.seen.tokensIssued; XCTAssertEqual(v, 2) }
        let protected = await server.seen.seen(pathPrefix: "/protected")
        XCTAssertEqual(protected.count, 3, "first, then 401 and one retry")
        XCTAssertEqual(second.requests.compactMap(\.status), [401, 200, 200], "\(second.requests)")
        if protected.count == 3 {
            XCTAssertEqual(protected[0].headers["authorization"], protected[1].headers["authorization"])
            XCTAssertNotEqual(protected[1].headers["authorization"], protected[2].headers["authorization"])
        }
    }

    func testOAuth2PersistentFailureIsRetriedOnlyOnce() async throws {
        // A token the server never accepts: one refresh-and-retry, then the plugin sees the 401.
        try fx.plugin("acme", config: """
            token_url = { required = true }, client_id = { required = true },
            client_secret = { required = true, secret = true }
            """, body: """
            function plugin.delete(ctx, user)
              local src = ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = ctx.config.client_id,
                                           client_secret = ctx.config.client_secret }
              local r = ctx.http.get(ctx.config.base_url .. "/status/401", { auth = src })
              if r.status ~= 200 then error({ message = "answered " .. r.status }) end
              return { outcome = "deleted", message = "?" }
            end
            """)
        try oauthConfig(expiresIn: 3600)
        let engine = try await fx.start(environment: ["ACME_CLIENT_SECRET": "cs-oauth-123"])
        let o = try await engine.act(["id": "p1"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .failed)
        XCTAssertEqual(o.httpStatus, 401)
        do { let v = await seenCount("/status/401"); XCTAssertEqual(v, 2) }
        do { let v = await server.seen.tokensIssued; XCTAssertEqual(v, 2) }
    }

    func testOAuth2TokenIsFetchedInADryRunWhileTheDeleteIsPlanned() async throws {
        try fx.plugin("acme", config: """
            token_url = { required = true }, client_id = { required = true },
            client_secret = { required = true, secret = true }
            """, body: """
            function plugin.delete(ctx, user)
              local src = ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = ctx.config.client_id,
                                           client_secret = ctx.config.client_secret }
              local g = ctx.http.get(ctx.config.base_url .. "/protected", { auth = src })
              if g.status ~= 200 then error({ message = "protected answered " .. g.status }) end
              local d = ctx.http.delete(ctx.url(ctx.config.base_url, "protected", user.id), { auth = src })
              return { outcome = "deleted", message = "planned=" .. tostring(d.planned) }
            end
            """)
        try oauthConfig(expiresIn: 3600)
        let engine = try await fx.start(dryRun: true, environment: ["ACME_CLIENT_SECRET": "cs-oauth-123"])
        let o = try await engine.act(["id": "p1"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .planned, o.message)
        XCTAssertEqual(o.requests.map(\.method), ["DELETE"])
        do { let v = await server.seen.tokensIssued; XCTAssertEqual(v, 1, "token requests are sent in a dry run") }
        let seen = await server.seen.requests.map { "\($0.method) \($0.target)" }
        XCTAssertEqual(seen, ["POST /token?expires_in=3600", "GET /protected"])
    }
}
