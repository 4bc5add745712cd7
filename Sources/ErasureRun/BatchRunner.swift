import ErasureHost
import ErasurePlugins
import Foundation
import LuaBridge

public enum PeopleInput: Sendable {
    case one(Identity)
    case csv(CSVPeople)
    /// The people of a plan being applied, each with its plan.
    case planned(Plan)
}

public struct BatchOptions: Sendable {
    public var concurrency = 16
    public var progress = false
    /// Outcomes handed on in input order (the human table), not as each person produces them.
    public var inputOrder = false
    /// Making a plan: each person's lookups and planned requests are collected here.
    public var collector: PlanCollector?
    /// Once requested, no new person is started (the ones in flight finish).
    public var stop: BatchStop?
    /// How long the workflow may take for one person; nil: derived from the vendors' action
    /// deadlines (`Workflow.personTimeout(vendors:)`).
    public var personTimeout: Duration?
    public init() {}
}

public struct BatchResult: Sendable {
    public var people = 0
    public var badRows = 0
    public var failed = false
    /// Stopped by `BatchOptions.stop` before every person was started.
    public var interrupted = false
    /// The journal's id of the run (nil without a journal).
    public var run: String?
}

/// A request to stop taking new people (the first Ctrl-C).
public final class BatchStop: Sendable {
    private let flag = Locked(false)
    public init() {}
    public func request() { flag.withLock { $0 = true } }
    public var requested: Bool { flag.current }
}

/// Runs a workflow over many people: `concurrency` people in flight in one Lua runtime (each a
/// coroutine), the CSV streamed with back-pressure so memory stays flat whatever its size.
public enum BatchRunner {
    public static func run(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, sink: any OutcomeSink,
                           hooks: (any StepHooks)?) async -> BatchResult {
        let progress = options.progress ? Progress(total: totalHint(people)) : nil
        let counters = Locked(BatchResult())
        // A row is never written while the progress line is on screen: it is cleared first.
        let deliver: @Sendable (InputOrder.Item) -> Void = { item in
            if let progress {
                progress.clearing { sink.add(item.outcome, line: item.line, person: item.person) }
            } else {
                sink.add(item.outcome, line: item.line, person: item.person)
            }
        }
        let order = options.inputOrder ? InputOrder(deliver: deliver) : nil

        @Sendable func runOne(_ row: PersonRow, _ seq: Int) async {
            // Only the human table names the person (JSON lines carry the identity).
            let person = options.inputOrder ? row.identity.flatMap(firstKey) : nil
            let emit: @Sendable (Outcome, Int?) async -> Void = { outcome, line in
                if outcome.kind == .failed { counters.withLock { $0.failed = true } }
                if let order { order.add(seq, (outcome, line, person)) } else { deliver((outcome, line, person)) }
            }
            defer { order?.finish(seq) }
            if let problem = row.problem {
                options.collector?.problem(line: row.line, message: problem)
                let o = Outcome(vendor: "input", action: .delete, kind: .failed, message: "line \(row.line): \(problem)",
                                user: [:], dryRun: workflow.engine.dryRun)
                counters.withLock { $0.badRows += 1 }
                await emit(o, row.line)
                progress?.done(failed: true)
                return
            }
            guard let identity = row.identity else { return }
            let applicable = workflow.applicableVendors(identity)
            if applicable.isEmpty {
                let keys = identity.flattened.keys.sorted().joined(separator: ", ")
                let problem = "no configured vendor accepts these identity keys (\(keys))"
                options.collector?.problem(line: row.line, message: problem)
                let o = Outcome(vendor: "input", action: .delete, kind: .failed,
                                message: "line \(row.line): \(problem)",
                                user: identity.flattened, dryRun: workflow.engine.dryRun)
                counters.withLock { $0.badRows += 1 }
                await emit(o, row.line)
                progress?.done(failed: true)
                return
            }
            let line: Int? = row.line > 0 ? row.line : nil
            let planning = options.collector != nil ? PersonPlanning.recording() : row.plan.map(PersonPlanning.applying)
            let outcomes = await workflow.run(identity: identity, line: line, hooks: hooks, planning: planning,
                                              timeout: options.personTimeout) { o in
                await emit(o, line)
            }
            if let collector = options.collector, let planning {
                let flattened = identity.flattened
                collector.add(PlannedPerson(line: line, identity: flattened, keys: identity.keys.filter { flattened[$0] != nil },
                                            vendors: planning.vendors(applicable, outcomes: outcomes)))
            }
            progress?.done(failed: outcomes.contains { $0.kind == .failed })
        }

        switch people {
        case .one(let identity):
            counters.withLock { $0.people = 1 }
            await runOne(PersonRow(line: 0, identity: identity, problem: nil), 0)
        case .csv(let source):
            let stream = rows(from: source, buffer: options.concurrency * 2)
            await runAll(stream.rows, concurrency: options.concurrency, stop: options.stop, counters: counters,
                         taken: stream.taken, runOne: runOne)
            stream.stop()
        case .planned(let plan):
            let (rows, continuation) = AsyncStream.makeStream(of: PersonRow.self)
            for row in plannedRows(plan) { continuation.yield(row) }
            continuation.finish()
            await runAll(rows, concurrency: options.concurrency, stop: options.stop, counters: counters, taken: {},
                         runOne: runOne)
        }
        progress?.finish()
        return counters.current
    }

    /// Starts a task per row, at most `concurrency` at once, until the rows end or a stop is
    /// requested; then waits for the ones in flight.
    static func runAll(_ rows: AsyncStream<PersonRow>, concurrency: Int, stop: BatchStop?, counters: Locked<BatchResult>,
                       taken: () -> Void, runOne: @escaping @Sendable (PersonRow, Int) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0, seq = 0
            for await row in rows {
                taken()
                if inFlight >= concurrency {
                    await group.next()
                    inFlight -= 1
                }
                if stop?.requested == true {
                    counters.withLock { $0.interrupted = true }
                    break
                }
                counters.withLock { $0.people += 1 }
                let n = seq
                group.addTask { await runOne(row, n) }
                inFlight += 1
                seq += 1
            }
            await group.waitForAll()
        }
    }

    /// A plan's people and unusable lines, in input order.
    static func plannedRows(_ plan: Plan) -> [PersonRow] {
        var rows = plan.problems.map { PersonRow(line: $0.line, identity: nil, problem: $0.message) }
        for person in plan.people {
            var identity = Identity()
            do {
                let given = person.keys + person.identity.keys.sorted().filter { !person.keys.contains($0) }
                for key in given { if let value = person.identity[key] { try identity.set(key, value) } }
                rows.append(PersonRow(line: person.line ?? 0, identity: identity, problem: nil, plan: person))
            } catch {
                rows.append(PersonRow(line: person.line ?? 0, identity: nil, problem: "in the plan: \(error)"))
            }
        }
        return rows.sorted { $0.line < $1.line }
    }

    /// How rows name a person: their first identity key as given (`email=ada@example.com`).
    static func firstKey(_ identity: Identity) -> String? {
        let values = identity.flattened
        return identity.keys.first { values[$0] != nil }.map { "\($0)=\(values[$0]!)" }
    }

    static func totalHint(_ people: PeopleInput) -> Int? {
        switch people {
        case .csv(let s): return CSVPeople.countLines(path: s.path)
        case .planned(let plan): return plan.people.count + plan.problems.count
        case .one: return 1
        }
    }

    /// Reads rows on a thread of its own (file reads block) into an async stream, never more
    /// than `buffer` rows ahead of the workers.
    final class RowStream: Sendable {
        let rows: AsyncStream<PersonRow>
        let space: DispatchSemaphore
        let stopped = Locked(false)

        init(rows: AsyncStream<PersonRow>, space: DispatchSemaphore) {
            self.rows = rows
            self.space = space
        }

        func taken() { space.signal() }

        func stop() {
            stopped.withLock { $0 = true }
            space.signal()
        }
    }

    static func rows(from source: CSVPeople, buffer: Int) -> RowStream {
        let (rows, continuation) = AsyncStream.makeStream(of: PersonRow.self, bufferingPolicy: .unbounded)
        // Start at 0 and signal the permits in: libdispatch traps when a semaphore is released
        // holding fewer permits than it was created with, which an early stop would do.
        let space = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, buffer) { space.signal() }
        let stream = RowStream(rows: rows, space: space)
        let thread = Thread {
            while !stream.stopped.current, let row = source.next() {
                stream.space.wait()
                if stream.stopped.current { break }
                continuation.yield(row)
            }
            continuation.finish()
        }
        thread.name = "erasure-csv-reader"
        thread.start()
        return stream
    }
}

/// A one-line progress bar on standard error: people done, failed, rate and ETA.
final class Progress: Sendable {
    let total: Int?
    let start = Date()
    private let counts = Locked<(done: Int, failed: Int, lastDraw: Date)>((0, 0, .distantPast))
    /// Whether the line is on screen; held while drawing, clearing and writing a row, so the
    /// two never share a line.
    private let onScreen = Locked(false)

    init(total: Int?) { self.total = total }

    func done(failed: Bool) {
        let (d, f, draw) = counts.withLock { c -> (Int, Int, Bool) in
            c.done += 1
            if failed { c.failed += 1 }
            let now = Date()
            let draw = now.timeIntervalSince(c.lastDraw) > 0.2
            if draw { c.lastDraw = now }
            return (c.done, c.failed, draw)
        }
        if draw { render(d, f) }
    }

    func finish() {
        let c = counts.current
        render(c.done, c.failed)
        onScreen.withLock { shown in
            FileHandle.standardError.write(Data("\n".utf8))
            shown = false
        }
    }

    /// Runs `write` (a row) with the progress line off the screen; the next update draws it again.
    func clearing(_ write: () -> Void) {
        onScreen.withLock { shown in
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            shown = false
            write()
        }
    }

    private func render(_ done: Int, _ failed: Int) {
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        var line = "\r\u{1B}[2K  \(done)"
        if let total, total > 0 {
            let width = 24
            let filled = min(width, done * width / total)
            line = "\r\u{1B}[2K  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "] \(done)/\(total)"
        }
        line += " people · \(failed) failed · " + String(format: "%.1f/s", rate)
        if let total, rate > 0, done < total {
            let eta = Int(Double(total - done) / rate)
            line += String(format: " · ETA %d:%02d", eta / 60, eta % 60)
        }
        onScreen.withLock { shown in
            FileHandle.standardError.write(Data(line.utf8))
            shown = true
        }
    }
}
