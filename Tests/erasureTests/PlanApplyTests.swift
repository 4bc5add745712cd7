import Foundation
import Sandbox
import XCTest

/// Issue 14: `erasure plan` then `erasure apply` sends exactly the planned mutations; a record
/// changed in between is skipped at that vendor only; a second apply sends nothing; a plan whose
/// workflow or config changed, or one too old, is refused before anything is sent.
final class PlanApplyTests: XCTestCase {
    /// A mutation as the sandbox logged it: method, path with query, body (secrets as the plan shows them).
    static func logged(_ r: [String: Any], secrets: [String]) -> String {
        let query = r["query"] as? String ?? ""
        var body = r["body"] as? String ?? ""
        for s in secrets { body = body.replacingOccurrences(of: s, with: "***") }
        return "\(r["method"] as? String ?? "") \(r["path"] as? String ?? "")\(query.isEmpty ? "" : "?" + query) \(body)"
    }

    /// Every request a plan holds, in the same form.
    static func planned(_ plan: [String: Any]) -> [String] {
        var out: [String] = []
        for person in plan["people"] as? [[String: Any]] ?? [] {
            for vendor in person["vendors"] as? [[String: Any]] ?? [] {
                for step in vendor["steps"] as? [[String: Any]] ?? [] where step["outcome"] as? String == "planned" {
                    for r in step["requests"] as? [[String: Any]] ?? [] {
                        let url = URLComponents(string: r["url"] as? String ?? "")!
                        let query = url.percentEncodedQuery ?? ""
                        out.append("\(r["method"] as? String ?? "") \(url.percentEncodedPath)\(query.isEmpty ? "" : "?" + query) \(r["body"] as? String ?? "")")
                    }
                }
            }
        }
        return out
    }

    func assertNothingSent(_ e: E2E, _ why: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let sent = E2E.mutating(try await e.requests())
        XCTAssertEqual(sent.count, 0, "\(why): \(sent.prefix(3))", file: file, line: line)
    }

    func testApplySendsExactlyThePlanAndNothingTwice() async throws {
        let n = 6
        let e = try await E2E(seed: .generated(people: n))
        let people = e.dir.appendingPathComponent("people.csv").path
        try RunCommandTests.csv(people: 1...n).write(toFile: people, atomically: true, encoding: .utf8)
        let planPath = e.dir.appendingPathComponent("batch.plan").path
        let journal = e.dir.appendingPathComponent("journal.sqlite").path

        let made = try e.erasure(["plan", "offboard", "--users", people, "--out", planPath])
        XCTAssertEqual(made.status, 0, made.all)
        XCTAssertTrue(made.stdout.contains("30 deletions"), made.stdout)
        XCTAssertTrue(made.stdout.contains("blind: 6 of them at pagos"), made.stdout)
        try await assertNothingSent(e, "planning sends no mutation")
        let plan = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planPath))) as! [String: Any]
        XCTAssertEqual((plan["people"] as? [Any])?.count, n)
        let attributes = try FileManager.default.attributesOfItem(atPath: planPath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, "the plan holds identities")

        let shown = try e.erasure(["plan", "show", planPath, "--json"])
        XCTAssertEqual(shown.status, 0, shown.all)
        let summary = (shown.lines.first?["summary"] as? [String: Any]) ?? [:]
        XCTAssertEqual(summary["deletions"] as? Int, 5 * n, shown.stdout)
        XCTAssertEqual(summary["blind"] as? Int, n, shown.stdout)

        // Person 2 is suspended at GafaPay after the plan (its record changes); person 3 is
        // deleted at CubiCasa (gone).
        let p2 = SandboxSeed.GeneratedPerson(index: 2), p3 = SandboxSeed.GeneratedPerson(index: 3)
        XCTAssertEqual(try e.erasure(["suspend", "gafapay", "id=\(p2.gafapayId)", "--no-journal"]).status, 0)
        XCTAssertEqual(try e.erasure(["delete", "cubicasa", "id=\(p3.cubicasaId)", "--no-journal"]).status, 0)
        try await e.clearRequests()

        // Over the limit: refused, nothing sent.
        let over = try e.erasure(["apply", planPath, "--journal", journal, "--max-deletions", "29"])
        XCTAssertEqual(over.status, 2, over.all)
        XCTAssertTrue(over.stderr.contains("30 deletions"), over.stderr)
        try await assertNothingSent(e, "over the limit: nothing sent")

        let applied = try e.erasure(["apply", planPath, "--journal", journal, "--json", "--max-deletions", "30"])
        XCTAssertEqual(applied.status, 0, applied.all)
        let sent = E2E.mutating(try await e.requests()).map { PlanApplyTests.logged($0, secrets: e.secrets) }
        let expected = PlanApplyTests.planned(plan).filter { entry in
            !entry.contains("/user_detail/\(p2.gafapayId)") && !entry.contains("/users/\(p3.cubicasaId)")
        }
        XCTAssertEqual(sent.sorted(), expected.sorted(), "the sandbox received exactly the planned mutations")
        XCTAssertEqual(sent.count, 5 * n - 2)
        let outcomes = applied.lines
        let changed = outcomes.filter { ($0["message"] as? String ?? "").contains("changed since plan") }
        XCTAssertEqual(changed.count, 1, "\(changed)")
        XCTAssertEqual(changed.first?["vendor"] as? String, "gafapay")
        XCTAssertEqual(changed.first?["outcome"] as? String, "skipped")
        let gone = outcomes.filter { $0["vendor"] as? String == "cubicasa" && $0["outcome"] as? String == "not_found" }
        XCTAssertEqual(gone.count, 1, applied.stdout)
        XCTAssertEqual(outcomes.filter { $0["outcome"] as? String == "deleted" }.count, 5 * n - 2, applied.stdout)

        // Again: the journal knows the plan was applied; nothing at all is sent.
        try await e.clearRequests()
        let again = try e.erasure(["apply", planPath, "--journal", journal, "--json"])
        XCTAssertEqual(again.status, 0, again.all)
        try await assertNothingSent(e, "a second apply sends nothing")

        // A changed config or workflow: refused, exit 2, naming it.
        let edited = e.dir.appendingPathComponent("edited.toml").path
        let toml = try String(contentsOfFile: e.configPath, encoding: .utf8)
        try toml.replacingOccurrences(of: "[vendors.gafapay]\n", with: "[vendors.gafapay]\nretries = 2\n")
            .write(toFile: edited, atomically: true, encoding: .utf8)
        let configChanged = try e.erasure(["apply", planPath, "--journal", journal, "--config", edited])
        XCTAssertEqual(configChanged.status, 2, configChanged.all)
        XCTAssertTrue(configChanged.stderr.contains("the config changed since the plan"), configChanged.stderr)

        let workflow = e.dir.appendingPathComponent("wf.lua").path
        try "return function(person, vendors) for _, v in ipairs(vendors) do local r = v:lookup() if r then v:delete(r) end end end\n"
            .write(toFile: workflow, atomically: true, encoding: .utf8)
        let wfPlan = e.dir.appendingPathComponent("wf.plan").path
        XCTAssertEqual(try e.erasure(["plan", workflow, "--users", people, "--out", wfPlan]).status, 0)
        try "-- edited\n".appending(try String(contentsOfFile: workflow, encoding: .utf8))
            .write(toFile: workflow, atomically: true, encoding: .utf8)
        try await e.clearRequests()
        let wfChanged = try e.erasure(["apply", wfPlan, "--journal", journal, "--yes"])
        XCTAssertEqual(wfChanged.status, 2, wfChanged.all)
        XCTAssertTrue(wfChanged.stderr.contains("wf.lua changed since the plan"), wfChanged.stderr)
        let old = try e.erasure(["apply", planPath, "--journal", journal, "--max-age", "0s"])
        XCTAssertEqual(old.status, 2, old.all)
        XCTAssertTrue(old.stderr.contains("--max-age"), old.stderr)
        try await assertNothingSent(e, "a refused plan sends nothing")
        await e.shutdown()
    }
}
