import Foundation
import Sandbox
import XCTest

/// Issue 14: Ctrl-C in the middle of a batch stops taking new people, lets the ones in flight
/// finish, prints the summary and the exact command that resumes, and exits 130; the journal is
/// consistent, and the resume erases everyone else with nobody deleted twice.
final class InterruptTests: XCTestCase {
    func testFirstInterruptFinishesPeopleInFlightAndSaysHowToResume() async throws {
        let n = 120
        let e = try await E2E(seed: .generated(people: n))
        let people = e.dir.appendingPathComponent("people.csv").path
        try RunCommandTests.csv(people: 1...n).write(toFile: people, atomically: true, encoding: .utf8)
        let journal = e.dir.appendingPathComponent("journal.sqlite").path
        for vendor in ["dragonpass", "pagos", "engagelab", "gafapay", "cubicasa"] {
            try await e.fault(["vendor": vendor, "count": 1_000_000, "delay_ms": 20])
        }
        // A finished run first in the journal, so "unfinished first" is seen to reorder.
        let earlier = try e.erasure(["delete", "cubicasa", "email=ada@example.com", "--dry-run", "--journal", journal])
        XCTAssertEqual(earlier.status, 0, earlier.all)
        let log = e.dir.appendingPathComponent("interrupted.log")
        let p = try e.start(["run", "offboard", "--users", people, "--journal", journal, "--yes", "--json",
                             "--concurrency", "4"], output: log)
        try await Task.sleep(nanoseconds: 1_500_000_000)
        XCTAssertTrue(p.isRunning, "the batch ended before the interrupt: make it longer")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let output = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 130, String(output.suffix(3000)))
        XCTAssertTrue(output.contains("erasure: interrupted: the people in flight finish"), output)
        XCTAssertTrue(output.contains("VENDOR"), "the summary is printed: \(output.suffix(2000))")
        let lines = output.split(separator: "\n").map(String.init)
        guard let resumeLine = lines.first(where: { $0.contains("resume with: ") }) else {
            return XCTFail("no resume command: \(output.suffix(2000))")
        }
        let command = resumeLine.components(separatedBy: "resume with: ")[1].split(separator: " ").map(String.init)
        XCTAssertEqual(command.first, "erasure")
        XCTAssertTrue(command.contains("--resume"), resumeLine)
        // Every person started was finished: each has an outcome at all five vendors.
        var byLine: [Int: Int] = [:]
        for line in lines {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let l = o["line"] as? Int else { continue }
            byLine[l, default: 0] += 1
        }
        XCTAssertGreaterThan(byLine.count, 0)
        XCTAssertLessThan(byLine.count, n, "the interrupt came before the end")
        XCTAssertEqual(byLine.values.filter { $0 != 5 }.count, 0, "a person left half-done: \(byLine.filter { $0.value != 5 })")

        let verify = try e.erasure(["journal", "verify", "--journal", journal])
        XCTAssertEqual(verify.status, 0, verify.all)
        let runID = command.last!
        XCTAssertNotNil(UUID(uuidString: runID), "the resume command names the run: \(resumeLine)")

        // The unfinished run is listed first, and a new run over the same input says how to finish it.
        let list = try e.erasure(["journal", "show", "--journal", journal])
        XCTAssertTrue(list.stdout.split(separator: "\n").dropFirst().first?.hasPrefix(runID) ?? false, list.stdout)
        XCTAssertTrue(list.stdout.contains("1 unfinished run"), list.stdout)
        let fresh = try e.erasure(["run", "offboard", "--users", people, "--journal", journal, "--max-deletions", "0"])
        XCTAssertEqual(fresh.status, 2, fresh.all)
        XCTAssertTrue(fresh.stderr.contains("unfinished run of this workflow over the same input: \(runID)"), fresh.stderr)
        XCTAssertTrue(fresh.stderr.contains("--resume \(runID)"), fresh.stderr)

        let resumed = try e.erasure(Array(command.dropFirst()))
        XCTAssertEqual(resumed.status, 0, String(resumed.all.suffix(2000)))
        try await e.eventually("every generated person erased", timeout: 10) {
            let s = try await e.state()
            func rows(_ v: String, _ k: String) -> [[String: Any]] { (s[v] as? [String: Any])?[k] as? [[String: Any]] ?? [] }
            var left = rows("dragonpass", "users").filter { ($0["clientUserId"] as? String ?? "").hasPrefix("user-") }.count
            left += rows("engagelab", "devices").filter { ($0["registration_id"] as? String ?? "").hasPrefix("rid") }.count
            left += rows("gafapay", "users").filter { ($0["id"] as? String ?? "").hasPrefix("fe0000") }.count
            left += rows("cubicasa", "users").filter { ($0["id"] as? String ?? "").hasPrefix("00000000-0000-4000-8000-") }.count
            return left == 0
        }
        var seen: [String: Int] = [:]
        for r in try await e.requests() { if let k = RunCommandResumeTests.successfulDeletion(r) { seen[k, default: 0] += 1 } }
        XCTAssertEqual(seen.filter { $0.value > 1 }.count, 0, "deleted twice: \(seen.filter { $0.value > 1 }.prefix(5))")
        XCTAssertEqual(seen.count, 5 * n, "one successful deletion per person and vendor")
        await e.shutdown()
    }
}
