import ErasureJournal
import ErasureHost
import Foundation
import GRDB
import XCTest

final class JournalLifecycleTests: XCTestCase {
    func testPendingSentDoneLifecycle() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path)
        let run = try await journal.beginRun(sampleRun())
        let ada = person(2, "ada@example.com")
        let key = StepKey(run: run, person: ada, vendor: "cubicasa", action: "delete")

        let v1 = try await journal.stepState(key)
        XCTAssertNil(v1)
        try await journal.markPending([key])
        let v2 = try await journal.stepState(key)
        XCTAssertEqual(v2, .pending)
        try await journal.markPending([key])  // idempotent
        let v3 = try await journal.stepState(key)
        XCTAssertEqual(v3, .pending)

        let stepID = try await journal.markSent(key)
        let v4 = try await journal.stepState(key)
        XCTAssertEqual(v4, .sent)
        let v5 = try await journal.steps(inState: .sent, run: run).map(\.id)
        XCTAssertEqual(v5, [stepID])
        let v6 = try await journal.isDone(key)
        XCTAssertFalse(v6)

        let receipt = try await journal.complete(
            key, result: StepResult(outcome: "deleted", message: "user removed", httpStatus: 204, vendorID: "id-2"),
            evidence: deleteEvidence(vendor: "cubicasa", id: "id-2"))
        XCTAssertEqual(receipt.seq, 1)
        XCTAssertEqual(receipt.prevHash, ReceiptChain.genesis)
        XCTAssertEqual(receipt.stepID, stepID)
        XCTAssertEqual(receipt.requests.map(\.method), ["GET", "DELETE"])
        XCTAssertEqual(receipt.requests[1].requestSHA256, Digest.sha256Hex([UInt8]()))
        XCTAssertNil(receipt.requests[0].requestSHA256)

        let v7 = try await journal.step(key)
        let step = try XCTUnwrap(v7)
        XCTAssertEqual(step.state, .done)
        XCTAssertEqual(step.outcome, "deleted")
        XCTAssertEqual(step.message, "user removed")
        XCTAssertEqual(step.httpStatus, 204)
        XCTAssertEqual(step.vendorID, "id-2")
        XCTAssertEqual(step.receiptSeq, 1)
        XCTAssertEqual(step.person.identityJSON, #"{"cubicasa.id":"id-2","email":"ada@example.com"}"#)
        let v8 = try await journal.isDone(key)
        XCTAssertTrue(v8)
        let v9 = try await journal.isFinal(key)
        XCTAssertTrue(v9)
        let v10 = try await journal.steps(inState: .sent, run: run)
        XCTAssertEqual(v10, [])

        // A final step is never sent or completed again.
        do {
            try await journal.markSent(key)
            XCTFail("markSent on a done step must throw")
        } catch let error as JournalError {
            guard case .alreadyDone = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains("cubicasa/delete"), error.description)
        }
        let v11 = try await journal.stepState(key)
        XCTAssertEqual(v11, .done)
        await XCTAssertThrowsErrorAsync(try await journal.complete(key, result: StepResult(outcome: "deleted")))
        let v13 = try await journal.receipts().count
        XCTAssertEqual(v13, 1)

        try await journal.endRun(run)
        let v14 = try await journal.run(run)
        let record = try XCTUnwrap(v14)
        XCTAssertNotNil(record.endedAt)
        XCTAssertEqual(record.argv, ["erasure", "run", "offboard", "--users", "people.csv"])
        XCTAssertEqual(record.inputSHA256, String(repeating: "a", count: 64))
    }

    func testFailedStepMayBeRetriedAndKeepsItsHistory() async throws {
        let dir = try makeTempDir()
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let run = try await journal.beginRun(sampleRun())
        let key = StepKey(run: run, person: person(3, "grace@example.com"), vendor: "gafapay", action: "delete")
        try await journal.markSent(key)
        try await journal.complete(key, result: StepResult(outcome: "failed", message: "HTTP 503: busy",
                                                           retryable: true, httpStatus: 503))
        let v15 = try await journal.isDone(key)
        XCTAssertTrue(v15)
        let v16 = try await journal.isFinal(key)
        XCTAssertFalse(v16)
        try await journal.markSent(key)
        let v17 = try await journal.step(key)
        let retried = try XCTUnwrap(v17)
        XCTAssertEqual(retried.state, .sent)
        XCTAssertNil(retried.outcome)
        let second = try await journal.complete(key, result: StepResult(outcome: "deleted"))
        XCTAssertEqual(second.seq, 2)
        let v18 = try await journal.receipts(run: run).map(\.outcome)
        XCTAssertEqual(v18, ["failed", "deleted"])
        let v19 = try await journal.verify().isIntact
        XCTAssertTrue(v19)
    }

    func testCompletingWithoutSendingAndUnknownRun() async throws {
        let dir = try makeTempDir()
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let run = try await journal.beginRun(sampleRun())
        // not_found after a lookup: done directly, with a receipt of the lookup.
        let key = StepKey(run: run, person: person(4, "nobody@example.com"), vendor: "pagos", action: "delete")
        let receipt = try await journal.complete(key, result: StepResult(outcome: "not_found"),
                                                 evidence: ReceiptEvidence(requests: [
                                                     ReceiptRequest(method: "GET", url: "http://x/pagos/u", status: 404,
                                                                   requestBody: nil, responseBody: [])]))
        let v20 = try await journal.stepState(key)
        XCTAssertEqual(v20, .done)
        XCTAssertEqual(receipt.outcome, "not_found")

        let ghost = StepKey(run: RunID("no-such-run"), person: person(1, "a@b.c"), vendor: "pagos", action: "delete")
        do {
            try await journal.markSent(ghost)
            XCTFail("unknown run must throw")
        } catch let error as JournalError {
            XCTAssertEqual(error, .unknownRun(RunID("no-such-run")))
        }
        // The failed write did not spoil the others of its group.
        let v21 = try await journal.verify().isIntact
        XCTAssertTrue(v21)
        let v22 = try await journal.verify().receiptsChecked
        XCTAssertEqual(v22, 1)
    }
}

func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T,
                                  file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {}
}
