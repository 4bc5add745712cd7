import ErasureHost
import ErasurePlugins
import Foundation
import LuaBridge

/// One person going through a workflow: the context of the workflow's Lua call. Records one
/// outcome per (vendor, action) and hands each to `emit` as it happens.
final class PersonRun: WorkflowCallContext {
    let identity: Identity
    let key: PersonKey
    /// The vendors this person can be sent to, in order, and the identity each is given.
    let applicable: [String]
    let users: [String: [String: String]]
    let hooks: (any StepHooks)?
    /// Making or applying a plan (nil for a plain run).
    let planning: PersonPlanning?
    let emit: @Sendable (Outcome) async -> Void
    private let skipped = Locked<[Outcome]>([])
    /// Outcomes not reported yet, in order, each with what to await before it counts as done
    /// (its journal write being durable). Reported before the person's next mutating request
    /// and when the person finishes, so the commit overlaps the person's next lookup.
    private let unreported = Locked<[(outcome: Outcome, durable: DurableWait?)]>([])
    /// Set when the journal failed to record one of this person's outcomes: the person stops.
    private let journalFailure = Locked<String?>(nil)
    /// `touched`: "vendor/action" of the steps this person handed to `hooks.sent`/`hooks.record`.
    private let state = Locked<(outcomes: [Outcome], found: Set<String>, touched: Set<String>)>(([], [], []))

    init(identity: Identity, line: Int?, applicable: [String], users: [String: [String: String]],
         hooks: (any StepHooks)?, planning: PersonPlanning?,
         emit: @escaping @Sendable (Outcome) async -> Void) {
        self.identity = identity
        self.key = PersonKey(line: line, identity: identity.flattened)
        self.applicable = applicable
        self.users = users
        self.hooks = hooks
        self.planning = planning
        self.emit = emit
    }

    var outcomes: [Outcome] { state.current.outcomes }

    /// Whether `hooks.before` can answer anything but `.fresh` for this step. In a fresh run only
    /// the steps this person already touched are in the journal: the others need no read (a
    /// batch otherwise reads the journal 4 times per person and vendor).
    func journalMayKnow(_ vendor: String, _ action: Action) -> Bool {
        guard let hooks else { return false }
        return !hooks.freshRun || state.withLock { $0.touched.contains(vendor + "/" + action.rawValue) }
    }

    func touch(_ vendor: String, _ action: Action) {
        state.withLock { _ = $0.touched.insert(vendor + "/" + action.rawValue) }
    }

    /// An outcome with no journal write: reported now, after this person's earlier ones.
    func add(_ o: Outcome) async {
        state.withLock { $0.outcomes.append(o) }
        unreported.withLock { $0.append((o, nil)) }
        await report()
    }

    /// An outcome the journal records: queued for it now, reported once durable. The workflow
    /// goes on meanwhile (the person's next lookup overlaps the commit); the journal's FIFO
    /// order keeps this outcome durable before any later write of the person (the next `sent`).
    func recordDone(_ hooks: any StepHooks, _ outcome: Outcome) throws {
        try checkJournal()
        touch(outcome.vendor, outcome.action)
        let durable = try hooks.record(person: key, outcome: outcome)
        state.withLock { $0.outcomes.append(outcome) }
        unreported.withLock { $0.append((outcome, durable)) }
    }

    /// A step's outcome: recorded by the journal when there is one, else reported at once.
    func conclude(_ outcome: Outcome) async throws {
        if let hooks { try recordDone(hooks, outcome) } else { await add(outcome) }
    }

    /// Throws when the journal failed this person: nothing more is sent for them.
    func checkJournal() throws {
        if let failure = journalFailure.current { throw HostError(failure) }
    }

    /// Reports the outcomes waiting, in order, each once durable. One that the journal could
    /// not record is reported `failed`, and the person stops there.
    func report() async {
        while let (outcome, durable) = unreported.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            do {
                try await durable?()
                await emit(outcome)
            } catch {
                let message = "the journal could not record this outcome (\(outcome.kind.rawValue): \(outcome.message)): \(error)"
                journalFailure.withLock { $0 = $0 ?? message }
                var failed = outcome
                failed.kind = .failed
                failed.message = message
                failed.retryable = true
                state.withLock { s in
                    if let i = s.outcomes.lastIndex(where: { $0.vendor == outcome.vendor && $0.action == outcome.action }) {
                        s.outcomes[i] = failed
                    }
                }
                await emit(failed)
            }
        }
    }

    /// `vendor:lookup|delete|suspend(...)`: (vendor, action, identity, record, reason) from Lua.
    /// The I/O of a step; what to do at each point is `StepDecisions`'.
    func act(engine: Engine, _ args: [LuaValue]) async throws -> [LuaValue] {
        guard let vendor = LuaConv.string(args.first), let spec = engine.plugins[vendor], applicable.contains(vendor),
              let actionName = LuaConv.string(args.count > 1 ? args[1] : nil), let action = Action(rawValue: actionName)
        else { throw HostError("unknown vendor or action") }
        try checkJournal()
        let user = users[vendor] ?? [:]
        let canLookUp = spec.actions.contains(.lookup)
        if action == .lookup { return try await lookup(engine: engine, vendor: vendor, user: user, canLookUp: canLookUp) }

        var resent = false
        if let hooks, journalMayKnow(vendor, action) {
            switch StepDecisions.start(try await hooks.before(person: key, vendor: vendor, action: action),
                                       canLookUp: canLookUp) {
            case .reportEarlier(let previous):
                await add(previous)
                return [outcomeTable(previous)]
            case .lookUpFirst:
                let (check, _) = await engine.perform(vendor: vendor, action: .lookup, user: user)
                if let done = StepDecisions.checked(check, action: action) {
                    try recordDone(hooks, done)
                    return [outcomeTable(done)]
                }
                resent = true
            case .act(let wasResent):
                resent = wasResent
            }
        }
        if let reason = planning?.changed(vendor) {
            let held = Outcome(vendor: vendor, action: action, kind: .skipped, message: reason, user: user, dryRun: false)
            try await conclude(held)
            return [outcomeTable(held)]
        }
        let record = args.count > 3 ? args[3] : .nil
        let outcome = await MutatingStep(engine: engine, vendor: vendor, action: action, user: user,
                                         beforeMutating: sentHook(vendor, action),
                                         planCheck: planning?.check(vendor, action))
            .run(record: record == .nil ? nil : record, byEarlierRun: resent)
        let recorded = StepDecisions.acted(outcome, reason: LuaConv.string(args.count > 4 ? args[4] : nil))
        try await conclude(recorded)
        return [outcomeTable(recorded)]
    }

    /// A lookup: an earlier run's settling outcome if there is one, else the vendor's answer.
    private func lookup(engine: Engine, vendor: String, user: [String: String], canLookUp: Bool) async throws -> [LuaValue] {
        guard canLookUp else {
            // No read API at this vendor: act as if present; its delete reports absence.
            state.withLock { _ = $0.found.insert(vendor) }
            planning?.saw(vendor, .blind)
            return [LuaConv.table([:])]
        }
        if let hooks {
            for earlier in StepDecisions.settlingActions where journalMayKnow(vendor, earlier) {
                if let previous = StepDecisions.settled(by: earlier, try await hooks.before(person: key, vendor: vendor,
                                                                                              action: earlier)) {
                    await add(previous)
                    return [.nil, outcomeTable(previous)]
                }
            }
        }
        let (outcome, found) = await engine.perform(vendor: vendor, action: .lookup, user: user)
        switch outcome.kind {
        case .found:
            state.withLock { _ = $0.found.insert(vendor) }
            planning?.found(vendor, recordJSON: outcome.recordJSON)
            return [found ?? .nil]
        case .notFound:
            var deletionLeftSent = false
            if let hooks, !engine.dryRun, journalMayKnow(vendor, .delete),
               case .sent = try await hooks.before(person: key, vendor: vendor, action: .delete) {
                deletionLeftSent = true
            }
            let recorded = StepDecisions.absent(outcome, deletionLeftSent: deletionLeftSent)
            try await conclude(recorded)
            return [.nil, outcomeTable(recorded)]
        default:
            try await conclude(outcome)
            return [.nil, outcomeTable(outcome)]
        }
    }

    /// Called by the engine before the step's first mutating request leaves: the person's
    /// earlier outcomes count as done, then the step is made durably `sent`.
    private func sentHook(_ vendor: String, _ action: Action) -> (@Sendable () async throws -> Void)? {
        guard let hooks else { return nil }
        let key = self.key
        let once = Locked<Bool>(false)
        return {
            if once.withLock({ let first = !$0; $0 = true; return first }) {
                await self.report()
                try self.checkJournal()
                self.touch(vendor, action)
                try await hooks.sent(person: key, vendor: vendor, action: action)
            }
        }
    }

    func outcomeTable(_ o: Outcome) -> LuaValue {
        var t: [String: LuaValue] = ["outcome": LuaConv.s(o.kind.rawValue), "message": LuaConv.s(o.message),
                                     "retryable": .boolean(o.retryable)]
        if let v = o.vendorID { t["vendor_id"] = LuaConv.s(v) }
        return LuaConv.table(t)
    }

    /// `skip(reason)` (every vendor without an outcome yet) or `vendor:skip(reason)`.
    func skip(vendor: String?, reason: String) {
        let targets = vendor.map { [$0] } ?? applicable
        let pending = state.withLock { s -> [String] in
            targets.filter { v in !s.outcomes.contains { $0.vendor == v } }
        }
        for v in pending {
            let o = Outcome(vendor: v, action: .delete, kind: .skipped, message: reason, user: users[v] ?? [:],
                            dryRun: false)
            state.withLock { $0.outcomes.append(o) }
            skipped.withLock { $0.append(o) }
        }
    }

    /// After the workflow: the skips it decided are reported, and a vendor that was found and
    /// then left alone is `skipped`.
    func finish(dryRun: Bool) async {
        // skip() runs inside a synchronous host call, so its outcomes are reported here, after
        // the outcomes before them.
        await report()
        for o in skipped.withLock({ q -> [Outcome] in defer { q.removeAll() }; return q }) { await emit(o) }
        let leftAlone = state.withLock { s in s.found.filter { v in !s.outcomes.contains { $0.vendor == v } }.sorted() }
        for v in leftAlone {
            await add(Outcome(vendor: v, action: .delete, kind: .skipped,
                                 message: "looked up; the workflow took no action", user: users[v] ?? [:], dryRun: dryRun))
        }
    }
}
