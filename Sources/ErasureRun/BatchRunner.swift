import ErasureHost
import ErasurePlugins
import Foundation
import LuaBridge

public enum PeopleInput: Sendable {
    case one(Identity)
    case csv(CSVPeople)
}

public struct BatchOptions: Sendable {
    public var concurrency = 16
    public var maxDeletions: Int? = 100
    public var progress = false
    /// How long the workflow may take for one person; nil: derived from the vendors' action
    /// deadlines (`Workflow.personTimeout(vendors:)`).
    public var personTimeout: Duration?
    public init() {}
}

public struct BatchResult: Sendable {
    public var people = 0
    public var badRows = 0
    public var stoppedByLimit = false
    public var failed = false
}

/// Runs a workflow over many people: `concurrency` people in flight in one Lua runtime (each a
/// coroutine), the CSV streamed with back-pressure so memory stays flat whatever its size.
public enum BatchRunner {
    public static func run(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, sink: any OutcomeSink,
                           hooks: (any StepHooks)?, budget: DeletionBudget) async -> BatchResult {
        let progress = options.progress ? Progress(total: totalHint(people)) : nil
        let counters = Locked(BatchResult())
        let emit: @Sendable (Outcome, Int?) async -> Void = { outcome, line in
            if outcome.kind == .failed { counters.withLock { $0.failed = true } }
            sink.add(outcome, line: line)
        }

        @Sendable func runOne(_ row: PersonRow) async {
            if let problem = row.problem {
                let o = Outcome(vendor: "input", action: .delete, kind: .failed, message: "line \(row.line): \(problem)",
                                user: [:], dryRun: workflow.engine.dryRun)
                counters.withLock { $0.badRows += 1 }
                await emit(o, row.line)
                progress?.done(failed: true)
                return
            }
            guard let identity = row.identity else { return }
            if workflow.applicableVendors(identity).isEmpty {
                let keys = identity.flattened.keys.sorted().joined(separator: ", ")
                let o = Outcome(vendor: "input", action: .delete, kind: .failed,
                                message: "line \(row.line): no configured vendor accepts these identity keys (\(keys))",
                                user: identity.flattened, dryRun: workflow.engine.dryRun)
                counters.withLock { $0.badRows += 1 }
                await emit(o, row.line)
                progress?.done(failed: true)
                return
            }
            let line: Int? = row.line > 0 ? row.line : nil
            let outcomes = await workflow.run(identity: identity, line: line, hooks: hooks, budget: budget,
                                              timeout: options.personTimeout) { o in
                await emit(o, line)
            }
            progress?.done(failed: outcomes.contains { $0.kind == .failed })
        }

        switch people {
        case .one(let identity):
            counters.withLock { $0.people = 1 }
            await runOne(PersonRow(line: 0, identity: identity, problem: nil))
        case .csv(let source):
            let stream = rows(from: source, buffer: options.concurrency * 2)
            await withTaskGroup(of: Void.self) { group in
                var inFlight = 0
                for await row in stream.rows {
                    stream.taken()
                    if budget.exhausted { break }
                    if inFlight >= options.concurrency {
                        await group.next()
                        inFlight -= 1
                    }
                    counters.withLock { $0.people += 1 }
                    group.addTask { await runOne(row) }
                    inFlight += 1
                }
                stream.stop()
                await group.waitForAll()
            }
        }
        progress?.finish()
        var result = counters.current
        result.stoppedByLimit = budget.exhausted
        return result
    }

    static func totalHint(_ people: PeopleInput) -> Int? {
        if case .csv(let s) = people { return CSVPeople.countLines(path: s.path) }
        return 1
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
        FileHandle.standardError.write(Data("\n".utf8))
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
        FileHandle.standardError.write(Data(line.utf8))
    }
}
