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

    func testTheActionsOutcomeAsRecorded() {
        let resentGone = StepDecisions.acted(outcome(.notFound, .delete, "no such user"), action: .delete,
                                             resent: true, reason: nil)
        XCTAssertEqual(resentGone.kind, .deleted)
        XCTAssertEqual(resentGone.message, "deleted by an interrupted run (acme now answers: no such user)")
        XCTAssertEqual(StepDecisions.acted(outcome(.notFound), action: .delete, resent: false, reason: nil).kind, .notFound,
                       "absent before this run acted: not_found")
        XCTAssertEqual(StepDecisions.acted(outcome(.suspended, .suspend, "done"), action: .suspend, resent: false,
                                           reason: "KYC pending").message, "done (KYC pending)")
        XCTAssertEqual(StepDecisions.acted(outcome(.failed, .suspend, "no"), action: .suspend, resent: false,
                                           reason: "KYC pending").message, "no")
    }

    func testOverBudgetIsSkippedAndSaysHowToGoOn() {
        let o = StepDecisions.overBudget(vendor: "acme", user: ["id": "1"], limit: 3)
        XCTAssertEqual(o.kind, .skipped)
        XCTAssertTrue(o.message.contains("--max-deletions 3"), o.message)
    }
}
