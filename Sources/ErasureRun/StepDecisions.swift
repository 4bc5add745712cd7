import ErasurePlugins

/// The decisions of one step — (person, vendor, action) — apart from the I/O that carries them
/// out (`PersonRun`, `MutatingStep`): what an earlier run recorded, whether
/// the vendor can be looked up and what the plugin answered decide what is sent next and which
/// outcome is recorded. Pure functions of their arguments, unit-tested without a journal or a vendor.
enum StepDecisions {
    /// The steps of an earlier run that settle a vendor's business with the person, in the order
    /// a lookup asks the journal about them.
    static let settlingActions: [Action] = [.delete, .suspend, .lookup]

    /// Before a lookup: the earlier outcome that settles this vendor for the person (a finished
    /// deletion or suspension, or a lookup that found nobody), reported again instead of asking
    /// the vendor; nil to look up.
    static func settled(by action: Action, _ earlier: StepResume) -> Outcome? {
        guard case .done(let previous) = earlier else { return nil }
        return action != .lookup || previous.kind == .notFound ? previous : nil
    }

    /// After a lookup that found nobody: if an interrupted run's deletion was left `sent`, that
    /// deletion happened, and is recorded as such instead of the `not_found`.
    static func absent(_ lookup: Outcome, deletionLeftSent: Bool) -> Outcome {
        deletionLeftSent ? deletedAfterInterruption(lookup, byEarlierRun: true, evidence: .lookup) : lookup
    }

    enum Start {
        /// The step finished in an earlier run: report that outcome again, send nothing.
        case reportEarlier(Outcome)
        /// The earlier run died with this step's request in flight: look the person up first.
        case lookUpFirst
        /// Act (`resent`: the earlier request may have reached the vendor, which cannot be
        /// looked up, so its answer to this one is read in that light).
        case act(resent: Bool)
    }

    /// Before a mutating action, from the journal's answer for the step.
    static func start(_ earlier: StepResume, canLookUp: Bool) -> Start {
        switch earlier {
        case .done(let previous): return .reportEarlier(previous)
        case .sent: return canLookUp ? .lookUpFirst : .act(resent: true)
        case .fresh: return .act(resent: false)
        }
    }

    /// After the lookup `.lookUpFirst` asked for: the outcome to record when the person is gone
    /// (a deletion the interrupted run made), or nil to act after all.
    static func checked(_ lookup: Outcome, action: Action) -> Outcome? {
        guard lookup.kind == .notFound else { return nil }
        if action == .delete { return deletedAfterInterruption(lookup, byEarlierRun: true, evidence: .lookup) }
        var absent = lookup
        absent.action = action
        return absent
    }

    /// The step's outcome as recorded: the workflow's reason follows a suspension.
    static func acted(_ outcome: Outcome, reason: String?) -> Outcome {
        var o = outcome
        if let reason, o.kind == .suspended || o.kind == .planned { o.message += " (\(reason))" }
        return o
    }

    // MARK: - a mutating request whose result is unknown

    /// What comes after an attempt of a mutating step, or after the lookup that settles one.
    enum Next {
        case record(Outcome)
        /// Look the person up: whether the interrupted request took effect decides.
        case lookUp
        /// Send the action again: the request did not take effect (the person is still there),
        /// or, at a vendor without a lookup, its answer to the same request will tell.
        case sendAgain
    }

    enum Settled {
        case record(Outcome)
        case sendAgain
    }

    /// After attempt `attempt` (1, or 2 once sent again) of a mutating step. A request that got
    /// no answer (`Outcome.interrupted`: a timeout or a reset after it left) may have taken effect,
    /// so its step is never failed, and never sent again blindly: a lookup settles it, as
    /// `--resume` does for a step left `sent` (`byEarlierRun`: this is that resume's attempt, so
    /// it is attempt 2 from the start). A vendor without a lookup gets the request again: its
    /// answer says what the first one did.
    static func afterAttempt(_ o: Outcome, attempt: Int, canLookUp: Bool, byEarlierRun: Bool = false) -> Next {
        if [.deleted, .suspended, .planned, .skipped].contains(o.kind) || (attempt == 1 && !o.interrupted) {
            return .record(o)
        }
        if o.kind == .notFound {
            // The vendor now says the person is not there: the earlier request removed them.
            return .record(o.action == .delete
                ? deletedAfterInterruption(o, byEarlierRun: byEarlierRun, evidence: .answer(o.vendor, o.message)) : o)
        }
        if canLookUp { return .lookUp }
        return attempt == 1 ? .sendAgain : .record(o)
    }

    /// After the lookup `afterAttempt` asked for, following attempt `attempt` which ended `o`.
    /// Gone: the deletion happened (`not_found` is only for people absent before this run acted).
    /// Still there: the request did not take effect — sent once more, and after that `failed`,
    /// retryable (it may still be under way at the vendor: `--resume` confirms it later).
    static func afterLookup(_ lookup: Outcome, following o: Outcome, attempt: Int, byEarlierRun: Bool = false) -> Settled {
        switch lookup.kind {
        case .notFound:
            if o.action == .delete { return .record(deletedAfterInterruption(o, byEarlierRun: byEarlierRun, evidence: .lookup)) }
            var absent = o
            absent.kind = .notFound
            absent.message = lookup.message
            return .record(absent)
        case .found:
            if attempt == 1 { return .sendAgain }
            var failed = o
            failed.kind = .failed
            failed.retryable = true
            failed.message = "\(o.message); a lookup afterwards still finds the person"
                + (o.interrupted ? " (the request may still take effect at the vendor: run again to confirm — `erasure run … --resume` for a batch)" : "")
            return .record(failed)
        default:
            var failed = o
            failed.kind = .failed
            failed.retryable = true
            failed.message = "\(o.message); whether it took effect is unknown: the lookup to check failed (\(lookup.message))"
            return .record(failed)
        }
    }

    /// How an interrupted deletion is known to have happened.
    enum Evidence {
        /// A lookup no longer finds the person.
        case lookup
        /// The vendor answered the request sent again: (vendor, its message).
        case answer(String, String)
    }

    /// The one rewrite for a deletion an interrupted request made: `deleted`, verified by the
    /// evidence, saying how it is known — "deleted by an interrupted run (…)" when found on resume.
    static func deletedAfterInterruption(_ o: Outcome, byEarlierRun: Bool, evidence: Evidence) -> Outcome {
        var done = o
        done.action = .delete
        done.kind = .deleted
        done.retryable = false
        done.verified = true
        switch evidence {
        case .lookup:
            done.verification = "a lookup afterwards no longer finds them"
            done.message = byEarlierRun ? "deleted by an interrupted run (confirmed absent on resume)"
                : "deleted: confirmed absent after an interrupted request"
        case .answer(let vendor, let said):
            done.verification = "\(vendor) answers that the person is not there"
            done.message = byEarlierRun ? "deleted by an interrupted run (\(vendor) now answers: \(said))"
                : "deleted by an interrupted request (\(vendor) now answers: \(said))"
        }
        return done
    }
}
