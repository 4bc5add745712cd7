import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation
import LuaBridge

/// Connects the runner's steps to the journal: a step is `sent` (durably) before its first
/// mutating request leaves, and `done` with its outcome and receipt before it counts as done.
/// On resume, a finished step is not acted on again, and a step left `sent` is looked up first.
final class JournalHooks: StepHooks {
    let journal: Journal
    let run: RunID
    /// A new run (not `--resume`): see `StepHooks.freshRun`.
    let freshRun: Bool

    init(journal: Journal, run: RunID, freshRun: Bool = false) {
        self.journal = journal
        self.run = run
        self.freshRun = freshRun
    }

    func key(_ person: PersonKey, _ vendor: String, _ action: Action) -> StepKey {
        StepKey(run: run, person: person.ref, vendor: vendor, action: action.rawValue)
    }

    func before(person: PersonKey, vendor: String, action: Action) async throws -> StepResume {
        guard let step = try await journal.step(key(person, vendor, action)) else { return .fresh }
        switch step.state {
        case .done where step.isFinal:
            var o = Outcome(vendor: vendor, action: action, kind: OutcomeKind(rawValue: step.outcome ?? "") ?? .failed,
                            message: step.message ?? "", vendorID: step.vendorID, retryable: step.retryable ?? false,
                            httpStatus: step.httpStatus, user: person.identity, dryRun: false)
            o.message = o.message.isEmpty ? "done in an earlier run" : o.message + " (done in an earlier run)"
            return .done(o)
        case .sent:
            return .sent
        case .done:
            // Failed, in an earlier attempt of this run: its request may have reached the vendor
            // all the same, so it is treated as one left `sent` — the person is looked up before
            // anything is sent again, and found gone that deletion is recorded, not `not_found`.
            return .sent
        default:
            return .fresh
        }
    }

    func sent(person: PersonKey, vendor: String, action: Action) async throws {
        try await journal.markSent(key(person, vendor, action))
    }

    func record(person: PersonKey, outcome: Outcome) throws -> DurableWait {
        let requests = outcome.requests.map { r in
            ReceiptRequest(method: r.method, url: r.url, status: r.status, time: JournalTime.string(r.startedAt),
                           requestSHA256: r.requestSHA256, responseSHA256: r.responseSHA256)
        }
        let result = StepResult(outcome: outcome.kind.rawValue, message: outcome.message, retryable: outcome.retryable,
                                httpStatus: outcome.httpStatus, vendorID: outcome.vendorID)
        let pending = try journal.startComplete(key(person, outcome.vendor, outcome.action), result: result,
                                                evidence: ReceiptEvidence(requests: requests))
        return {
            do {
                try await pending.receipt()
            } catch JournalError.alreadyDone {
                // The step finished in an earlier run (a rerun of the same decision): keep the first receipt.
            }
        }
    }
}

/// A journal's answers about an earlier run, with nothing written: the planning pass of a resumed
/// run reports what that run finished instead of planning it again (so it is not counted against
/// --max-deletions), and leaves the journal to the pass that sends.
struct ReadOnlyHooks: StepHooks {
    let base: JournalHooks

    init(_ base: JournalHooks) { self.base = base }

    func before(person: PersonKey, vendor: String, action: Action) async throws -> StepResume {
        try await base.before(person: person, vendor: vendor, action: action)
    }

    func sent(person: PersonKey, vendor: String, action: Action) async throws {}

    func record(person: PersonKey, outcome: Outcome) throws -> DurableWait { {} }
}
