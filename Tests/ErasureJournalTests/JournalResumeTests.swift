import ErasureJournal
import Foundation
import XCTest

final class JournalResumeTests: XCTestCase {
    func testResumeFindsTheRunAndRefusesAChangedInput() async throws {
        let dir = try makeTempDir()
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let sha1 = String(repeating: "1", count: 64), sha2 = String(repeating: "2", count: 64)
        let dry = try await journal.beginRun(sampleRun(sha: sha1, dryRun: true))
        let first = try await journal.beginRun(sampleRun(sha: sha1))
        _ = try await journal.beginRun(sampleRun(workflow: "suspend-instead", sha: sha2))

        let v1 = try await journal.runToResume(workflow: "offboard", inputSHA256: sha1, dryRun: false).id
        XCTAssertEqual(v1, first)
        let v2 = try await journal.runToResume(workflow: "offboard", inputSHA256: sha1, dryRun: true).id
        XCTAssertEqual(v2, dry)
        let v3 = try await journal.findResumableRun(workflow: "offboard", inputSHA256: sha1, dryRun: false)?.id
        XCTAssertEqual(v3, first)
        let v4 = try await journal.findResumableRun(workflow: "offboard", inputSHA256: sha2, dryRun: false)
        XCTAssertNil(v4)

        do {
            _ = try await journal.runToResume(workflow: "offboard", inputSHA256: sha2, dryRun: false)
            XCTFail("a changed input must be refused")
        } catch let error as JournalError {
            XCTAssertEqual(error, .inputChanged(run: first, inputPath: "people.csv", recorded: sha1, actual: sha2))
            XCTAssertTrue(error.description.contains("people.csv"), error.description)
            XCTAssertTrue(error.description.contains("changed"), error.description)
        }
        do {
            _ = try await journal.runToResume(workflow: "query-then-delete", inputSHA256: sha1, dryRun: false)
            XCTFail("no run to resume")
        } catch let error as JournalError {
            XCTAssertEqual(error, .noRunToResume(workflow: "query-then-delete"))
        }
        let v5 = try await journal.run(first)
        let record = try XCTUnwrap(v5)
        XCTAssertThrowsError(try Journal.validateResume(run: record, inputSHA256: sha1, dryRun: true)) { error in
            XCTAssertEqual(error as? JournalError, .dryRunMismatch(run: first, recordedDryRun: false))
        }
        XCTAssertNoThrow(try Journal.validateResume(run: record, inputSHA256: sha1, dryRun: false))
    }

    func testResumeHelpersSeeSentAndDoneSteps() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path)
        let run = try await journal.beginRun(sampleRun())
        let vendors = ["dragonpass", "pagos", "cubicasa"]
        let people = (0..<4).map { person($0 + 2, "p\($0)@example.com") }
        let keys = people.flatMap { p in vendors.map { StepKey(run: run, person: p, vendor: $0, action: "delete") } }
        try await journal.markPending(keys)
        // person 0: all done; person 1: pagos in flight; person 2: untouched; person 3: failed at cubicasa.
        for k in keys where k.person == people[0] {
            try await journal.markSent(k)
            try await journal.complete(k, result: StepResult(outcome: "deleted"))
        }
        let inFlight = StepKey(run: run, person: people[1], vendor: "pagos", action: "delete")
        try await journal.markSent(inFlight)
        let failing = StepKey(run: run, person: people[3], vendor: "cubicasa", action: "delete")
        try await journal.markSent(failing)
        try await journal.complete(failing, result: StepResult(outcome: "failed", message: "HTTP 500", retryable: true,
                                                               httpStatus: 500))
        try journal.close()

        let resumed = try Journal.openExisting(path: path)
        let sent = try await resumed.steps(inState: .sent, run: run)
        XCTAssertEqual(sent.map(\.person), [people[1]])
        XCTAssertEqual(sent.map(\.vendor), ["pagos"])
        for k in keys {
            let expectedFinal = k.person == people[0]
            let v6 = try await resumed.isFinal(k)
            XCTAssertEqual(v6, expectedFinal, "\(k)")
            let v7 = try await resumed.isDone(k)
            XCTAssertEqual(v7, expectedFinal || k == failing, "\(k)")
        }
        let v8 = try await resumed.steps(inState: .pending, run: run).count
        XCTAssertEqual(v8, 3 * 4 - 3 - 1 - 1)
        let summary = try await resumed.summary(run: run)
        XCTAssertEqual(summary.count(outcome: "deleted"), 3)
        XCTAssertEqual(summary.count(outcome: "failed"), 1)
        XCTAssertEqual(summary.count(state: .sent), 1)
        XCTAssertEqual(summary.totalSteps, 12)
        XCTAssertEqual(summary.failures.map(\.message), ["HTTP 500"])
        XCTAssertEqual(summary.failures.map(\.vendor), ["cubicasa"])
        let overview = try await resumed.runOverviews()
        XCTAssertEqual(overview.map(\.steps), [12])
        XCTAssertEqual(overview.map(\.done), [4])
        XCTAssertEqual(overview.map(\.failed), [1])
        XCTAssertEqual(overview.map(\.receipts), [4])
    }
}
