import Foundation
import Sandbox
import XCTest

/// Issue 7: a batch killed with SIGKILL at random points resumes without losing anyone or
/// deleting anyone twice; the journal proves what happened and detects tampering.
final class RunCommandResumeTests: XCTestCase {
    /// The person and vendor a logged request deleted, when the sandbox says it deleted someone.
    static func successfulDeletion(_ r: [String: Any]) -> String? {
        guard r["effect"] as? String == "deleted" else { return nil }
        return "\(r["vendor"] as? String ?? "") \(r["path"] as? String ?? "") \(r["body"] as? String ?? "")"
    }

    func testKilledBatchResumesWithoutLossOrDoubleDeletion() async throws {
        let n = 1000
        // GafaPay answers within 0.5 s or the request is interrupted: some of its DELETEs wait 0.8 s
        // and then take effect (issue 12: settled by a lookup, never reported not_found).
        let e = try await E2E(seed: .generated(people: n), config: {
            $0.replacingOccurrences(of: "[vendors.gafapay]\n", with: "[vendors.gafapay]\ntimeout = 0.5\n")
        })
        let people = e.dir.appendingPathComponent("people.csv").path
        try RunCommandTests.csv(people: 1...n).write(toFile: people, atomically: true, encoding: .utf8)
        let journal = e.dir.appendingPathComponent("journal.sqlite").path
        try await e.fault(["vendor": "gafapay", "method": "DELETE", "count": 40, "delay_ms": 800])
        // Slow every vendor down so the batch runs long enough to be killed in the middle.
        for vendor in ["dragonpass", "pagos", "engagelab", "gafapay", "cubicasa"] {
            try await e.fault(["vendor": vendor, "count": 1_000_000, "delay_ms": 5])
        }
        let args = ["run", "offboard", "--users", people, "--journal", journal, "--yes", "--json", "--concurrency", "16"]
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<4 {
            let p = try e.start(args + (round == 0 ? [] : ["--resume"]))
            try await Task.sleep(nanoseconds: UInt64.random(in: 500_000_000...1_500_000_000, using: &generator))
            guard p.isRunning else { p.waitUntilExit(); break }  // finished first (a fast machine): resume below
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            kills += 1
        }
        XCTAssertGreaterThanOrEqual(kills, 1, "the batch was never killed in flight")
        let last = try e.erasure(args + ["--resume"])
        XCTAssertEqual(last.status, 0, String(last.all.suffix(2000)))

        // Everyone is gone from every vendor (EngageLab removes devices a moment after answering).
        try await e.eventually("every generated person erased", timeout: 10) {
            let s = try await e.state()
            func rows(_ v: String, _ k: String) -> [[String: Any]] { (s[v] as? [String: Any])?[k] as? [[String: Any]] ?? [] }
            var left = rows("dragonpass", "users").filter { ($0["clientUserId"] as? String ?? "").hasPrefix("user-") }.count
            left += rows("engagelab", "devices").filter { ($0["registration_id"] as? String ?? "").hasPrefix("rid") }.count
            left += rows("gafapay", "users").filter { ($0["id"] as? String ?? "").hasPrefix("fe0000") }.count
            left += rows("cubicasa", "users").filter { ($0["id"] as? String ?? "").hasPrefix("00000000-0000-4000-8000-") }.count
            let sites = (s["pagos"] as? [String: Any])?["sites"] as? [[String: Any]] ?? []
            let pagosUsers: [[String: Any]] = sites.flatMap { $0["users"] as? [[String: Any]] ?? [] }
            left += pagosUsers.filter { name in
                let n = name["UserName"] as? String ?? ""
                return n.hasPrefix("user") && n.dropFirst(4).allSatisfy(\.isNumber)
            }.count
            return left == 0
        }
        // Never two successful deletions of one person at one vendor.
        var seen: [String: Int] = [:]
        for r in try await e.requests() { if let k = RunCommandResumeTests.successfulDeletion(r) { seen[k, default: 0] += 1 } }
        XCTAssertEqual(seen.filter { $0.value > 1 }.count, 0, "deleted twice: \(seen.filter { $0.value > 1 }.prefix(5))")
        XCTAssertEqual(seen.count, 5 * n, "one successful deletion per person and vendor")

        // The journal agrees: every (person, vendor) ends deleted, and its chain verifies.
        let export = try e.erasure(["journal", "export", "--journal", journal, "--format", "jsonl"])
        XCTAssertEqual(export.status, 0, export.stderr)
        var final: [String: String] = [:]
        for line in export.lines {
            let key = "\(line["person_key"] ?? "") \(line["vendor"] ?? "")"
            final[key] = line["outcome"] as? String
        }
        XCTAssertEqual(final.count, 5 * n, "a receipt for every person at every vendor")
        XCTAssertEqual(final.values.filter { $0 != "deleted" }.count, 0, "\(Set(final.values))")
        let verify = try e.erasure(["journal", "verify", "--journal", journal])
        XCTAssertEqual(verify.status, 0, verify.all)

        // Everyone existed and this run deleted them: no run, killed or not, ever said not_found.
        var reported = last.lines
        for log in try FileManager.default.contentsOfDirectory(atPath: e.dir.path) where log.hasPrefix("started-") {
            let text = try String(contentsOf: e.dir.appendingPathComponent(log), encoding: .utf8)
            reported += text.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }
        XCTAssertGreaterThan(reported.count, 5 * n / 2, "the runs reported their outcomes")
        let notFound = reported.filter { $0["outcome"] as? String == "not_found" }
        XCTAssertEqual(notFound.count, 0, "not_found for people this run deleted: \(notFound.prefix(3))")
        await e.shutdown()
    }

    /// An outcome is reported only once the journal holds it. When the journal cannot record
    /// one (here a trigger refuses GafaPay's receipts, as a full disk would), that outcome is
    /// reported `failed` (the request was sent: the step stays `sent`), nothing more is sent for
    /// the person, and `--resume` later confirms the deletion instead of sending it again.
    func testOutcomeTheJournalCannotRecordIsFailedAndResumeConfirmsIt() async throws {
        let n = 3
        let e = try await E2E(seed: .generated(people: n))
        let people = e.dir.appendingPathComponent("people.csv").path
        try RunCommandTests.csv(people: 1...n).write(toFile: people, atomically: true, encoding: .utf8)
        let journal = e.dir.appendingPathComponent("j.sqlite").path
        let plan = try e.erasure(["run", "offboard", "--users", people, "--journal", journal, "--dry-run"])
        XCTAssertEqual(plan.status, 0, plan.all)
        let sqlite = { (sql: String) throws -> E2E.Result in
            try E2E.exec([journal, sql], cwd: e.dir.path, executable: "/usr/bin/sqlite3")
        }
        let poison = try sqlite("""
            CREATE TRIGGER refuse_gafapay BEFORE INSERT ON receipts
            WHEN NEW.vendor = 'gafapay' AND NEW.outcome = 'deleted'
            BEGIN SELECT RAISE(ABORT, 'no space left for this receipt'); END
            """)
        XCTAssertEqual(poison.status, 0, poison.all)

        let args = ["run", "offboard", "--users", people, "--journal", journal, "--yes", "--json", "--concurrency", "2"]
        let broken = try e.erasure(args)
        XCTAssertEqual(broken.status, 1, broken.all)
        let gafapay = broken.lines.filter { $0["vendor"] as? String == "gafapay" }
        XCTAssertEqual(gafapay.count, n, broken.all)
        for line in gafapay {
            XCTAssertEqual(line["outcome"] as? String, "failed")
            XCTAssertTrue((line["message"] as? String ?? "").contains("the journal could not record this outcome (deleted"),
                          "\(line)")
        }
        // The person stops there: after GafaPay's line come the workflow's failure and the
        // vendors left alone (skipped), nothing deleted; and the vendors deleted are exactly
        // those reported deleted, plus GafaPay.
        for person in 2...(n + 1) {
            let lines = broken.lines.filter { $0["line"] as? Int == person }
            let at = try XCTUnwrap(lines.firstIndex { $0["vendor"] as? String == "gafapay" }, broken.all)
            let after = lines[(at + 1)...]
            XCTAssertEqual(after.first?["vendor"] as? String, "workflow", broken.all)
            XCTAssertEqual(after.filter { $0["outcome"] as? String != "skipped" }.count, 1, broken.all)
        }
        let reportedDeleted = broken.lines.filter { $0["outcome"] as? String == "deleted" }.count
        let sandboxDeleted = try await e.requests().compactMap(RunCommandResumeTests.successfulDeletion).count
        XCTAssertEqual(sandboxDeleted, reportedDeleted + n, "every request sent is accounted for")

        XCTAssertEqual(try sqlite("DROP TRIGGER refuse_gafapay").status, 0)
        let resumed = try e.erasure(args + ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.all)
        let confirmed = resumed.lines.filter { $0["vendor"] as? String == "gafapay" }
        XCTAssertEqual(confirmed.count, n, resumed.all)
        for line in confirmed {
            XCTAssertEqual(line["outcome"] as? String, "deleted")
            XCTAssertTrue((line["message"] as? String ?? "").contains("interrupted run"), "\(line)")
        }
        var seen: [String: Int] = [:]
        for r in try await e.requests() { if let k = RunCommandResumeTests.successfulDeletion(r) { seen[k, default: 0] += 1 } }
        XCTAssertEqual(seen.filter { $0.value > 1 }.count, 0, "deleted twice: \(seen.filter { $0.value > 1 })")
        XCTAssertEqual(seen.count, 5 * n, "one successful deletion per person and vendor")
        let verify = try e.erasure(["journal", "verify", "--journal", journal])
        XCTAssertEqual(verify.status, 0, verify.all)
        await e.shutdown()
    }

    func testJournalVerifyNamesAnAlteredOrRemovedReceipt() async throws {
        let e = try await E2E()
        let journal = e.dir.appendingPathComponent("j.sqlite").path
        let r = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--journal", journal])
        XCTAssertEqual(r.status, 0, r.all)
        XCTAssertEqual(try e.erasure(["journal", "verify", "--journal", journal]).status, 0)
        // Alter one receipt with sqlite3, as an auditor's adversary would.
        let edit = try E2E.exec([journal, "UPDATE receipts SET outcome = 'not_found' WHERE seq = 3"],
                                cwd: e.dir.path, executable: "/usr/bin/sqlite3")
        XCTAssertEqual(edit.status, 0, edit.all)
        let altered = try e.erasure(["journal", "verify", "--journal", journal])
        XCTAssertEqual(altered.status, 1, altered.all)
        XCTAssertTrue(altered.all.contains("3"), "verify must name receipt 3: \(altered.all)")
        await e.shutdown()
    }

    func testNoSecretInTheJournalFile() async throws {
        let e = try await E2E()
        let journal = e.dir.appendingPathComponent("secret-check.sqlite").path
        _ = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--journal", journal, "--dry-run"])
        _ = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--journal", journal])
        try await e.fault(["vendor": "gafapay", "method": "GET", "count": 1, "status": 200,
                           "body": "{\"success\":0,\"error\":[\"TOKEN \(e.secrets.first ?? "")\"],\"data\":null}"])
        _ = try e.erasure(["delete", "gafapay", "id=9a2c4e6f8b0d1e3f5a7c9e1b3d5f7a9c", "--journal", journal])
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let d = FileManager.default.contents(atPath: journal + suffix) { bytes.append(d) }
        }
        XCTAssertGreaterThan(bytes.count, 0)
        for secret in e.secrets {
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "secret found in the journal")
        }
        await e.shutdown()
    }
}
