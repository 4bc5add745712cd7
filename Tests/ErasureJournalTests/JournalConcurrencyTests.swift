import ErasureJournal
import ErasureHost
import Foundation
import XCTest

final class JournalConcurrencyTests: XCTestCase {
    /// 64 tasks, each driving its own people through pending → sent → done at once.
    /// Prints the throughput (never asserted).
    func testSixtyFourWritersEveryStepPresent() async throws {
        let dir = try makeTempDir()
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let run = try await journal.beginRun(sampleRun())
        let tasks = 64, perTask = 40
        let vendors = ["dragonpass", "pagos", "engagelab", "gafapay", "cubicasa"]
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for i in 0..<perTask {
                        let p = PersonRef(line: t * perTask + i + 2, identity: ["email": "u\(t)-\(i)@example.com"])
                        let key = StepKey(run: run, person: p, vendor: vendors[i % vendors.count], action: "delete")
                        try await journal.markPending([key])
                        if try await journal.isFinal(key) { XCTFail("fresh step already final") }
                        try await journal.markSent(key)
                        try await journal.complete(key, result: StepResult(outcome: "deleted", httpStatus: 204),
                                                   evidence: deleteEvidence(vendor: key.vendor, id: "\(t)-\(i)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        let total = tasks * perTask
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("journal micro-benchmark: \(total) steps (pending+sent+done+receipt) by 64 tasks in "
              + String(format: "%.3f s = %.0f steps/s", seconds, Double(total) / seconds))

        let done = try await journal.steps(inState: .done, run: run)
        XCTAssertEqual(done.count, total)
        XCTAssertEqual(Set(done.map(\.person.key)).count, total)
        let v1 = try await journal.steps(inState: .sent, run: run).count
        XCTAssertEqual(v1, 0)
        let receipts = try await journal.receipts(run: run)
        XCTAssertEqual(receipts.map(\.seq), Array(1...Int64(total)))
        XCTAssertEqual(Set(receipts.map(\.stepID)), Set(done.map(\.id)))
        let verification = try await journal.verify()
        XCTAssertTrue(verification.isIntact, "\(String(describing: verification.violation))")
        XCTAssertEqual(verification.receiptsChecked, total)
    }
}
