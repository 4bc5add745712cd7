import Foundation
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
import ErasureTesting

/// The kit's host API from Lua — every value of a repeated header, Link headers, the pagination
/// iterator, ctx.state, a plugin's declared rate-limit headers — through the real engine and
/// runtime against the test server on loopback.
final class CtxKitTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    /// A plugin whose delete runs `body` (a Lua function body returning a JSON-able value) and
    /// reports it as its message.
    func run(_ body: String, identity: [String: String] = ["id": "1"], extra: String = "") async throws -> Outcome {
        try fx.plugin("acme", extra: extra, body: """
            function plugin.delete(ctx, user)
              local base = ctx.config.base_url
              local result = (function() \(body) end)()
              return { outcome = "deleted", message = ctx.json.encode(result) }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let o = try await engine.act(identity)
        await engine.shutdown()
        return o
    }

    func decoded(_ o: Outcome) throws -> Any {
        XCTAssertEqual(o.kind, .deleted, o.message)
        return try JSONSerialization.jsonObject(with: Data(o.pluginMessage.utf8), options: [.fragmentsAllowed])
    }

    // MARK: headers and links

    func testHeaderValuesSeesEveryLineInEitherOrder() async throws {
        for order in ["next-first", "self-first"] {
            let o = try await run("""
                local r = ctx.http.get(base .. "/list?mode=link&order=\(order)")
                return { values = r.header_values("LINK"), next = r.link("next"), self = r.link("self"),
                         count = #r.links(), none = #r.header_values("x-absent"), ct = r.header_values("content-type") }
                """)
            let m = try XCTUnwrap(try decoded(o) as? [String: Any])
            XCTAssertEqual((m["values"] as? [String])?.count, 2, "\(order): both Link lines")
            XCTAssertEqual(m["next"] as? String, server.base + "/list?mode=link&order=\(order)&start=2", order)
            XCTAssertEqual(m["self"] as? String, "http://elsewhere.invalid/list?start=0")
            XCTAssertEqual(m["count"] as? Int, 2)
            XCTAssertEqual(m["none"] as? Int, 0)
            XCTAssertEqual(m["ct"] as? [String], ["application/json"])
        }
    }

    func testLinkParserReadsSeveralLinksInOneLineQuotedCommasAndRelLists() async throws {
        let o = try await run("""
            local r = ctx.http.get(base .. "/list?mode=link&order=one-line")
            local l = r.links()
            return { n = #l, first = l[1].url, title = l[1].params.title, prev = r.link("prev"), first_rel = r.link("FIRST"),
                     next = r.link("next"), next_rel = l[2].rel, last = r.link("last") }
            """)
        let m = try XCTUnwrap(try decoded(o) as? [String: Any])
        XCTAssertEqual(m["n"] as? Int, 3)
        XCTAssertEqual(m["first"] as? String, "https://x.example/p?a=1,2", "a comma inside <> is part of the URL")
        XCTAssertEqual(m["title"] as? String, "a, b; c", "a comma and a semicolon inside quotes")
        XCTAssertEqual(m["prev"] as? String, "https://x.example/p?a=1,2", "rel lists: prev")
        XCTAssertEqual(m["first_rel"] as? String, "https://x.example/p?a=1,2", "rel lists: first, any case")
        XCTAssertEqual(m["next"] as? String, server.base + "/list?mode=link&order=one-line&start=2", "relative, resolved")
        XCTAssertEqual(m["next_rel"] as? String, "next", "a repeated rel: the first counts")
        XCTAssertEqual(m["last"] as? String, "https://x.example/last")
    }

    // MARK: pagination

    func pages(_ spec: String) async throws -> Outcome {
        try await run("""
            local all, n = {}, 0
            for items, resp in ctx.http.pages{ url = base .. "/list", \(spec), items = function(resp) return resp.json().items end } do
              n = n + 1
              for _, it in ipairs(items) do all[#all + 1] = it end
            end
            return { items = table.concat(all, ","), pages = n }
            """)
    }

    func testPagesByLinkOffsetPageAndCursor() async throws {
        let styles = [
            #"paging = "link", query = { mode = "link", order = "self-first" }"#,
            #"paging = "link", query = { mode = "link", order = "one-line" }"#,
            #"paging = "offset", limit = 2"#,
            #"paging = "page", limit = 2"#,
            #"paging = "cursor", query = { start = 0 }, cursor = function(resp) return resp.json().next end"#,
        ]
        for style in styles {
            let o = try await pages(style)
            let m = try XCTUnwrap(try decoded(o) as? [String: Any])
            XCTAssertEqual(m["items"] as? String, "a,b,c,d,e", style)
            XCTAssertEqual(m["pages"] as? Int, 3, style)
        }
    }

    func testMorePagesThanTheCapIsAnErrorNotASilentStop() async throws {
        let o = try await pages(#"paging = "offset", limit = 2, max_pages = 2"#)
        XCTAssertEqual(o.kind, .failed)
        XCTAssertTrue(o.message.contains("more than 2 pages (max_pages = 2)"), o.message)
    }

    func testAPageThatFailsRaisesWithItsStatus() async throws {
        let o = try await run("""
            for items in ctx.http.pages{ url = base .. "/status/404", items = function(r) return {} end } do end
            return {}
            """)
        XCTAssertEqual(o.kind, .failed)
        XCTAssertTrue(o.message.contains("answered HTTP 404"), o.message)
    }

    // MARK: state

    func testStateRoundTripsValuesPerPerson() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              local before = ctx.state.get("step")
              ctx.state.set("step", { n = (before and before.n or 0) + 1, id = user.id })
              ctx.state.set("gone", "x"); ctx.state.set("gone", nil)
              return { outcome = "deleted", message = ctx.json.encode({ before = before or "none", gone = ctx.state.get("gone") or "nil" }) }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let first = try await engine.act(["id": "1"])
        let second = try await engine.act(["id": "1"])
        let other = try await engine.act(["id": "2"])
        await engine.shutdown()
        XCTAssertEqual(try parseObject(first.pluginMessage)["before"] as? String, "none")
        XCTAssertEqual(try parseObject(first.pluginMessage)["gone"] as? String, "nil")
        let again = try XCTUnwrap(try parseObject(second.pluginMessage)["before"] as? [String: Any])
        XCTAssertEqual(again["n"] as? Int, 1)
        XCTAssertEqual(again["id"] as? String, "1")
        XCTAssertEqual(try parseObject(other.pluginMessage)["before"] as? String, "none", "another person's state is not visible")
    }

    // MARK: declared rate-limit headers

    func testADeclaredRateLimitTableIsCheckedAndWrongOnesNamed() async throws {
        try fx.plugin("acme", extra: #"rate_limit = { remaining = "X-Left", reset = 5, reset_is = "epoch" },"#,
                      body: "function plugin.delete() return { outcome = \"deleted\" } end")
        try acmeConfig()
        do {
            _ = try await fx.start()
            XCTFail("a rate_limit table with a numeric reset must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("`rate_limit` must be { remaining"), "\(error)")
        }
    }

    // MARK: config keys

    func testRetriesStillWorksWithADeprecationWarningAndMaxAttemptsCountsEveryTry() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              local r = ctx.http.get(ctx.config.base_url .. "/always503")
              return { outcome = "deleted", message = tostring(r.status) }
            end
            """)
        try acmeConfig("retries = 2")
        let (engine, warnings) = try await capturingStderr { try await fx.start() }
        XCTAssertTrue(warnings.contains("`retries` is deprecated ([vendors.acme]"), warnings)
        XCTAssertTrue(warnings.contains("rename it max_attempts"), warnings)
        _ = try await engine.act(["id": "1"])
        await engine.shutdown()
        do { let n = await seenCount("/always503"); XCTAssertEqual(n, 2) }

        try acmeConfig("max_attempts = 3\nretries = 3")
        do {
            _ = try await fx.start()
            XCTFail("both names at once must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("retries: is the old name of max_attempts"), "\(error)")
        }
    }

    // MARK: a failure the plugin decides

    func testAFailureThePluginDecidesAfterA2xxDoesNotBlameTheVendor() async throws {
        try fx.plugin("acme", body: """
            function plugin.delete(ctx, user)
              ctx.http.get(ctx.config.base_url .. "/json")
              return { outcome = "failed", message = "the account is an owner: transfer it first" }
            end
            """)
        try acmeConfig()
        let engine = try await fx.start()
        let o = try await engine.act(["id": "1"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .failed)
        XCTAssertEqual(o.message, "the account is an owner: transfer it first")
        XCTAssertEqual(o.httpStatus, 200, "the last answer's status is still in --json")
    }
}
