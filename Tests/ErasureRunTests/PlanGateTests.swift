import Foundation
import XCTest

@testable import ErasureRun
import ErasurePlugins
import ErasureTesting

/// Applying a plan sends only the mutations it holds, request for request: a deletion whose
/// request differs from the planned one (same record, a different URL) is held by the host and
/// the step is `skipped: changed since plan`; an identical one is sent.
final class PlanGateTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    func testAMutationNotInThePlanIsNotSent() async throws {
        try fx.plugin("acme", extra: #"verify = { skip = "a test vendor" },"#, body: """
            function plugin.lookup(ctx, user)
              local r = ctx.http.get(ctx.config.base_url .. "/echo/" .. user.id)
              if r.status ~= 200 then error({ message = "echo answered " .. r.status }) end
              return { id = user.id }
            end
            function plugin.delete(ctx, user, record)
              -- "drifting" builds a new request each time (a nonce): never the one planned.
              local query = user.id == "drifting" and { nonce = ctx.uuid() } or nil
              local r = ctx.http.request({ method = "DELETE", url = ctx.config.base_url .. "/echo/" .. user.id, query = query })
              if r.planned then return { outcome = "planned" } end
              return { outcome = "deleted", message = "gone", vendor_id = user.id }
            end
            """)
        try acmeConfig()
        let csvPath = try fx.write("people.csv", "id\nstable\ndrifting\n")
        let workflowPath = try fx.write("wf.lua", """
            return function(person, vendors)
              for _, v in ipairs(vendors) do
                local record = v:lookup()
                if record then v:delete(record) end
              end
            end
            """)
        let dry = try await fx.start(dryRun: true)
        let planned = try await Runner(engine: dry).plan(try await Workflow.load(path: workflowPath, engine: dry, params: [:]),
                                                     people: .csv(try CSVPeople(path: csvPath)), options: BatchOptions(),
                                                     sink: OutcomeCollector(), input: csvPath)
        await dry.shutdown()
        let plan = planned.0
        XCTAssertEqual(PlanSummary(plan).deletions, 2)
        XCTAssertEqual(plan.people.map { $0.vendors.first?.lookup }, [.found, .found])
        let seenBefore = await server.seen.seen(pathPrefix: "/echo").filter { $0.method == "DELETE" }.count
        XCTAssertEqual(seenBefore, 0, "planning sends no mutation")

        let real = try await fx.start()
        let report = OutcomeCollector()
        let result = await Runner(engine: real).batch(
            try await Workflow.load(path: workflowPath, engine: real, params: [:]), people: .planned(plan),
            options: BatchOptions(), sink: report, journal: nil, resume: .none, input: nil, argv: [])
        await real.shutdown()
        _ = try result.get()
        let deletes = report.outcomes.filter { $0.action == .delete }
        XCTAssertEqual(deletes.first { $0.user["id"] == "stable" }?.kind, .deleted, report.jsonLines.joined(separator: "\n"))
        let drifting = deletes.first { $0.user["id"] == "drifting" }
        XCTAssertEqual(drifting?.kind, .skipped, report.jsonLines.joined(separator: "\n"))
        XCTAssertTrue(drifting?.message.hasPrefix("changed since plan: DELETE ") ?? false, drifting?.message ?? "")
        let sent = await server.seen.seen(pathPrefix: "/echo").filter { $0.method == "DELETE" }
        XCTAssertEqual(sent.count, 1, "only the planned request was sent")
        XCTAssertEqual(sent.first?.target, "/echo/stable")
    }
}
