import Foundation
import Sandbox
import XCTest

/// Issue 14: on a terminal (a pseudo-terminal made by `script`), the progress line is cleared
/// before any row is printed and never shares a line with one; human rows name the person and
/// come out in input order.
final class TerminalOutputTests: XCTestCase {
    func testProgressNeverSharesALineWithARow() async throws {
        let n = 40
        let e = try await E2E(seed: .generated(people: n))
        let people = e.dir.appendingPathComponent("people.csv").path
        try RunCommandTests.csv(people: 1...n).write(toFile: people, atomically: true, encoding: .utf8)
        for vendor in ["dragonpass", "gafapay", "cubicasa"] {
            try await e.fault(["vendor": vendor, "count": 1_000_000, "delay_ms": 30])
        }
        let command = [E2E.binary!, "run", "offboard", "--users", people, "--yes", "--no-journal", "--concurrency", "8",
                       "--config", e.configPath].map(shellQuote).joined(separator: " ")
        let r = try E2E.exec(["-qefc", command, "/dev/null"], env: ["ERASURE_PLUGIN_PATH": E2E.repo + "/plugins", "TERM": "xterm"],
                             cwd: e.dir.path, executable: "/usr/bin/script")
        XCTAssertEqual(r.status, 0, r.all)
        let clear = "\u{1B}[2K"
        var rows: [(line: Int, text: String)] = []
        var progressSeen = 0
        // By bytes: the terminal's "\r\n" is one Character to Swift.
        let physicalLines = r.stdout.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0.filter { $0 != UInt8(ascii: "\r") }, as: UTF8.self) }
        for physical in physicalLines {
            // What stays on screen: the text after the last clear of the line.
            let visible = physical.components(separatedBy: clear).last!
            let isProgress = visible.contains(" people · ")
            if isProgress { progressSeen += 1 }
            guard let range = visible.range(of: #"line (\d+) "#, options: .regularExpression) else { continue }
            XCTAssertFalse(isProgress, "a row shares a line with the progress line: \(physical.debugDescription)")
            let number = Int(visible[range].dropFirst(5).dropLast())!
            rows.append((number, visible))
            // Every segment holding a row starts clean (no progress text before it on the line).
            for segment in physical.components(separatedBy: clear) where segment.contains("line \(number) ") {
                XCTAssertFalse(segment.contains(" people · "), physical.debugDescription)
            }
        }
        XCTAssertGreaterThan(progressSeen, 0, "no progress line was drawn: \(r.stdout.suffix(1500))")
        XCTAssertEqual(rows.count, 5 * n, r.stdout.suffix(3000).debugDescription)
        XCTAssertEqual(rows.map(\.line), rows.map(\.line).sorted(), "rows in input order")
        let first = rows.first { $0.line == 2 }?.text ?? ""
        XCTAssertTrue(first.contains("line 2 dragonpass.id=user-0001: "), "rows name the person: \(first)")
        await e.shutdown()
    }

    /// On a terminal, a real run shows its plan and sends only once the number of deletions is typed.
    func testATerminalAsksForTheNumberOfDeletions() async throws {
        let n = 4
        let e = try await E2E(seed: .generated(people: n))
        let people = e.dir.appendingPathComponent("people.csv").path
        try RunCommandTests.csv(people: 1...n).write(toFile: people, atomically: true, encoding: .utf8)
        let command = [E2E.binary!, "run", "offboard", "--users", people, "--config", e.configPath]
            .map(shellQuote).joined(separator: " ")
        let env = ["ERASURE_PLUGIN_PATH": E2E.repo + "/plugins", "TERM": "dumb"]
        let wrong = try E2E.exec(["-qefc", command, "/dev/null"], env: env, stdin: "19\n", cwd: e.dir.path,
                                 executable: "/usr/bin/script", killAfter: 60)
        XCTAssertEqual(wrong.status, 2, wrong.all)
        XCTAssertTrue(wrong.stdout.contains("Type 20 to send these 20 deletions"), wrong.stdout)
        XCTAssertTrue(wrong.stdout.contains("not confirmed: nothing was sent"), wrong.stdout)
        let none = E2E.mutating(try await e.requests())
        XCTAssertEqual(none.count, 0, "not confirmed: nothing sent")
        let right = try E2E.exec(["-qefc", command, "/dev/null"], env: env, stdin: "20\n", cwd: e.dir.path,
                                 executable: "/usr/bin/script", killAfter: 60)
        XCTAssertEqual(right.status, 0, right.all)
        let sent = E2E.mutating(try await e.requests())
        XCTAssertEqual(sent.count, 5 * n)
        await e.shutdown()
    }

    func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
