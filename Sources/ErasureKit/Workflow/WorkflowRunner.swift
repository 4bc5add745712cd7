import Foundation
import LuaBridge

/// Hooks a journal gives the runner around each step (see Journal/JournalHooks.swift).
public protocol StepHooks: Sendable {
    /// Before an action: a previous run's result for this step, if it finished; `.sent` when the
    /// process died with its mutating request in flight.
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
    case fresh
    case done(Outcome)
    case sent
}

/// A stable name for a person within a run: the input line and the identity.
public struct PersonKey: Sendable, Hashable {
    public let line: Int?
    public let identity: [String: String]
    /// How the journal names this person (built once: every step of the person uses it).
    public let ref: PersonRef

    public init(line: Int?, identity: [String: String]) {
        self.line = line
        self.identity = identity
        self.ref = PersonRef(line: line, identity: identity)
    }

    public var text: String {
        (line.map { "line \($0) " } ?? "") + identity.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

/// Limits the deletions of a real run (`--max-deletions`): one reservation per (person, vendor)
/// delete, taken before the plugin sends anything.
public final class DeletionBudget: Sendable {
    public let limit: Int?
    private let used = Locked<Int>(0)
    private let refused = Locked<Bool>(false)

    public init(limit: Int?) { self.limit = limit }

    public func reserve() -> Bool {
        guard let limit else { return true }
        let ok = used.withLock { n -> Bool in
            guard n < limit else { return false }
            n += 1
            return true
        }
        if !ok { refused.withLock { $0 = true } }
        return ok
    }

    public var exhausted: Bool { refused.current }
}

/// One person going through a workflow: the context of the workflow's Lua call. Records one
/// outcome per (vendor, action) and hands each to `emit` as it happens.
final class PersonRun: Sendable {
    let identity: Identity
    let key: PersonKey
    /// The vendors this person can be sent to, in order, and the identity each is given.
    let applicable: [String]
    let users: [String: [String: String]]
    let hooks: (any StepHooks)?
    let budget: DeletionBudget
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
         hooks: (any StepHooks)?, budget: DeletionBudget,
         emit: @escaping @Sendable (Outcome) async -> Void) {
        self.identity = identity
        self.key = PersonKey(line: line, identity: identity.flattened)
        self.applicable = applicable
        self.users = users
        self.hooks = hooks
        self.budget = budget
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

    /// `__erasure.act(vendor, action, identity, record, reason)` from a vendor handle.
    func act(engine: Engine, _ args: [LuaValue]) async throws -> [LuaValue] {
        guard let vendor = LuaConv.string(args.first), engine.plugins[vendor] != nil, applicable.contains(vendor),
              let actionName = LuaConv.string(args.count > 1 ? args[1] : nil), let action = Action(rawValue: actionName)
        else { throw HostError("unknown vendor or action") }
        try checkJournal()
        let user = users[vendor] ?? [:]
        let record = args.count > 3 ? args[3] : .nil
        let spec = engine.plugins[vendor]!

        if action == .lookup {
            guard spec.actions.contains(.lookup) else {
                // No read API at this vendor: act as if present; its delete reports absence.
                state.withLock { _ = $0.found.insert(vendor) }
                return [LuaConv.table([:])]
            }
            if let hooks {
                // Resuming: this vendor's business with the person finished in an earlier run.
                for finished in [Action.delete, .suspend, .lookup] where journalMayKnow(vendor, finished) {
                    if case .done(let previous) = try await hooks.before(person: key, vendor: vendor, action: finished),
                       finished != .lookup || previous.kind == .notFound {
                        await add(previous)
                        return [.nil, outcomeTable(previous)]
                    }
                }
            }
            let (outcome, found) = await engine.perform(vendor: vendor, action: .lookup, user: user)
            switch outcome.kind {
            case .found:
                state.withLock { _ = $0.found.insert(vendor) }
                return [found ?? .nil]
            case .notFound:
                // A deletion an interrupted run sent (step left `sent`) did happen: record it as such.
                if let hooks, !engine.dryRun, journalMayKnow(vendor, .delete),
                   case .sent = try await hooks.before(person: key, vendor: vendor, action: .delete) {
                    var done = outcome
                    done.action = .delete
                    done.kind = .deleted
                    done.message = "deleted by an interrupted run (confirmed absent on resume)"
                    try recordDone(hooks, done)
                    return [.nil, outcomeTable(done)]
                }
                try await conclude(outcome)
                return [.nil, outcomeTable(outcome)]
            default:
                try await conclude(outcome)
                return [.nil, outcomeTable(outcome)]
            }
        }

        var outcome: Outcome
        var resumedInFlight = false
        if let hooks, journalMayKnow(vendor, action) {
            switch try await hooks.before(person: key, vendor: vendor, action: action) {
            case .done(let previous):
                await add(previous)
                return [outcomeTable(previous)]
            case .sent:
                // The last run died with this step's request in flight: look again before acting,
                // so a deletion that happened is recorded as such and never sent twice.
                resumedInFlight = true
                if spec.actions.contains(.lookup) {
                    let (check, _) = await engine.perform(vendor: vendor, action: .lookup, user: user)
                    if check.kind == .notFound {
                        var done = check
                        done.action = action
                        done.kind = action == .delete ? .deleted : .notFound
                        done.message = action == .delete
                            ? "deleted by an interrupted run (confirmed absent on resume)" : check.message
                        try recordDone(hooks, done)
                        return [outcomeTable(done)]
                    }
                }
            case .fresh:
                break
            }
        }
        if action == .delete, !engine.dryRun, !budget.reserve() {
            outcome = Outcome(vendor: vendor, action: action, kind: .skipped,
                              message: "not sent: the run reached --max-deletions \(budget.limit ?? 0); rerun with a higher --max-deletions N, or --yes",
                              user: user, dryRun: false)
            await add(outcome)
            return [outcomeTable(outcome)]
        }
        let hooks = self.hooks, key = self.key
        let sent: (@Sendable () async throws -> Void)? = hooks.map { h in
            let once = Locked<Bool>(false)
            return {
                if once.withLock({ let first = !$0; $0 = true; return first }) {
                    // The person's earlier outcomes count as done before anything else is sent.
                    await self.report()
                    try self.checkJournal()
                    self.touch(vendor, action)
                    try await h.sent(person: key, vendor: vendor, action: action)
                }
            }
        }
        (outcome, _) = await engine.perform(vendor: vendor, action: action, user: user,
                                            record: record == .nil ? nil : record, beforeMutating: sent)
        if resumedInFlight, action == .delete, outcome.kind == .notFound {
            // No read API at this vendor: its answer to the resent request says the person is gone,
            // which the interrupted request did.
            outcome.kind = .deleted
            outcome.message = "deleted by an interrupted run (\(vendor) now answers: \(outcome.message))"
        }
        if let reason = LuaConv.string(args.count > 4 ? args[4] : nil), outcome.kind == .suspended || outcome.kind == .planned {
            outcome.message += " (\(reason))"
        }
        try await conclude(outcome)
        return [outcomeTable(outcome)]
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

/// A workflow file loaded into the engine's runtime, run once per person.
public final class Workflow: Sendable {
    public let path: String
    public let description: String
    let run: LuaFunction
    let engine: Engine
    let params: [String: String]

    public static func load(path: String, engine: Engine, params: [String: String]) async throws -> Workflow {
        let file = displayPath(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("\(file): cannot read the workflow") }
        let env = await engine.lua.newEnvironment(name: file)
        // Its globals besides Lua's safe library: skip(reason), and no raw host module.
        try await engine.lua.setGlobal("__erasure", .nil, in: env)
        try await engine.lua.setGlobal("skip", .function(engine.workflowSkip), in: env)
        let result: [LuaValue]
        do { result = try await engine.lua.load([UInt8](data), chunkName: file, in: env) } catch let e as LuaError {
            throw UsageError(PluginCatalog.problem(from: e, file: file).description)
        }
        switch result.first {
        case .function(let f)?:
            return Workflow(path: path, description: "", run: f, engine: engine, params: params)
        case .table?:
            guard case .function(let f)? = LuaConv.field(result.first, "run") else {
                throw UsageError("\(file): a workflow returns function(person, vendors, params), or a table with `run = function(...)`")
            }
            return Workflow(path: path, description: LuaConv.string(LuaConv.field(result.first, "description")) ?? "",
                            run: f, engine: engine, params: params)
        default:
            throw UsageError("\(file): a workflow returns function(person, vendors, params), or a table with `run = function(...)`")
        }
    }

    init(path: String, description: String, run: LuaFunction, engine: Engine, params: [String: String]) {
        self.path = path
        self.description = description
        self.run = run
        self.engine = engine
        self.params = params
    }

    /// The vendors this person can be sent to: configured, and given an identity key they accept.
    public func applicableVendors(_ identity: Identity) -> [String] {
        engine.vendors.filter { v in !identity.forVendor(v, accepts: engine.plugins[v]!.identity).isEmpty }
    }

    /// Runs the workflow for one person; every outcome goes to `emit` as it happens.
    public func run(identity: Identity, line: Int?, hooks: (any StepHooks)?, budget: DeletionBudget,
                    emit: @escaping @Sendable (Outcome) async -> Void) async -> [Outcome] {
        let vendors = applicableVendors(identity)
        var users: [String: [String: String]] = [:]
        for v in vendors { users[v] = identity.forVendor(v, accepts: engine.plugins[v]!.identity) }
        let person = PersonRun(identity: identity, line: line, applicable: vendors, users: users, hooks: hooks,
                               budget: budget, emit: emit)
        let specs = vendors.map { v -> LuaValue in
            LuaConv.table([
                "name": LuaConv.s(v),
                "identity": LuaConv.strings(users[v]!),
                "actions": LuaConv.table(Dictionary(uniqueKeysWithValues: engine.plugins[v]!.actions.map { ($0.rawValue, LuaValue.boolean(true)) })),
            ])
        }
        var personTable = identity.flattened.mapValues { LuaConv.s($0) }
        if let line { personTable["line"] = .integer(Int64(line)) }
        do {
            _ = try await engine.lua.call(engine.runWorkflowFunction,
                                          [.function(run), LuaConv.table(personTable), LuaConv.array(specs),
                                           LuaConv.strings(params)], context: person)
        } catch {
            let message: String
            if let e = error as? LuaError {
                message = LuaConv.string(LuaConv.field(e.value, "message")) ?? e.message
            } else {
                message = "\(error)"
            }
            await person.add(Outcome(vendor: "workflow", action: .delete, kind: .failed,
                                        message: engine.redactor.redact(message), user: identity.flattened,
                                        dryRun: engine.dryRun))
        }
        await person.finish(dryRun: engine.dryRun)
        return person.outcomes
    }
}
