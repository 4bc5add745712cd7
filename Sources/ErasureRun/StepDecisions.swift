import ErasurePlugins

/// The decisions of one step — (person, vendor, action) — apart from the I/O that carries them
/// out (`PersonRun`): what an earlier run recorded, the deletion budget, whether the vendor can
/// be looked up and what the plugin answered decide what is sent next and which outcome is
/// recorded. Pure functions of their arguments, unit-tested without a journal or a vendor.
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
        deletionLeftSent ? deletedByInterruptedRun(lookup, action: .delete, evidence: "confirmed absent on resume") : lookup
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
        if action == .delete { return deletedByInterruptedRun(lookup, action: .delete, evidence: "confirmed absent on resume") }
        var absent = lookup
        absent.action = action
        return absent
    }

    /// A real deletion past `--max-deletions` is not sent: `skipped`, saying how to go on.
    static func overBudget(vendor: String, user: [String: String], limit: Int?) -> Outcome {
        Outcome(vendor: vendor, action: .delete, kind: .skipped,
                message: "not sent: the run reached --max-deletions \(limit ?? 0); rerun with a higher --max-deletions N, or --yes",
                user: user, dryRun: false)
    }

    /// The plugin's outcome as recorded. A resent deletion that the vendor now answers "not
    /// found" was made by the interrupted request; the workflow's reason follows a suspension.
    static func acted(_ outcome: Outcome, action: Action, resent: Bool, reason: String?) -> Outcome {
        var o = outcome
        if resent, action == .delete, o.kind == .notFound {
            o = deletedByInterruptedRun(o, action: .delete, evidence: "\(o.vendor) now answers: \(o.message)")
        }
        if let reason, o.kind == .suspended || o.kind == .planned { o.message += " (\(reason))" }
        return o
    }

    /// The one rewrite for a deletion an interrupted run made: `deleted`, saying how it is known.
    static func deletedByInterruptedRun(_ o: Outcome, action: Action, evidence: String) -> Outcome {
        var done = o
        done.action = action
        done.kind = .deleted
        done.message = "deleted by an interrupted run (\(evidence))"
        return done
    }
}
