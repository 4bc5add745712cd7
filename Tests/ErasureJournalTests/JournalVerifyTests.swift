import ErasureJournal
import ErasureHost
import Foundation
import GRDB
import XCTest

/// verify(): an untouched journal verifies; editing or deleting a receipt row directly in the
/// SQLite file (a second, raw connection) is detected and named.
final class JournalVerifyTests: XCTestCase {
    static let vendors = ["dragonpass", "pagos", "engagelab", "gafapay", "cubicasa"]

    /// A closed journal with 10 receipts (seq 1...10) spread over two runs.
    func makeJournal() async throws -> String {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path)
        for r in 0..<2 {
            let run = try await journal.beginRun(sampleRun(sha: String(repeating: "\(r)", count: 64)))
            for i in 0..<5 {
                let key = StepKey(run: run, person: person(i + 2, "p\(i)@example.com"), vendor: Self.vendors[i],
                                  action: "delete")
                try await journal.markSent(key)
                try await journal.complete(key, result: StepResult(outcome: "deleted", message: "ok \(r)-\(i)"),
                                           evidence: deleteEvidence(vendor: Self.vendors[i], id: "\(i)"))
            }
        }
        try journal.close()
        return path
    }

    func tamper(_ path: String, _ sql: String) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { try $0.execute(sql: sql) }
        try db.close()
    }

    func verify(_ path: String) async throws -> ChainVerification {
        let journal = try Journal.openExisting(path: path)
        defer { try? journal.close() }
        return try await journal.verify()
    }

    func testUntouchedJournalVerifies() async throws {
        let path = try await makeJournal()
        let result = try await verify(path)
        XCTAssertNil(result.violation)
        XCTAssertEqual(result.receiptsChecked, 10)
        XCTAssertEqual(result.headSeq, 10)
        XCTAssertEqual(result.headHash.count, 64)
    }

    func testEditedFieldIsNamed() async throws {
        for (column, value) in [("outcome", "'not_found'"), ("time", "'2020-01-01T00:00:00.000Z'"),
                                ("requests_json", "'[]'"), ("message", "NULL"), ("person_key", "'someone else'")] {
            let path = try await makeJournal()
            try tamper(path, "UPDATE receipts SET \(column) = \(value) WHERE seq = 7")
            let v1 = try await verify(path).violation
            let violation = try XCTUnwrap(v1, column)
            XCTAssertEqual(violation.seq, 7, column)
            XCTAssertEqual(violation.kind, .altered, column)
            XCTAssertEqual(violation.vendor, "pagos", column)
            XCTAssertTrue(violation.description.hasPrefix("receipt #7 (pagos/delete"), violation.description)
        }
    }

    func testEditWithRecomputedHashBreaksTheNextLink() async throws {
        let path = try await makeJournal()
        // Alter #4 and give it a hash consistent with its new content: #5 no longer follows it.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE receipts SET outcome = 'not_found' WHERE seq = 4")
        }
        try queue.close()
        let journal = try Journal.openExisting(path: path)
        let receipts = try await journal.receipts()
        try journal.close()
        let altered = receipts[3]
        let newHash = recomputeHash(altered)
        try tamper(path, "UPDATE receipts SET hash = '\(newHash)' WHERE seq = 4")
        let v2 = try await verify(path).violation
        let violation = try XCTUnwrap(v2)
        XCTAssertEqual(violation.seq, 5)
        XCTAssertEqual(violation.kind, .brokenLink)
    }

    func testDeletedMiddleRowIsNamed() async throws {
        let path = try await makeJournal()
        try tamper(path, "DELETE FROM receipts WHERE seq = 4")
        let v3 = try await verify(path).violation
        let violation = try XCTUnwrap(v3)
        XCTAssertEqual(violation.kind, .removed)
        XCTAssertEqual(violation.seq, 4)
        // Named from the step that pointed to it.
        XCTAssertEqual(violation.vendor, "gafapay")
        XCTAssertEqual(violation.action, "delete")
        XCTAssertEqual(violation.personKey, person(5, "p3@example.com").key)
        XCTAssertTrue(violation.description.contains("receipt #4"), violation.description)
        XCTAssertTrue(violation.description.contains("removed"), violation.description)
    }

    func testDeletedFirstAndLastRowsAreDetected() async throws {
        let first = try await makeJournal()
        try tamper(first, "DELETE FROM receipts WHERE seq = 1")
        let v4 = try await verify(first).violation
        let v1 = try XCTUnwrap(v4)
        XCTAssertEqual(v1.kind, .removed)
        XCTAssertEqual(v1.seq, 1)

        let last = try await makeJournal()
        try tamper(last, "DELETE FROM receipts WHERE seq = 10")
        let v5 = try await verify(last).violation
        let v10 = try XCTUnwrap(v5)
        XCTAssertEqual(v10.kind, .removed)
        XCTAssertEqual(v10.seq, 10)
        XCTAssertEqual(v10.vendor, "cubicasa")

        let all = try await makeJournal()
        try tamper(all, "DELETE FROM receipts")
        let v6 = try await verify(all).violation
        let v = try XCTUnwrap(v6)
        XCTAssertEqual(v.kind, .removed)
        XCTAssertEqual(v.seq, 1)
    }

    func testAlteredChainHeadIsDetected() async throws {
        let path = try await makeJournal()
        try tamper(path, "UPDATE chain_head SET hash = '\(String(repeating: "f", count: 64))'")
        let v7 = try await verify(path).violation
        let violation = try XCTUnwrap(v7)
        XCTAssertEqual(violation.kind, .headMismatch)
    }

    func testAppendingAfterTamperingKeepsTheViolationVisible() async throws {
        let path = try await makeJournal()
        try tamper(path, "DELETE FROM receipts WHERE seq = 10")
        let journal = try Journal.open(path: path)
        let run = try await journal.beginRun(sampleRun())
        let key = StepKey(run: run, person: person(9, "late@example.com"), vendor: "pagos", action: "delete")
        let receipt = try await journal.complete(key, result: StepResult(outcome: "deleted"))
        XCTAssertEqual(receipt.seq, 11)
        let v8 = try await journal.verify().violation
        let violation = try XCTUnwrap(v8)
        XCTAssertEqual(violation.seq, 10)
        XCTAssertEqual(violation.kind, .removed)
        try journal.close()
    }
}

/// An independent implementation of the canonical form documented on `ReceiptChain`.
func recomputeHash(_ r: Receipt) -> String {
    func field(_ name: String, _ value: String?) -> String {
        guard let value else { return name + "=~\n" }
        return name + "=\(value.utf8.count):" + value + "\n"
    }
    var text = "erasure-receipt-v1\n"
    text += field("seq", String(r.seq)) + field("run_id", r.run.rawValue) + field("step_id", String(r.stepID))
    text += field("person_key", r.personKey) + field("person_json", r.personJSON) + field("vendor", r.vendor)
    text += field("action", r.action) + field("outcome", r.outcome) + field("message", r.message)
    text += field("vendor_id", r.vendorID) + field("time", r.time) + field("requests_json", r.requestsJSON)
    text += field("bodies_json", r.bodiesJSON) + field("prev_hash", r.prevHash)
    return Digest.sha256Hex(Array(text.utf8))
}
