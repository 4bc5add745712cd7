import Foundation
import XCTest

@testable import ErasureJournal
@testable import ErasurePlugins
@testable import ErasureRun
import ErasureTesting

/// ctx.state across runs over one journal: a two-step deletion (deactivate, which clears the
/// e-mail, then delete permanently) whose second step fails is finished by the next run — not
/// reported `not_found` because the e-mail no longer finds the person.
final class PluginStateTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    func writePlugin() throws {
        try fx.plugin("acme", identity: #"{ "email" }"#, body: """
            function plugin.lookup(ctx, user)
              local id = ctx.state.get("deactivated")
              if id then return { id = id, deactivated = true } end
              local r = ctx.http.get(ctx.url(ctx.config.base_url, "twostep", "users"), { query = { email = user.email } })
              local u = r.json().users[1]
              return u and { id = u.id } or nil
            end
            function plugin.delete(ctx, user, record)
              local base = ctx.config.base_url
              if not record.deactivated then
                local r = ctx.http.post(ctx.url(base, "twostep", "users", record.id, "deactivate"))
                if not r.planned and r.status ~= 200 then return { outcome = "failed", message = "deactivate: " .. r.status } end
                ctx.state.set("deactivated", record.id)
              end
              local r = ctx.http.delete(ctx.url(base, "twostep", "users", record.id))
              if r.planned then return { outcome = "deleted" } end
              if r.status ~= 204 and r.status ~= 404 then
                return { outcome = "failed", message = "permanent delete: " .. r.status, retryable = true }
              end
              ctx.state.set("deactivated", nil)
              return { outcome = "deleted", vendor_id = record.id }
            end
            """)
    }

    func runOnce(journal: String, dryRun: Bool = false) async throws -> [Outcome] {
        let workflowPath = try fx.write("wf.lua", """
            return function(person, vendors)
              for _, v in ipairs(vendors) do
                local record = v:lookup()
                if record then v:delete(record) end
              end
            end
            """)
        let engine = try await fx.start(dryRun: dryRun)
        let workflow = try await Workflow.load(path: workflowPath, engine: engine, params: [:])
        let report = OutcomeCollector()
        let options = BatchOptions()
        let result = await Runner(engine: engine).batch(
            workflow, people: .one(try Identity(arguments: ["email=ada@example.com"])), options: options, sink: report,
            journal: journal, resume: .none, input: nil, argv: ["test"])
        await engine.shutdown()
        _ = try result.get()
        return report.outcomes.filter { $0.action == .delete || $0.kind == .notFound }
    }

    func testATwoStepDeletionWhoseSecondStepFailedIsFinishedByTheNextRun() async throws {
        try writePlugin()
        try acmeConfig()
        let journal = fx.dir.appendingPathComponent("journal.sqlite").path

        // A rehearsal first: it must leave nothing behind for the real runs.
        let planned = try await runOnce(journal: journal, dryRun: true)
        XCTAssertEqual(planned.map(\.kind), [.planned])

        let first = try await runOnce(journal: journal)
        XCTAssertEqual(first.map(\.kind), [.failed], first.map(\.message).joined(separator: "\n"))
        XCTAssertTrue(first[0].message.contains("permanent delete: 500"), first[0].message)
        let between = await server.seen.twostep["u1"]
        XCTAssertEqual(between?.deactivated, true, "step 1 happened")
        XCTAssertNil(between?.email ?? nil, "and the vendor cleared the e-mail")

        let second = try await runOnce(journal: journal)
        XCTAssertEqual(second.map(\.kind), [.deleted], second.map(\.message).joined(separator: "\n"))
        XCTAssertEqual(second[0].vendorID, "u1")
        XCTAssertEqual(second[0].verified, true, "and a lookup afterwards no longer finds them")
        let after = await server.seen.twostep["u1"]
        XCTAssertNil(after?.deactivated, "gone for good")
        let deactivations = await server.seen.seen(pathPrefix: "/twostep/users/u1/deactivate")
        XCTAssertEqual(deactivations.count, 1, "step 1 was not repeated")

        // The journal keeps the state under a pseudonym, never the e-mail address.
        // The main file and its write-ahead log, whichever holds the latest pages.
        for file in [journal, journal + "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: file) else { continue }
            XCTAssertNil(bytes.range(of: Data("ada@example.com".utf8)), "no identity in clear in \(file)")
        }
    }
}
