import ErasureHost
import ErasurePlugins
import LuaBridge

/// The requests of one mutating step (a deletion or a suspension of one person at one vendor):
/// the plugin's action and, when one of its requests was interrupted (its result unknown), the
/// lookup and at most one more attempt that settle what happened — never a blind resend (what to
/// do at each point is `StepDecisions.afterAttempt` / `afterLookup`'s). Every request of the step,
/// attempts and lookups, is in the outcome, and so in its receipt. `erasure delete | suspend` and
/// workflows both run their steps through it.
struct MutatingStep {
    let engine: Engine
    let vendor: String
    let action: Action
    let user: [String: String]
    /// Called before the step's first mutating request leaves (the journal's `sent`).
    let beforeMutating: (@Sendable () async throws -> Void)?
    /// Applying a plan: only the mutations it holds are sent (`Engine.perform`'s `planCheck`).
    var planCheck: MutationCheck? = nil

    /// `byEarlierRun`: an earlier run's request for this step may have reached the vendor (a
    /// resumed step), so this is already the second attempt.
    func run(record: LuaValue?, byEarlierRun: Bool = false) async -> Outcome {
        let canLookUp = engine.plugins[vendor]?.actions.contains(.lookup) ?? false
        var attempt = byEarlierRun ? 2 : 1
        var earlier: [RequestRecord] = []
        var (o, _) = await engine.perform(vendor: vendor, action: action, user: user, record: record,
                                          beforeMutating: beforeMutating, planCheck: planCheck)
        while true {
            switch StepDecisions.afterAttempt(o, attempt: attempt, canLookUp: canLookUp, byEarlierRun: byEarlierRun) {
            case .record(let final):
                return Self.with(final, requests: earlier + o.requests)
            case .sendAgain:
                earlier += o.requests
            case .lookUp:
                let (lookup, _) = await engine.perform(vendor: vendor, action: .lookup, user: user)
                switch StepDecisions.afterLookup(lookup, following: o, attempt: attempt, byEarlierRun: byEarlierRun) {
                case .record(let final):
                    return Self.with(final, requests: earlier + o.requests + lookup.requests)
                case .sendAgain:
                    earlier += o.requests + lookup.requests
                }
            }
            attempt += 1
            // No record: the plugin reads the person afresh if it needs to.
            (o, _) = await engine.perform(vendor: vendor, action: action, user: user, beforeMutating: beforeMutating,
                                          planCheck: planCheck)
        }
    }

    static func with(_ o: Outcome, requests: [RequestRecord]) -> Outcome {
        var out = o
        out.requests = requests
        return out
    }
}
