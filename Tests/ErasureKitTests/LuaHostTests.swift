import Foundation
import XCTest

@testable import ErasureKit

/// Issue 4 acceptance from Lua: real plugin files run by the real `Engine` (LuaBridge runtime,
/// the Lua of ctx in lua/, host module, HTTPEngine) against the Hummingbird test server on loopback.
final class LuaHostTests: XCTestCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws {
        server = try await TestServer.start()
        fx = try LuaFixture()
    }

    override func tearDown() async throws {
        await server.stop()
        fx.remove()
    }

    /// `[vendors.acme] base_url = <test server>` plus `extra` lines.
    func acmeConfig(_ extra: String = "") throws {
        try fx.config("""
            [vendors.acme]
            base_url = "\(server.base)"
            \(extra)
            """)
    }

    func seenCount(_ prefix: String = "/") async -> Int { await server.seen.seen(pathPrefix: prefix).count }

    // MARK: 1. GET and POST with a JSON round trip

    func testGetAndPostJSONRoundTripFromLua() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              local base = ctx.config.base_url
              local g = ctx.http.get(base .. "/json", { headers = { Accept = "application/json" } })
              local gj = g.json()
              local p = ctx.http.post(base .. "/json", { json = {
                id = user.id, list = { 1, 2, 3 }, nested = { ok = true, name = "Ada Lovelace — Ω" }, empty = ctx.json.array{},
              } })
              local pj = p.json()
              return { outcome = "deleted", vendor_id = user.id, message = ctx.json.encode({
                get_status = g.status, hello = gj.hello, n = gj.n, n_type = math.type(gj.n),
                ct_mixed = g.headers["Content-Type"], ct_upper = g.headers["CONTENT-TYPE"],
                ct_lower = g.headers["content-type"],
                post_status = p.status, method = pj.method, received = pj.received,
                planned = p.planned,
              }) }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let o = try await engine.act(["id": "u-42"])
        await engine.shutdown()

        XCTAssertEqual(o.kind, .deleted, o.message)
        XCTAssertEqual(o.vendorID, "u-42")
        let m = try parseObject(o.message)
        XCTAssertEqual(m["get_status"] as? Int, 200)
        XCTAssertEqual(m["hello"] as? String, "world")
        XCTAssertEqual(m["n"] as? Int, 42)
        XCTAssertEqual(m["n_type"] as? String, "integer")
        for key in ["ct_mixed", "ct_upper", "ct_lower"] {
            XCTAssertEqual(m[key] as? String, "application/json", "headers[\(key)]")
        }
        XCTAssertEqual(m["post_status"] as? Int, 201)
        XCTAssertEqual(m["method"] as? String, "POST")
        XCTAssertEqual(m["planned"] as? Bool, false)
        let received = try XCTUnwrap(m["received"] as? [String: Any])
        XCTAssertEqual(received["id"] as? String, "u-42")
        XCTAssertEqual(received["list"] as? [Int], [1, 2, 3])
        XCTAssertEqual((received["nested"] as? [String: Any])?["name"] as? String, "Ada Lovelace — Ω")
        XCTAssertEqual((received["nested"] as? [String: Any])?["ok"] as? Bool, true)
        XCTAssertEqual((received["empty"] as? [Any])?.count, 0, "ctx.json.array{} must arrive as []")

        // What the server itself saw: a GET then a JSON POST.
        let seen = await server.seen.requests
        XCTAssertEqual(seen.map(\.method), ["GET", "POST"])
        XCTAssertEqual(seen.last?.headers["content-type"], "application/json")
        let body = try parseObject(seen.last?.body ?? "")
        XCTAssertEqual(body["id"] as? String, "u-42")
        XCTAssertEqual(o.requests.map(\.status), [200, 201])
    }

    // MARK: 2. 64 coroutines with requests in flight at once

    /// 64 people through a workflow, 64 at a time, each lookup held at the server's gate until 64
    /// requests are in flight together: only true concurrency lets the gate open.
    func test64CoroutinesHaveRequestsInFlightAtOnce() async throws {
        try fx.plugin("acme", body: """
            function plugin.lookup(ctx, user)
              local r = ctx.http.get(ctx.config.base_url .. "/gate", { query = { n = "64", max_ms = "25000" } })
              if r.status ~= 200 then error({ message = "gate answered " .. r.status }) end
              return { id = user.id, peak = r.json().peak }
            end
            function plugin.delete(ctx, user, record)
              return { outcome = "deleted", message = "peak " .. tostring(record.peak), vendor_id = user.id }
            end
            """)
        try acmeConfig("timeout = 60")
        var csv = "id\n"
        for i in 1...64 { csv += "person-\(i)\n" }
        let csvPath = try fx.write("people.csv", csv)
        let workflowPath = try fx.write("wf.lua", """
            return {
              description = "lookup then delete",
              run = function(person, vendors)
                for _, v in ipairs(vendors) do
                  local record = v:lookup()
                  if record then v:delete(record) end
                end
              end,
            }
            """)
        let engine = try await fx.start(concurrency: 64)
        let workflow = try await Workflow.load(path: workflowPath, engine: engine, params: [:])
        let lines = Locked<[String]>([])
        let report = Report(style: .json, color: false, write: { s in lines.withLock { $0.append(s) } })
        var options = BatchOptions()
        options.concurrency = 64
        options.maxDeletions = nil
        let result = await BatchRunner.run(workflow, people: .csv(try CSVPeople(path: csvPath)), options: options,
                                           report: report, hooks: nil, budget: DeletionBudget(limit: nil))
        await engine.shutdown()

        let peak = await server.seen.maxInFlight
        XCTAssertGreaterThanOrEqual(peak, 64, "requests in flight at once")
        XCTAssertEqual(result.people, 64)
        XCTAssertFalse(result.failed)
        XCTAssertEqual(report.count(.deleted), 64, lines.current.joined())
        do { let v = await seenCount("/gate"); XCTAssertEqual(v, 64) }
    }

    // MARK: 3. Retries

    func retryPlugin() throws {
        try fx.plugin("acme", identity: #"{ "id", "path", "method" }"#, body: """
            function plugin.delete(ctx, user)
              local r = ctx.http.request{ method = user.method or "GET", url = ctx.config.base_url .. user.path,
                                          json = { id = user.id } }
              if r.status >= 200 and r.status < 300 then
                return { outcome = "deleted", message = "answered " .. r.status }
              end
              error({ message = "the vendor answered " .. r.status, retryable = false })
            end
            """)
    }

    func test429WithRetryAfterIsRetriedAfterOneSecond() async throws {
        try retryPlugin()
        try acmeConfig()
        let engine = try await fx.start()
        let o = try await engine.act(["id": "a", "path": "/flaky429/a?after=1"])
        await engine.shutdown()

        XCTAssertEqual(o.kind, .deleted, o.message)
        XCTAssertEqual(o.requests.map(\.status), [429, 200])
        let seen = await server.seen.seen(pathPrefix: "/flaky429/a")
        XCTAssertEqual(seen.count, 2)
        if seen.count == 2 {
            XCTAssertGreaterThanOrEqual(seen[1].time.timeIntervalSince(seen[0].time), 0.95, "Retry-After: 1 honoured")
        }
    }

    func test503HTMLThenSuccessAnd400NotRetried() async throws {
        try retryPlugin()
        try acmeConfig()
        let engine = try await fx.start()
        let ok = try await engine.act(["id": "b", "path": "/flaky503/b"])
        let bad = try await engine.act(["id": "c", "path": "/status/400", "method": "POST"])
        await engine.shutdown()

        XCTAssertEqual(ok.kind, .deleted, ok.message)
        XCTAssertEqual(ok.requests.map(\.status), [503, 200])
        do { let v = await seenCount("/flaky503/b"); XCTAssertEqual(v, 2) }

        XCTAssertEqual(bad.kind, .failed)
        XCTAssertEqual(bad.httpStatus, 400)
        XCTAssertTrue(bad.message.contains("400"), bad.message)
        XCTAssertFalse(bad.retryable)
        do { let v = await seenCount("/status/400"); XCTAssertEqual(v, 1, "a 400 is never retried by the host") }
        XCTAssertTrue(bad.jsonLine().contains(#""http_status":400"#), bad.jsonLine())
    }

    func testRetriesSettingBoundsTheTries() async throws {
        try retryPlugin()
        try acmeConfig("retries = 2")
        let engine = try await fx.start()
        let o = try await engine.act(["id": "d", "path": "/always503"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .failed)
        XCTAssertEqual(o.httpStatus, 503)
        XCTAssertTrue(o.message.contains("503"), o.message)
        do { let v = await seenCount("/always503"); XCTAssertEqual(v, 2, "retries = 2 means two tries in all") }
    }

    /// `rate_limit = 10` (evenly spaced) shared by 11 concurrent actions: the last request leaves
    /// at least ~1 s after the first.
    func testRateLimitIsSharedByEveryCoroutine() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              local r = ctx.http.get(ctx.url(ctx.config.base_url, "echo", "rate", user.id))
              return { outcome = r.status == 200 and "deleted" or "failed", message = "got " .. r.status }
            end
            """)
        try acmeConfig("rate_limit = 10")
        let engine = try await fx.start()
        let kinds = await withTaskGroup(of: OutcomeKind?.self) { group in
            for i in 1...11 { group.addTask { try? await engine.act(["id": "r\(i)"]).kind } }
            var all: [OutcomeKind?] = []
            for await k in group { all.append(k) }
            return all
        }
        await engine.shutdown()
        XCTAssertEqual(kinds.filter { $0 == .deleted }.count, 11)
        let times = await server.seen.seen(pathPrefix: "/echo/rate/").map(\.time).sorted()
        XCTAssertEqual(times.count, 11)
        if let first = times.first, let last = times.last {
            XCTAssertGreaterThanOrEqual(last.timeIntervalSince(first), 0.95, "11 requests at 10/s span ≥ 1 s")
        }
    }

    // MARK: 4. Allowlist and redirects

    func testHostOutsideTheAllowlistIsRefusedAndNothingIsSent() async throws {
        try fx.plugin("acme", config: "other_base = {}", identity: #"{ "id", "mode" }"#, body: """
            function plugin.delete(ctx, user)
              local r
              if user.mode == "direct" then
                r = ctx.http.delete(ctx.config.other_base .. "/echo/outside")
              else
                r = ctx.http.get(ctx.config.base_url .. "/redirect",
                                 { query = { to = ctx.config.other_base .. "/echo/after-redirect" } })
              end
              return { outcome = "deleted", message = "got " .. r.status }
            end
            """)
        // The same plugin with localhost in its hosts: proves localhost is reachable, so the
        // refusals above are the allowlist's doing.
        try fx.plugin("acme_wide", config: "other_base = {}", hosts: #"{ "localhost" }"#, body: """
            function plugin.delete(ctx, user)
              local r = ctx.http.delete(ctx.config.other_base .. "/echo/outside")
              return { outcome = "deleted", message = "got " .. r.status }
            end
            """)
        try fx.config("""
            [vendors.acme]
            base_url = "\(server.base)"
            other_base = "\(server.otherHostBase)"
            [vendors.acme_wide]
            base_url = "\(server.base)"
            other_base = "\(server.otherHostBase)"
            """)
        let engine = try await fx.start(["acme", "acme_wide"])
        let direct = try await engine.act(["id": "1", "mode": "direct"])
        let afterDirect = await seenCount()
        let redirect = try await engine.act(["id": "2", "mode": "redirect"])
        let redirectSeen = await server.seen.requests.map(\.target)
        let wide = try await engine.act(vendor: "acme_wide", ["id": "3"])
        await engine.shutdown()

        XCTAssertEqual(direct.kind, .failed)
        XCTAssertTrue(direct.message.contains("acme"), direct.message)
        XCTAssertTrue(direct.message.contains("'localhost'"), direct.message)
        XCTAssertEqual(afterDirect, 0, "nothing sent to a host outside the allowlist")

        XCTAssertEqual(redirect.kind, .failed)
        XCTAssertTrue(redirect.message.contains("acme"), redirect.message)
        XCTAssertTrue(redirect.message.contains("redirect"), redirect.message)
        XCTAssertTrue(redirect.message.contains("'localhost'"), redirect.message)
        XCTAssertEqual(redirectSeen.count, 1, "\(redirectSeen)")
        XCTAssertTrue(redirectSeen.first?.hasPrefix("/redirect?") ?? false, "\(redirectSeen)")

        XCTAssertEqual(wide.kind, .deleted, wide.message)
        do { let v = await seenCount("/echo/outside"); XCTAssertEqual(v, 1) }
    }

    // MARK: 5. Path segments

    func testPathSegmentsArriveEncodedAndAnEmptyIdIsRefused() async throws {
        try fx.plugin("acme", identity: #"{ "id", "mode" }"#, body: """
            function plugin.lookup(ctx, user)
              local r = ctx.http.get(ctx.url(ctx.config.base_url, "echo", "users", user.id))
              return { target = r.json().target }
            end
            function plugin.delete(ctx, user)
              if user.mode == "concat" then
                ctx.http.delete(ctx.config.base_url .. "/echo/users/" .. user.id)
              else
                ctx.http.delete(ctx.url(ctx.config.base_url, "echo", "users", user.id))
              end
              return { outcome = "deleted", message = "sent" }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        var targets: [String: String] = [:]
        for id in ["../users", "a/b", "x?y#z", "ada@example.com"] {
            let o = try await engine.act(action: .lookup, ["id": id])
            XCTAssertEqual(o.kind, .found, o.message)
            targets[id] = try parseObject(o.recordJSON ?? "")["target"] as? String
        }
        let before = await seenCount()
        let empty = try await engine.act(["id": ""])
        let emptyConcat = try await engine.act(["id": "", "mode": "concat"])
        let after = await seenCount()
        await engine.shutdown()

        for (id, target) in targets {
            // Exactly one segment after /echo/users/, which decodes back to the id.
            let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            XCTAssertTrue(path.hasPrefix("/echo/users/"), target)
            let segment = String(path.dropFirst("/echo/users/".count))
            XCTAssertFalse(segment.contains("/"), "\(id) → \(target)")
            XCTAssertEqual(segment.removingPercentEncoding, id, target)
            XCTAssertFalse(target.contains("?") || target.contains("#"), target)
        }
        XCTAssertEqual(targets.count, 4)
        XCTAssertEqual(targets["a/b"], "/echo/users/a%2Fb")

        XCTAssertEqual(empty.kind, .failed)
        XCTAssertTrue(empty.message.contains("empty"), empty.message)
        XCTAssertEqual(emptyConcat.kind, .failed)
        XCTAssertTrue(emptyConcat.message.contains("empty"), emptyConcat.message)
        XCTAssertTrue(emptyConcat.message.contains("acme"), emptyConcat.message)
        XCTAssertEqual(after, before, "nothing sent for an empty id")
    }

    // MARK: 6. Dry-run

    func testDryRunSendsOnlyTheGETAndTheReadOnlyPOST() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              local base = ctx.config.base_url
              local g = ctx.http.get(base .. "/echo/get")
              local p = ctx.http.post(base .. "/echo/post", { json = { id = user.id } })
              local u = ctx.http.put(base .. "/echo/put", { body = "put-body" })
              local d = ctx.http.delete(ctx.url(base, "echo", "delete", user.id))
              local s = ctx.http.post(base .. "/echo/search", { json = { q = user.id }, read_only = true })
              -- report what the plugin saw through a GET (sent in a dry run too)
              ctx.http.get(base .. "/echo/report", { query = {
                dry = tostring(ctx.dry_run), g = tostring(g.status),
                p = p.status .. "," .. tostring(p.planned), u = u.status .. "," .. tostring(u.planned),
                d = d.status .. "," .. tostring(d.planned), s = s.status .. "," .. tostring(s.planned),
              } })
              return { outcome = "deleted", message = "done" }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start(dryRun: true)
        let o = try await engine.act(["id": "u7"])
        await engine.shutdown()

        let seen = await server.seen.requests
        XCTAssertEqual(seen.map { "\($0.method) \($0.target.split(separator: "?")[0])" },
                       ["GET /echo/get", "POST /echo/search", "GET /echo/report"])
        let report = try XCTUnwrap(seen.last).target
        for expected in ["dry=true", "g=200", "p=0%2Ctrue", "u=0%2Ctrue", "d=0%2Ctrue", "s=200%2Cfalse"] {
            XCTAssertTrue(report.contains(expected), "\(expected) in \(report)")
        }

        XCTAssertEqual(o.kind, .planned, o.message)
        XCTAssertEqual(o.requests.map(\.method), ["POST", "PUT", "DELETE"])
        XCTAssertTrue(o.requests.allSatisfy(\.planned))
        XCTAssertEqual(o.requests.map { $0.url.replacingOccurrences(of: server.base, with: "") },
                       ["/echo/post", "/echo/put", "/echo/delete/u7"])
        XCTAssertTrue(o.requests[0].body?.contains("u7") ?? false, "\(o.requests[0])")
        XCTAssertEqual(o.requests[1].body, "put-body")
        let line = o.jsonLine()
        XCTAssertTrue(line.contains(#""outcome":"planned""#), line)
        XCTAssertTrue(line.contains(#""dry_run":true"#), line)
    }

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
        XCTAssertEqual(o.message, "signed ***", "the signed token is redacted from the outcome")

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

    // MARK: 9. Secrets never surface

    func testNoSecretSurfacesInAnyOutputLogJournalOrError() async throws {
        let secrets = [
            "token": "tok-ENV-Zq81xK3vP9",            // env:
            "api_key": "key/ENV+Hn27 wQ9&cM4=z",     // env: (characters that get encoded)
            "client_secret": "cs@FILE:Yb53r%T6uD1",   // file:
            "jwt_secret": "jwt-FILE-Lp94sA2eV7",      // file:
            "password": "lit-LIT-Wx18gF4nB2",         // literal (warned)
        ]
        try fx.write("secrets/client_secret.txt", secrets["client_secret"]! + "\n")
        try fx.write("secrets/jwt.txt", secrets["jwt_secret"]!)
        try fx.plugin("acme", config: """
            token = { required = true, secret = true }, api_key = { required = true, secret = true },
            client_secret = { required = true, secret = true }, jwt_secret = { required = true, secret = true },
            password = { required = true, secret = true }, client_id = { required = true },
            token_url = { required = true }, other_base = {}
            """, body: """
            local function src(ctx)
              return ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = ctx.config.client_id,
                                      client_secret = ctx.config.client_secret }
            end
            local function everything(ctx)
              local c = ctx.config
              return { token = c.token, api_key = c.api_key, client_secret = c.client_secret,
                       jwt_secret = c.jwt_secret, password = c.password }
            end
            local function headers(ctx)
              local h = ctx.auth.basic(ctx.config.client_id, ctx.config.password)
              h["X-Api-Key"] = ctx.config.api_key
              h["X-Token"] = ctx.config.token
              return h
            end
            function plugin.lookup(ctx, user)
              ctx.log.info("lookup with token", ctx.config.token, "and key", ctx.config.api_key)
              return { id = user.id, secrets = everything(ctx) }
            end
            function plugin.delete(ctx, user)
              local c, base = ctx.config, ctx.config.base_url
              ctx.log.warn("delete", user.id, "token=" .. c.token, "secret=" .. c.client_secret,
                           "jwt=" .. c.jwt_secret, "pw=" .. c.password, "key=" .. c.api_key)
              ctx.log.error(ctx.json.encode(everything(ctx)))
              if user.id == "ok" then
                local r = ctx.http.post(base .. "/echo/ok", { headers = headers(ctx), json = everything(ctx),
                                                             query = { key = c.api_key } })
                return { outcome = "deleted", message = "vendor said " .. r.body, vendor_id = c.token }
              elseif user.id == "vendor-error" then
                local r = ctx.http.post(base .. "/echo/err", { headers = headers(ctx), json = everything(ctx),
                                                              query = { key = c.api_key, status = "400" } })
                error({ message = "vendor refused: " .. r.body, retryable = false })
              elseif user.id == "lua-error" then
                error("cannot use " .. c.token .. " / " .. c.client_secret .. " / " .. c.jwt_secret .. " / " .. c.password)
              elseif user.id == "host-refused" then
                ctx.http.get(c.other_base .. "/echo/x", { query = { key = c.api_key, token = c.token } })
              elseif user.id == "oauth" then
                local tok = ctx.auth.token(src(ctx))
                local r = ctx.http.get(base .. "/echo/oauth", { headers = ctx.auth.bearer(tok) })
                ctx.log.warn("got access token " .. tok)
                return { outcome = "failed", message = "echo: " .. r.body .. " token " .. tok }
              elseif user.id == "jwt" then
                local j = ctx.auth.jwt{ alg = "HS256", key = c.jwt_secret, claims = { sub = user.id }, lifetime = 60 }
                local r = ctx.http.get(base .. "/echo/jwt", { headers = ctx.auth.bearer(j), query = { status = "500" } })
                return { outcome = "failed", message = "jwt " .. j .. " answered " .. r.body }
              elseif user.id == "url-secret" then
                local r = ctx.http.delete(ctx.url(base, "echo", "users", c.token),
                                          { query = { status = "404", sig = c.jwt_secret } })
                error({ message = "no such user at " .. r.json().target })
              end
              return { outcome = "deleted", message = "nothing" }
            end
            """)
        try acmeConfig("""
            token = "env:ACME_TOKEN"
            api_key = "env:ACME_API_KEY"
            client_secret = "file:secrets/client_secret.txt"
            jwt_secret = "file:\(fx.dir.appendingPathComponent("secrets/jwt.txt").path)"
            password = "\(secrets["password"]!)"
            client_id = "acme-client"
            token_url = "\(server.base)/token"
            other_base = "\(server.otherHostBase)"
            """)
        let environment = ["ACME_TOKEN": secrets["token"]!, "ACME_API_KEY": secrets["api_key"]!]
        let journal = fx.dir.appendingPathComponent("journal.sqlite").path
        let ids = ["ok", "vendor-error", "lua-error", "host-refused", "oauth", "jwt", "url-secret"]

        var captured: [String] = []
        let jsonLines = Locked<[String]>([])
        let human = Locked<[String]>([])
        let jsonReport = Report(style: .json, color: false, write: { s in jsonLines.withLock { $0.append(s) } })
        let humanReport = Report(style: .human, color: false, write: { s in human.withLock { $0.append(s) } })
        var outcomes: [Outcome] = []

        let (_, stderrText) = try await capturingStderr { () async throws -> Void in
            for dryRun in [false, true] {
                let engine = try await fx.start(dryRun: dryRun, environment: environment, logLevel: .debug)
                for id in ids {
                    switch await engine.performSingle(vendor: "acme", action: .delete, user: ["id": id],
                                                      journalPath: dryRun ? nil : journal, argv: ["delete", "acme", "id=\(id)"]) {
                    case .success(let o): outcomes.append(o)
                    case .failure(let e): captured.append("\(e)")
                    }
                }
                outcomes.append(try await engine.act(action: .lookup, ["id": "lookup"]))
                await engine.shutdown()
            }
        }
        for o in outcomes {
            jsonReport.add(o)
            humanReport.add(o)
            captured += [o.jsonLine(), o.message, o.recordJSON ?? "", o.excerpt ?? "", o.vendorID ?? ""]
            captured += o.requests.map { "\($0.method) \($0.url) \($0.body ?? "") \($0.error ?? "")" }
        }
        captured += jsonLines.current + human.current + [jsonReport.summary(), humanReport.summary(), stderrText]
        var journalBytes: [UInt8] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: fx.dir.path) where name.hasPrefix("journal.sqlite") {
            journalBytes += Array(try Data(contentsOf: fx.dir.appendingPathComponent(name)))
        }

        // The run really used every secret (so a redaction failure would show) ...
        let seen = await server.seen.requests
        let wire = seen.map { "\($0.target) \($0.headers) \($0.body)" }.joined(separator: "\n")
        for (name, value) in secrets where name != "password" {
            XCTAssertTrue(wire.contains(value), "\(name) was sent to the vendor")
        }
        XCTAssertTrue(wire.contains(Data("acme-client:\(secrets["password"]!)".utf8).base64EncodedString()))
        let accessTokens = seen.filter { $0.target.hasPrefix("/echo/oauth") }.compactMap { $0.headers["authorization"] }
            .map { String($0.dropFirst("Bearer ".count)) }
        let jwts = seen.filter { $0.target.hasPrefix("/echo/jwt") }.compactMap { $0.headers["authorization"] }
            .map { String($0.dropFirst("Bearer ".count)) }
        XCTAssertEqual(accessTokens.count, 2)
        XCTAssertEqual(jwts.count, 2)
        XCTAssertEqual(outcomes.count, 2 * (ids.count + 1))
        XCTAssertTrue(outcomes.contains { $0.kind == .planned }, "the dry run planned something")
        XCTAssertTrue(outcomes.contains { $0.kind == .deleted })
        XCTAssertTrue(outcomes.contains { $0.kind == .failed && $0.httpStatus == 400 })
        XCTAssertTrue(stderrText.contains("[acme]") && stderrText.contains("token=***"), "logs were captured: \(stderrText)")
        XCTAssertTrue(stderrText.contains("literal"), "the literal secret was warned about")
        XCTAssertGreaterThan(journalBytes.count, 0, "a journal was written")

        // ... and nothing that came out shows any of them.
        var forbidden = Array(secrets.values) + accessTokens + jwts
        forbidden.append(Data("acme-client:\(secrets["password"]!)".utf8).base64EncodedString())
        // Also the forms a secret takes on the wire, computed independently of the redactor.
        for secret in Array(secrets.values) {
            var unreserved = CharacterSet.alphanumerics
            unreserved.insert(charactersIn: "-._~")
            forbidden.append(secret.addingPercentEncoding(withAllowedCharacters: unreserved)!)
            let json = String(decoding: try JSONSerialization.data(withJSONObject: [secret]), as: UTF8.self)
            forbidden.append(String(json.dropFirst(2).dropLast(2)))  // ["…"] → …
            forbidden.append(Data(secret.utf8).base64EncodedString())
        }
        forbidden = Array(Set(forbidden))
        let everything = captured.joined(separator: "\n")
        for secret in forbidden {
            XCTAssertFalse(everything.contains(secret), "secret \(secret) surfaced:\n" +
                           captured.filter { $0.contains(secret) }.joined(separator: "\n---\n"))
            XCTAssertNil(journalBytes.firstRange(of: Array(secret.utf8)), "secret \(secret) is in the journal")
        }
    }

    // MARK: 10. Config errors

    func configPlugin() throws {
        try fx.plugin("acme", config: """
            api_key = { required = true, secret = true }, site_id = { type = "integer", default = 1 }
            """, extra: """
            validate = function(config)
                if config.site_id < 0 then return "site_id must not be negative" end
              end,
            """, body: """
            function plugin.delete(ctx, user)
              ctx.http.delete(ctx.url(ctx.config.base_url, "echo", user.id))
              return { outcome = "deleted", message = "sent" }
            end
            """)
    }

    func startError(_ toml: String, needed: [String]? = ["acme"], environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        try fx.config(toml)
        do {
            let engine = try await fx.start(needed, environment: environment)
            _ = try? await engine.act(["id": "should-not-run"])
            await engine.shutdown()
            XCTFail("Engine.start accepted:\n\(toml)", file: file, line: line)
            return ""
        } catch let e as UsageError {
            return e.description
        } catch {
            XCTFail("not a UsageError (exit 2): \(type(of: error)) \(error)", file: file, line: line)
            return "\(error)"
        }
    }

    func testConfigErrorsNameFileTableAndKeyAndSendNothing() async throws {
        try configPlugin()
        let path = fx.configPath
        let base = "base_url = \"\(server.base)\""

        let missing = try await startError("[vendors.acme]\n\(base)\n")
        XCTAssertTrue(missing.contains(path), missing)
        XCTAssertTrue(missing.contains("[vendors.acme] api_key: required key is missing"), missing)

        let wrongType = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\nsite_id = \"one\"\n",
                                             environment: ["K": "v"])
        XCTAssertTrue(wrongType.contains(path), wrongType)
        XCTAssertTrue(wrongType.contains("[vendors.acme] site_id: expected integer"), wrongType)

        let unknownKey = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\napi_kye = 1\n",
                                              environment: ["K": "v"])
        XCTAssertTrue(unknownKey.contains("[vendors.acme] api_kye: unknown key"), unknownKey)

        let unknownVendor = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\n[vendors.acmee]\nx = 1\n",
                                                 needed: nil, environment: ["K": "v"])
        XCTAssertTrue(unknownVendor.contains(path), unknownVendor)
        XCTAssertTrue(unknownVendor.contains("[vendors.acmee]"), unknownVendor)

        let notConfigured = try await startError("[vendors.other]\nx = 1\n")
        XCTAssertTrue(notConfigured.contains("[vendors.acme]") && notConfigured.contains("api_key"), notConfigured)

        let unsetEnv = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:ACME_KEY_UNSET\"\n")
        XCTAssertTrue(unsetEnv.contains("[vendors.acme] api_key: environment variable ACME_KEY_UNSET is not set"), unsetEnv)

        let unreadable = try await startError("[vendors.acme]\n\(base)\napi_key = \"file:nope/key.txt\"\n")
        XCTAssertTrue(unreadable.contains("[vendors.acme] api_key: cannot read file 'nope/key.txt'"), unreadable)

        let invalid = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\nsite_id = -3\n",
                                           environment: ["K": "v"])
        XCTAssertTrue(invalid.contains(path) && invalid.contains("[vendors.acme]"), invalid)
        XCTAssertTrue(invalid.contains("site_id must not be negative"), invalid)

        // Numbers TOML allows but no duration or rate can be (inf, nan, absurdly large/small).
        for (key, value) in [("timeout", "inf"), ("timeout", "nan"), ("timeout", "1e12"),
                             ("rate_limit", "nan"), ("rate_limit", "inf"), ("rate_limit", "1e-12")] {
            let text = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\n\(key) = \(value)\n",
                                            environment: ["K": "v"])
            XCTAssertTrue(text.contains("[vendors.acme] \(key):"), "\(key) = \(value): \(text)")
        }

        do { let v = await seenCount(); XCTAssertEqual(v, 0, "no request for a bad config") }

        // The same plugin with a good config does send: the checks above are not vacuous.
        try fx.config("[vendors.acme]\n\(base)\napi_key = \"env:K\"\n")
        let engine = try await fx.start(environment: ["K": "v"])
        let o = try await engine.act(["id": "ok"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .deleted, o.message)
        do { let v = await seenCount(); XCTAssertEqual(v, 1) }
    }

    // MARK: Bad input from a plugin is an error, never a crash

    func testBadNumbersFromLuaFailTheActionInsteadOfCrashing() async throws {
        try fx.plugin("acme", identity: #"{ "id", "mode" }"#, body: """
            function plugin.delete(ctx, user)
              local base, m = ctx.config.base_url, user.mode
              if m == "sleep-nan" then ctx.sleep(0/0)
              elseif m == "timeout-nan" then ctx.http.get(base .. "/json", { timeout = 0/0 })
              elseif m == "timeout-inf" then ctx.http.get(base .. "/json", { timeout = math.huge })
              elseif m == "timeout-huge" then ctx.http.get(base .. "/json", { timeout = 1e300 })
              elseif m == "jwt-nan" then ctx.auth.jwt{ alg = "HS256", key = "k", lifetime = 0/0 }
              elseif m == "jwt-inf" then ctx.auth.jwt{ alg = "HS256", key = "k", lifetime = math.huge }
              elseif m == "jwt-huge" then ctx.auth.jwt{ alg = "HS256", key = "k", lifetime = 9.2e18 }
              end
              return { outcome = "deleted", message = "accepted " .. m }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let cases = ["sleep-nan": "ctx.sleep", "timeout-nan": "timeout", "timeout-inf": "timeout",
                     "timeout-huge": "timeout", "jwt-nan": "lifetime", "jwt-inf": "lifetime", "jwt-huge": "lifetime"]
        var outcomes: [String: Outcome] = [:]
        for mode in cases.keys.sorted() { outcomes[mode] = try await engine.act(["id": "x", "mode": mode]) }
        // The engine is still fine afterwards.
        let sleepInf = try await engine.act(["id": "y", "mode": "none"])
        await engine.shutdown()
        for (mode, word) in cases {
            let o = try XCTUnwrap(outcomes[mode])
            XCTAssertEqual(o.kind, .failed, "\(mode): \(o.message)")
            XCTAssertTrue(o.message.contains(word), "\(mode): \(o.message)")
        }
        XCTAssertEqual(sleepInf.kind, .deleted, sleepInf.message)
        do { let v = await seenCount(); XCTAssertEqual(v, 0, "nothing sent with a bad timeout") }
    }

    // MARK: 11. ctx.sleep

    func testSleepDoesNotBlockOtherCoroutines() async throws {
        try fx.plugin("acme", identity: #"{ "id", "role" }"#, body: """
            function plugin.delete(ctx, user)
              local base = ctx.config.base_url
              if user.role == "sleeper" then
                ctx.http.get(base .. "/echo/sleeper-start")
                local t0 = ctx.now()
                ctx.sleep(0.5)
                local slept = ctx.now() - t0
                ctx.http.get(base .. "/echo/sleeper-end")
                return { outcome = "deleted", message = string.format("%s %.3f", shared.quick_done and "quick-first" or "sleeper-first", slept) }
              end
              ctx.http.get(base .. "/echo/quick")
              shared.quick_done = true
              return { outcome = "deleted", message = "quick" }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let sleeper = Task { try await engine.act(["id": "a", "role": "sleeper"]) }
        // Start the quick action only once the sleeper is under way (about to sleep).
        while await seenCount("/echo/sleeper-start") == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        let quick = try await engine.act(["id": "b", "role": "quick"])
        let quickDoneSeen = await server.seen.requests.map(\.target)
        let slow = try await sleeper.value
        await engine.shutdown()

        XCTAssertEqual(quick.kind, .deleted, quick.message)
        XCTAssertEqual(slow.kind, .deleted, slow.message)
        XCTAssertFalse(quickDoneSeen.contains("/echo/sleeper-end"), "the quick action finished while the other slept")
        let parts = slow.message.split(separator: " ")
        XCTAssertEqual(parts.first, "quick-first", slow.message)
        XCTAssertGreaterThanOrEqual(Double(parts.last ?? "") ?? 0, 0.49, "ctx.sleep waited")
        let order = await server.seen.requests.map(\.target)
        XCTAssertEqual(order, ["/echo/sleeper-start", "/echo/quick", "/echo/sleeper-end"])
    }
}
