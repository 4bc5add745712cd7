import Foundation
import XCTest

@testable import ErasureRun
import ErasureTesting

/// A batch through a workflow: people really are in flight at once in one Lua runtime.
final class BatchRunnerTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    // MARK: 2. 64 coroutines with requests in flight at once

    /// 64 people through a workflow, 64 at a time, each lookup held at the server's gate until 64
    /// requests are in flight together: only true concurrency lets the gate open.
    func test64CoroutinesHaveRequestsInFlightAtOnce() async throws {
        // Its delete sends nothing, so nothing could verify it.
        try fx.plugin("acme", extra: #"verify = { skip = "a test vendor: its delete sends nothing" },"#, body: """
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
        let report = OutcomeCollector()
        var options = BatchOptions()
        options.concurrency = 64
        options.maxDeletions = nil
        let result = await BatchRunner.run(workflow, people: .csv(try CSVPeople(path: csvPath)), options: options,
                                           sink: report, hooks: nil, budget: DeletionBudget(limit: nil))
        await engine.shutdown()

        let peak = await server.seen.maxInFlight
        XCTAssertGreaterThanOrEqual(peak, 64, "requests in flight at once")
        XCTAssertEqual(result.people, 64)
        XCTAssertFalse(result.failed)
        XCTAssertEqual(report.count(.deleted), 64, report.jsonLines.joined(separator: "\n"))
        do { let v = await seenCount("/gate"); XCTAssertEqual(v, 64) }
    }

    // MARK: one stuck person

    /// Finding 7 in a batch: one person's lookup keeps the matcher busy (pattern bombs under
    /// pcall, for ever) and another's sleeps for ever. With three people in flight at once, the
    /// others all go through the one slot left while they are stuck, and each stuck one ends
    /// `failed` at its action deadline with a message naming the limit.
    func testStuckPeopleDoNotStallTheBatch() async throws {
        try fx.plugin("acme", extra: #"verify = { skip = "a test vendor: its delete sends nothing" },"#, body: """
            function plugin.lookup(ctx, user)
              if user.id == "bomb" then
                local s, p = ("a"):rep(60), ("a-"):rep(30) .. "b"
                while true do pcall(string.find, s, p) end
              elseif user.id == "sleeper" then
                while true do ctx.sleep(0.2) end
              end
              local r = ctx.http.get(ctx.config.base_url .. "/echo/" .. user.id)
              if r.status ~= 200 then error({ message = "echo answered " .. r.status }) end
              return { id = user.id }
            end
            function plugin.delete(ctx, user, record)
              return { outcome = "deleted", message = "gone", vendor_id = user.id }
            end
            """)
        try acmeConfig("action_timeout = 8")
        var csv = "id\nbomb\nsleeper\n"
        for i in 1...20 { csv += "person-\(i)\n" }
        let csvPath = try fx.write("people.csv", csv)
        let workflowPath = try fx.write("wf.lua", """
            return function(person, vendors)
              for _, v in ipairs(vendors) do
                local record = v:lookup()
                if record then v:delete(record) end
              end
            end
            """)
        let engine = try await fx.start(concurrency: 4)
        let workflow = try await Workflow.load(path: workflowPath, engine: engine, params: [:])
        let report = OutcomeCollector()
        var options = BatchOptions()
        options.concurrency = 3
        options.maxDeletions = nil
        let people = try CSVPeople(path: csvPath)
        let started = ContinuousClock.now
        _ = await BatchRunner.run(workflow, people: .csv(people), options: options, sink: report, hooks: nil,
                                  budget: DeletionBudget(limit: nil))
        let took = ContinuousClock.now - started
        await engine.shutdown()

        let outcomes = report.outcomes
        let lines = report.jsonLines.joined(separator: "\n")
        XCTAssertEqual(outcomes.filter { $0.kind == .deleted }.count, 20, lines)
        // the two stuck people are the last to end, each failed at its deadline, naming the limit
        XCTAssertEqual(outcomes.suffix(2).map { $0.user["id"] ?? "" }.sorted(), ["bomb", "sleeper"], lines)
        for o in outcomes.suffix(2) {
            XCTAssertEqual(o.kind, .failed)
            XCTAssertTrue(o.message.contains("deadline exceeded"), o.message)
            XCTAssertTrue(o.message.contains("action_timeout in [vendors.acme]"), o.message)
        }
        XCTAssertGreaterThanOrEqual(took, .seconds(8))
        XCTAssertLessThan(took, .seconds(40))
    }
}
