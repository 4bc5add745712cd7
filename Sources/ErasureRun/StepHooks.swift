import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation
import LuaBridge

/// Hooks a journal gives the runner around each step (see Journal/JournalHooks.swift).
public protocol StepHooks: Sendable {
    /// Before an action: a previous run's result for this step, if it finished; `.sent` when it
    /// was attempted without a final outcome (see `StepResume`).
    func before(person: PersonKey, vendor: String, action: Action) async throws -> StepResume
    /// Made durable before the step's first mutating request leaves.
    func sent(person: PersonKey, vendor: String, action: Action) async throws
    /// Queues the outcome for the journal at once and returns what to await for it to be
    /// durable: the step counts as done (is reported) only after that. Writes queued later
    /// (the person's next `sent`) are never durable before this one.
    func record(person: PersonKey, outcome: Outcome) throws -> DurableWait
    /// True when the run is new (not resumed): the journal then holds only the steps this process
    /// wrote, so `before` of a step the person never reached is `.fresh` without asking it.
    var freshRun: Bool { get }
}

/// Returns once a queued journal write is durable; throws when it could not be written.
public typealias DurableWait = @Sendable () async throws -> Void

extension StepHooks {
    public var freshRun: Bool { false }

    /// The outcome, durable when this returns.
    public func done(person: PersonKey, outcome: Outcome) async throws {
        try await record(person: person, outcome: outcome)()
    }
}

public enum StepResume: Sendable {
    /// Never attempted.
    case fresh
    /// Finished with an outcome other than `failed`: reported again, never redone.
    case done(Outcome)
    /// Attempted without a final outcome — left `sent` by a run that died, or `failed`: its
    /// request may have taken effect, so the person is looked up before anything is sent again.
    case sent
}
