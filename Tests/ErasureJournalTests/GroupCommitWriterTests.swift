import ErasureJournal
import ErasureHost
import Foundation
import GRDB
import XCTest

/// Writes that share one transaction (group commit) must not share their failures: a write that
/// fails half-way is undone alone, and the receipt chain the others extend stays whole.
final class GroupCommitWriterTests: XCTestCase {
    /// 64 writers at once, so most transactions carry several writes. Every 4th step was already
    /// final (refused, no receipt); every 7th fails AFTER its step row was written, when its
    /// receipt is inserted (a trigger refuses it). Each such failure must roll back its own step
    /// row and not advance the chain head the next write of the same transaction builds on.
    func testFailedAndRefusedWritesInASharedTransactionLeaveTheChainWhole() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path)
        let run = try await journal.beginRun(sampleRun())

        // Final steps written up front (they take receipts 1...16).
        let count = 64
        let keys = (0..<count).map { i in
            StepKey(run: run, person: person(i + 2, "u\(i)@example.com"),
                    vendor: i % 7 == 3 ? "poison" : "pagos", action: "delete")
        }
        let finalIndexes = Set(stride(from: 0, to: count, by: 4))
        for i in finalIndexes.sorted() {
            try await journal.complete(keys[i], result: StepResult(outcome: "deleted"),
                                       evidence: deleteEvidence(vendor: "pagos", id: "\(i)"))
        }
        // A second connection adds a trigger that refuses any receipt for vendor "poison".
        let other = try DatabaseQueue(path: path)
        try await other.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON receipts WHEN NEW.vendor = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poisoned receipt'); END
                """)
        }
        try other.close()

        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<count {
                group.addTask {
                    do {
                        try await journal.markSent(keys[i])
                        try await journal.complete(keys[i], result: StepResult(outcome: "deleted"),
                                                   evidence: deleteEvidence(vendor: keys[i].vendor, id: "\(i)"))
                        return (i, "ok")
                    } catch JournalError.alreadyDone {
                        return (i, "refused")
                    } catch {
                        return (i, "failed")
                    }
                }
            }
            var all: [Int: String] = [:]
            for try await (i, r) in group { all[i] = r }
            return all
        }
        for i in 0..<count {
            let expected = finalIndexes.contains(i) ? "refused" : (keys[i].vendor == "poison" ? "failed" : "ok")
            XCTAssertEqual(results[i], expected, "step \(i)")
        }

        // The poisoned steps stay `sent` (their `done` was rolled back), the refused ones keep
        // their first outcome, and the chain verifies with no gap.
        for i in 0..<count {
            let step = try await journal.step(keys[i])
            if finalIndexes.contains(i) {
                XCTAssertEqual(step?.state, .done)
            } else if keys[i].vendor == "poison" {
                XCTAssertEqual(step?.state, .sent, "step \(i): a failed complete must undo its step row")
                XCTAssertNil(step?.receiptSeq)
            } else {
                XCTAssertEqual(step?.state, .done)
            }
        }
        let receipts = try await journal.receipts(run: run)
        let okCount = (0..<count).filter { results[$0] == "ok" }.count
        XCTAssertEqual(receipts.count, finalIndexes.count + okCount)
        XCTAssertEqual(receipts.map(\.seq), Array(1...Int64(receipts.count)))
        let verification = try await journal.verify()
        XCTAssertTrue(verification.isIntact, "\(String(describing: verification.violation))")
        XCTAssertEqual(verification.receiptsChecked, receipts.count)
    }

    /// A step refused by `markSent` (already final) is reported as such and left untouched.
    func testMarkSentOnAFinalStepIsRefusedAndChangesNothing() async throws {
        let dir = try makeTempDir()
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let run = try await journal.beginRun(sampleRun())
        let key = StepKey(run: run, person: person(2, "ada@example.com"), vendor: "pagos", action: "delete")
        try await journal.markSent(key)
        try await journal.complete(key, result: StepResult(outcome: "deleted", httpStatus: 200),
                                   evidence: deleteEvidence(vendor: "pagos", id: "1"))
        let before = try await journal.step(key)
        do {
            try await journal.markSent(key)
            XCTFail("markSent on a final step must throw")
        } catch JournalError.alreadyDone(_, let outcome) {
            XCTAssertEqual(outcome, "deleted")
        }
        let after = try await journal.step(key)
        XCTAssertEqual(after, before)

        // A failed step may be retried: markSent takes it back to `sent`.
        let retry = StepKey(run: run, person: person(3, "bob@example.com"), vendor: "pagos", action: "delete")
        try await journal.complete(retry, result: StepResult(outcome: "failed", message: "timeout", retryable: true))
        try await journal.markSent(retry)
        let retried = try await journal.step(retry)
        XCTAssertEqual(retried?.state, .sent)
        XCTAssertNil(retried?.outcome)
    }
}
