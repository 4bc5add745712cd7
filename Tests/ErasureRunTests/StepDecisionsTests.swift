import XCTest

import ErasurePlugins
@testable import ErasureRun

/// The step rules alone: no journal, no vendor, no Lua.
final class StepDecisionsTests: XCTestCase {
    func outcome(_ kind: OutcomeKind, _ action: Action = .delete, _ message: String = "m") -> Outcome {
        Outcome(vendor: "acme", action: action, kind: kind, message: message, user: ["id": "42"], dryRun: false)
    }

    func testALookupIsSettledByAFinishedDeletionOrSuspensionOrAnAbsentLookup() {
        XCTAssertEqual(StepDecisions.settled(by: .delete, .done(outcome(.deleted)))?.kind, .deleted)
        XCTAssertEqual(StepDecisions.settled(by: .suspend, .done(outcome(.suspended, .suspend)))?.kind, .suspended)
        XCTAssertEqual(StepDecisions.settled(by: .lookup, .done(outcome(.notFound, .lookup)))?.kind, .notFound)
        // A lookup that found the person settles nothing: the workflow decides again.
        XCTAssertNil(StepDecisions.settled(by: .lookup, .done(outcome(.found, .lookup))))
        XCTAssertNil(StepDecisions.settled(by: .delete, .sent))
        XCTAssertNil(StepDecisions.settled(by: .delete, .fresh))
        XCTAssertEqual(StepDecisions.settlingActions, [.delete, .suspend, .lookup])
    }

    func testAnAbsentPersonWhoseDeletionWasLeftSentWasDeletedByTheInterruptedRun() {
        let absent = outcome(.notFound, .lookup, "not at acme")
        let o = StepDecisions.absent(absent, deletionLeftSent: true)
        XCTAssertEqual(o.kind, .deleted)
        XCTAssertEqual(o.action, .delete)
        XCTAssertEqual(o.message, "deleted by an interrupted run (confirmed absent on resume)")
        let untouched = StepDecisions.absent(absent, deletionLeftSent: false)
        XCTAssertEqual(untouched.kind, .notFound)
        XCTAssertEqual(untouched.action, .lookup)
    }

    func testStartOfAMutatingStep() {
        guard case .reportEarlier(let o) = StepDecisions.start(.done(outcome(.deleted)), canLookUp: true) else {
            return XCTFail("a finished step is reported again")
        }
        XCTAssertEqual(o.kind, .deleted)
        guard case .lookUpFirst = StepDecisions.start(.sent, canLookUp: true) else {
            return XCTFail("a step left sent is looked up first")
        }
        guard case .act(resent: true) = StepDecisions.start(.sent, canLookUp: false) else {
            return XCTFail("without a lookup the request is resent, and its answer read as such")
        }
        guard case .act(resent: false) = StepDecisions.start(.fresh, canLookUp: true) else {
            return XCTFail("a fresh step acts")
        }
    }

    func testTheCheckBeforeResendingRecordsAbsenceOrLetsTheStepAct() {
        let gone = StepDecisions.checked(outcome(.notFound, .lookup), action: .delete)
        XCTAssertEqual(gone?.kind, .deleted)
        XCTAssertEqual(gone?.message, "deleted by an interrupted run (confirmed absent on resume)")
        let suspendGone = StepDecisions.checked(outcome(.notFound, .lookup), action: .suspend)
        XCTAssertEqual(suspendGone?.kind, .notFound)
        XCTAssertEqual(suspendGone?.action, .suspend)
        XCTAssertNil(StepDecisions.checked(outcome(.found, .lookup), action: .delete), "still there: act")
        XCTAssertNil(StepDecisions.checked(outcome(.failed, .lookup), action: .delete), "unknown: act")
    }

    func recorded(_ next: StepDecisions.Next, file: StaticString = #filePath, line: UInt = #line) -> Outcome? {
        guard case .record(let o) = next else { XCTFail("expected an outcome, got \(next)", file: file, line: line); return nil }
        return o
    }

    func recorded(_ next: StepDecisions.Settled, file: StaticString = #filePath, line: UInt = #line) -> Outcome? {
        guard case .record(let o) = next else { XCTFail("expected an outcome, got \(next)", file: file, line: line); return nil }
        return o
    }

    func interrupted(_ kind: OutcomeKind, _ action: Action = .delete, _ message: String = "timed out") -> Outcome {
        var o = outcome(kind, action, message)
        o.interrupted = true
        return o
    }

    func testTheActionsOutcomeAsRecorded() {
        // A resent request (resume, no lookup) that the vendor now answers "not found" was made by
        // the interrupted run.
        let resentGone = recorded(StepDecisions.afterAttempt(outcome(.notFound, .delete, "no such user"), attempt: 2,
                                                             canLookUp: false, byEarlierRun: true))
        XCTAssertEqual(resentGone?.kind, .deleted)
        XCTAssertEqual(resentGone?.message, "deleted by an interrupted run (acme now answers: no such user)")
        XCTAssertEqual(recorded(StepDecisions.afterAttempt(outcome(.notFound), attempt: 1, canLookUp: true))?.kind, .notFound,
                       "absent before this run acted: not_found")
        XCTAssertEqual(StepDecisions.acted(outcome(.suspended, .suspend, "done"), reason: "KYC pending").message, "done (KYC pending)")
        XCTAssertEqual(StepDecisions.acted(outcome(.failed, .suspend, "no"), reason: "KYC pending").message, "no")
    }

    /// Finding 12: a mutating request whose result is unknown is settled by a lookup, never
    /// failed or resent blindly, and never reported not_found.
    func testAnInterruptedRequestIsSettledByALookup() {
        // Answered (not interrupted): recorded as it is.
        XCTAssertEqual(recorded(StepDecisions.afterAttempt(outcome(.failed), attempt: 1, canLookUp: true))?.kind, .failed)
        XCTAssertEqual(recorded(StepDecisions.afterAttempt(interrupted(.deleted), attempt: 1, canLookUp: true))?.kind, .deleted)
        // Interrupted and failed: look up (or, without a lookup, send again and read the answer).
        guard case .lookUp = StepDecisions.afterAttempt(interrupted(.failed), attempt: 1, canLookUp: true) else {
            return XCTFail("an interrupted request is settled by a lookup")
        }
        guard case .sendAgain = StepDecisions.afterAttempt(interrupted(.failed), attempt: 1, canLookUp: false) else {
            return XCTFail("without a lookup, the request is sent once more")
        }
        XCTAssertEqual(recorded(StepDecisions.afterAttempt(interrupted(.failed), attempt: 2, canLookUp: false))?.kind, .failed,
                       "only once")
        // The host retried it and the vendor now says "not found": the first request deleted them.
        let retried = recorded(StepDecisions.afterAttempt(interrupted(.notFound, .delete, "no such user"), attempt: 1,
                                                          canLookUp: true))
        XCTAssertEqual(retried?.kind, .deleted)
        XCTAssertEqual(retried?.message, "deleted by an interrupted request (acme now answers: no such user)")
        XCTAssertEqual(retried?.verified, true)

        // The lookup: gone → deleted; still there → sent again once, then failed (retryable).
        let gone = recorded(StepDecisions.afterLookup(outcome(.notFound, .lookup), following: interrupted(.failed), attempt: 1))
        XCTAssertEqual(gone?.kind, .deleted)
        XCTAssertEqual(gone?.message, "deleted: confirmed absent after an interrupted request")
        XCTAssertEqual(gone?.verified, true)
        XCTAssertEqual(gone?.retryable, false)
        guard case .sendAgain = StepDecisions.afterLookup(outcome(.found, .lookup), following: interrupted(.failed), attempt: 1) else {
            return XCTFail("still there: the request did not take effect, send it again")
        }
        let still = recorded(StepDecisions.afterLookup(outcome(.found, .lookup), following: interrupted(.failed), attempt: 2))
        XCTAssertEqual(still?.kind, .failed)
        XCTAssertEqual(still?.retryable, true)
        XCTAssertTrue(still?.message.contains("--resume") ?? false, still?.message ?? "")
        let unknown = recorded(StepDecisions.afterLookup(outcome(.failed, .lookup, "HTTP 500"), following: interrupted(.failed),
                                                         attempt: 1))
        XCTAssertEqual(unknown?.kind, .failed)
        XCTAssertEqual(unknown?.retryable, true)
        XCTAssertTrue(unknown?.message.contains("HTTP 500") ?? false)
        // A suspension whose person has gone is not_found (this run did not delete them).
        let suspendGone = recorded(StepDecisions.afterLookup(outcome(.notFound, .lookup, "not at acme"),
                                                             following: interrupted(.failed, .suspend), attempt: 1))
        XCTAssertEqual(suspendGone?.kind, .notFound)
        XCTAssertEqual(suspendGone?.action, .suspend)
    }
}
