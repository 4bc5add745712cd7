import Foundation
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
import ErasureTesting

/// Each `ctx.http` capability from Lua: real plugin files run by the real `Engine` (LuaBridge runtime,
/// the `ctx` layer, HTTPEngine) against the Hummingbird test server on loopback.
final class CtxHTTPTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

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
        let m = try parseObject(o.pluginMessage)
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
        // The same plugin with localhost's origin in its hosts: proves localhost is reachable, so
        // the refusals above are the allowlist's doing.
        try fx.plugin("acme_wide", config: "other_base = {}", hosts: "{ \"\(server.otherHostBase)\" }", body: """
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
        XCTAssertTrue(direct.message.contains("'\(server.otherHostBase)'"), direct.message)
        XCTAssertEqual(afterDirect, 0, "nothing sent to a host outside the allowlist")

        XCTAssertEqual(redirect.kind, .failed)
        XCTAssertTrue(redirect.message.contains("acme"), redirect.message)
        XCTAssertTrue(redirect.message.contains("redirect"), redirect.message)
        XCTAssertTrue(redirect.message.contains("'\(server.otherHostBase)'"), redirect.message)
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

    /// The journal's `sent` mark (the engine's `beforeMutating`) is made only for a mutation that
    /// really leaves: not for one the gate refuses, not for a read, a read-only POST or a token.
    func testOnlyAMutationThatLeavesIsMarkedSent() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              local base = ctx.config.base_url
              local ok, err = pcall(ctx.http.delete, base .. "/echo/refused", { headers = { ["X-Note"] = "a\\r\\nb" } })
              assert(not ok and err.retryable == false and err.kind == "invalidRequest", "refused")
              ctx.http.get(base .. "/echo/get")
              ctx.http.post(base .. "/echo/search", { json = { q = user.id }, read_only = true })
              if user.id == "real" then ctx.http.delete(ctx.url(base, "echo", "delete", user.id)) end
              return { outcome = "deleted", message = "done" }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let marks = Locked<[Int]>([])
        for id in ["refused-only", "real"] {
            let (o, _) = await engine.perform(vendor: "acme", action: .delete, user: ["id": id], beforeMutating: { [server] in
                let seen = await server!.seen.requests.count
                marks.withLock { $0.append(seen) }
            })
            XCTAssertEqual(o.kind, .deleted, o.message)
        }
        await engine.shutdown()
        let seen = await server.seen.requests.map { $0.target }
        XCTAssertEqual(seen, ["/echo/get", "/echo/search", "/echo/get", "/echo/search", "/echo/delete/real"])
        XCTAssertEqual(marks.current, [4], "one mark, made after the reads and before the DELETE left")
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
        let parts = slow.pluginMessage.split(separator: " ")
        XCTAssertEqual(parts.first, "quick-first", slow.message)
        XCTAssertGreaterThanOrEqual(Double(parts.last ?? "") ?? 0, 0.49, "ctx.sleep waited")
        let order = await server.seen.requests.map(\.target)
        XCTAssertEqual(order, ["/echo/sleeper-start", "/echo/quick", "/echo/sleeper-end"])
    }
}
