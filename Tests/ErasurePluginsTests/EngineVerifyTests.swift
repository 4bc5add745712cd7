import Foundation
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
import ErasureTesting

/// The host's check of a deletion the vendor confirmed (the plugin's `verify` declaration), run
/// by the real engine over real Lua against a recording server: the vendor here is the plugin's
/// own `shared.present`, which its delete clears unless it is told to lie.
final class EngineVerifyTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    func vendor(_ verify: String?, lookup: String = "shared.present ~= false and { id = user.id } or nil") throws {
        try fx.plugin("acme", config: "lie = { default = false, type = \"boolean\" }",
                      extra: verify.map { "verify = \($0)," } ?? "", body: """
            function plugin.lookup(ctx, user)
              ctx.http.get(ctx.url(ctx.config.base_url, "echo", "lookup", user.id))
              return \(lookup)
            end
            function plugin.delete(ctx, user)
              local resp = ctx.http.delete(ctx.url(ctx.config.base_url, "echo", user.id))
              if resp.planned then return { outcome = "planned" } end
              if not ctx.config.lie then shared.present = false end
              return { outcome = "deleted", message = "gone", vendor_id = user.id }
            end
            """)
        try acmeConfig()
    }

    func paths(_ o: Outcome) -> [String] { o.requests.map { "\($0.method) \(URL(string: $0.url)?.path ?? "")" } }

    func testGoneOnALookupAfterwardsIsVerifiedAndTheLookupIsInTheOutcome() async throws {
        try vendor(nil)
        let engine = try await fx.start()
        let o = try await engine.act(["id": "42"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .deleted, o.message)
        XCTAssertEqual(o.verified, true)
        XCTAssertEqual(o.message, "gone (verified: a lookup afterwards no longer finds them)")
        XCTAssertEqual(paths(o), ["DELETE /echo/42", "GET /echo/lookup/42"])
    }

    func testStillThereAfterwardsIsFailed() async throws {
        try vendor("\"lookup\"")
        try acmeConfig("lie = true")
        let engine = try await fx.start()
        let o = try await engine.act(["id": "42"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .failed)
        XCTAssertEqual(o.retryable, true)
        XCTAssertTrue(o.message.contains("acme said the person was deleted (gone), but a lookup afterwards still finds them"),
                      o.message)
        XCTAssertNil(o.verified)
    }

    func testAPluginCanSayWhyItCannotCheck() async throws {
        try vendor(#"{ skip = "acme deletes overnight" }"#)
        let engine = try await fx.start()
        let o = try await engine.act(["id": "42"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .deleted)
        XCTAssertEqual(o.verified, false)
        XCTAssertEqual(o.verification, "acme deletes overnight")
        XCTAssertEqual(o.message, "gone (not verified: acme deletes overnight)")
        XCTAssertEqual(paths(o), ["DELETE /echo/42"], "no check sent")
        XCTAssertTrue(o.jsonLine().contains(#""verified":false,"verification":"acme deletes overnight""#), o.jsonLine())
    }

    func testAVerifyFunctionGetsTheResultAndDecides() async throws {
        try vendor("""
            function(ctx, user, result)
                ctx.http.get(ctx.url(ctx.config.base_url, "echo", "check", result.vendor_id))
                if ctx.config.lie then return { id = result.vendor_id } end
                return nil
              end
            """)
        var engine = try await fx.start()
        let gone = try await engine.act(["id": "7"])
        await engine.shutdown()
        XCTAssertEqual(gone.kind, .deleted, gone.message)
        XCTAssertEqual(gone.verified, true)
        XCTAssertEqual(paths(gone), ["DELETE /echo/7", "GET /echo/check/7"])
        try acmeConfig("lie = true")
        engine = try await fx.start()
        let stays = try await engine.act(["id": "7"])
        await engine.shutdown()
        XCTAssertEqual(stays.kind, .failed, stays.message)
    }

    func testACheckThatCannotBeMadeLeavesTheDeletionUnverified() async throws {
        try vendor(nil, lookup: "shared.present == false and error({ message = 'lookup broke', retryable = true }) or {}")
        let engine = try await fx.start()
        let o = try await engine.act(["id": "42"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .deleted)
        XCTAssertEqual(o.verified, false)
        XCTAssertEqual(o.verification, "the lookup afterwards failed: lookup broke")
    }

    func testADryRunPlansWithoutChecking() async throws {
        try vendor(nil)
        let engine = try await fx.start(dryRun: true)
        let o = try await engine.act(["id": "42"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .planned)
        XCTAssertNil(o.verified)
        do { let n = await seenCount(); XCTAssertEqual(n, 0, "nothing sent, no lookup afterwards") }
    }

    func testTheVerifyDeclarationIsChecked() async throws {
        for (declaration, problem) in [("3", "`verify` must be \"lookup\", a function"),
                                       ("{ skip = \"\" }", "`verify` must be"),
                                       ("\"lokup\"", "`verify` must be")] {
            try vendor(declaration)
            do {
                let engine = try await fx.start()
                await engine.shutdown()
                XCTFail("verify = \(declaration) was accepted")
            } catch let e as SetupError {
                XCTAssertTrue(e.description.contains(problem), "\(declaration): \(e.description)")
            }
        }
        // "lookup" needs a lookup function.
        try fx.plugin("acme", extra: "verify = \"lookup\",", body: """
            function plugin.delete(ctx, user) return { outcome = "deleted", message = "x" } end
            """)
        do {
            let engine = try await fx.start()
            await engine.shutdown()
            XCTFail("verify = \"lookup\" without lookup was accepted")
        } catch let e as SetupError {
            XCTAssertTrue(e.description.contains("needs a `lookup` function"), e.description)
        }
    }
}
