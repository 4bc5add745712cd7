import ErasurePlugins

/// What a plan would do, counted: per vendor and in all. A deletion or suspension is one step
/// (one person at one vendor).
public struct PlanSummary: Codable, Sendable {
    public struct VendorCounts: Codable, Sendable {
        public var deletions = 0
        public var suspensions = 0
        /// People the lookup did not find: nothing to do there.
        public var notFound = 0
        /// Of the deletions and suspensions: planned at a vendor that cannot be looked up, so
        /// planned whether or not the person is there.
        public var blind = 0
        public var skipped = 0
        public var failed = 0
    }

    public var people = 0
    /// Input lines naming nobody usable.
    public var unusableLines = 0
    public var deletions = 0
    public var suspensions = 0
    public var blind = 0
    public var failed = 0
    /// People with at least one deletion or suspension planned.
    public var peopleActedOn = 0
    public var vendors: [String: VendorCounts] = [:]

    public init(_ plan: Plan) {
        people = plan.people.count
        unusableLines = plan.problems.count
        for person in plan.people {
            var acted = false
            for v in person.vendors {
                var c = vendors[v.vendor] ?? VendorCounts()
                if v.lookup == .notFound { c.notFound += 1 }
                if v.lookup == .failed { c.failed += 1 }
                for step in v.steps {
                    switch OutcomeKind(rawValue: step.outcome) {
                    case .planned?:
                        acted = true
                        if step.action == Action.suspend.rawValue { c.suspensions += 1 } else { c.deletions += 1 }
                        if v.lookup == .blind { c.blind += 1 }
                    case .notFound?: if v.lookup != .notFound { c.notFound += 1 }
                    case .skipped?: c.skipped += 1
                    case .failed?: c.failed += 1
                    default: break
                    }
                }
                vendors[v.vendor] = c
            }
            if acted { peopleActedOn += 1 }
        }
        for c in vendors.values {
            deletions += c.deletions
            suspensions += c.suspensions
            blind += c.blind
            failed += c.failed
        }
    }
}
