import ErasureHost
import GRDB
import Synchronization

/// Serialises the journal's writes and commits them in groups.
///
/// Every durability point (`markSent`, `complete`, ...) is submitted here and its caller resumes
/// only after the transaction that holds it has COMMITTED (with `synchronous = FULL`, i.e. after
/// the WAL was synced). While one transaction commits, later submissions queue up; the next
/// transaction applies all of them, so one fsync covers every write queued meanwhile without
/// weakening any guarantee: nobody is told "durable" before the fsync. A write of several
/// statements runs in its own SAVEPOINT, so one failing write (e.g. a step already done) rolls
/// back only itself; a write that changes the database with one statement is atomic by itself
/// and needs none. Either way a failed write gets its `WriteState` back.
///
/// Under load, commits are also paced: when the last transaction carried more than one write
/// (others are writing too), the next one starts no sooner than `commitInterval` after it, and
/// so carries more writes. A commit costs far more than a row (an fsync, the transaction's
/// bookkeeping, and every WAL page it touched, written whether it holds one row or fifty).
/// Unpaced, a 64-wide batch committed every ~250 µs with ~5 writes each. A batch is bound by
/// CPU, not by the latency this adds (measured: concurrency 32 to 96 give the same throughput),
/// and a lone writer (`erasure delete`, a quiet batch) never waits.
final class GroupCommitWriter: Sendable {
    /// State shared by the writes of one transaction, written back once before the commit.
    final class Transaction {
        var state = WriteState()
    }

    private struct Job: Sendable {
        let savepoint: Bool
        let apply: @Sendable (Database, Transaction) throws -> any Sendable
        /// Called once the transaction holding the job has committed (or failed).
        let finish: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    /// A write already queued, whose result (once durable) is awaited later.
    final class Pending<T: Sendable>: Sendable {
        private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

        fileprivate func fulfil(_ result: Result<any Sendable, any Error>) {
            let typed = result.map { $0 as! T }
            let waiter = state.withLock { s -> CheckedContinuation<T, any Error>? in
                s.result = typed
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(with: typed)
        }

        /// The write's value once its transaction is durable (at once if it already is).
        var value: T {
            get async throws {
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
                    let done = state.withLock { s -> Result<T, any Error>? in
                        if s.result == nil { s.waiter = c }
                        return s.result
                    }
                    if let done { c.resume(with: done) }
                }
            }
        }
    }
    private struct State {
        var queue: [Job] = []
        var draining = false
        /// When the last transaction started, and whether it carried several writes.
        var previous: (start: ContinuousClock.Instant, busy: Bool)?
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// Upper bound of jobs per transaction (keeps a transaction, and a failure's blast radius, small).
    private let maxBatch: Int
    /// The least time between the starts of two transactions while several writers are busy.
    let commitInterval: Duration

    init(pool: DatabasePool, maxBatch: Int = 512, commitInterval: Duration = .milliseconds(10)) {
        self.pool = pool
        self.maxBatch = maxBatch
        self.commitInterval = commitInterval
    }

    /// Applies `apply` in the next transaction; returns its value once that transaction is durable.
    /// `savepoint: false` only for a write that modifies with ONE statement (atomic by itself).
    func submit<T: Sendable>(savepoint: Bool = true,
                             _ apply: @escaping @Sendable (Database, Transaction) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            append(Job(savepoint: savepoint, apply: { db, tx in try apply(db, tx) },
                       finish: { continuation.resume(with: $0) }))
        }
        return value as! T
    }

    /// Queues `apply` NOW (before any write submitted after this call returns: the queue is
    /// FIFO, so a later write is committed in the same transaction or a later one) and returns
    /// a handle to await its durability later.
    func enqueue<T: Sendable>(savepoint: Bool = true,
                              _ apply: @escaping @Sendable (Database, Transaction) throws -> T) -> Pending<T> {
        let pending = Pending<T>()
        append(Job(savepoint: savepoint, apply: { db, tx in try apply(db, tx) }, finish: { pending.fulfil($0) }))
        return pending
    }

    private func append(_ job: Job) {
        let startDrain = state.withLock { s -> Bool in
            s.queue.append(job)
            if s.draining { return false }
            s.draining = true
            return true
        }
        if startDrain {
            Task.detached { await self.drain() }
        }
    }

    func submit<T: Sendable>(_ apply: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await submit(savepoint: true) { db, _ in try apply(db) }
    }

    private func drain() async {
        while true {
            if let previous = state.withLock({ $0.previous }), previous.busy {
                let wait = commitInterval - (ContinuousClock.now - previous.start)
                if wait > .microseconds(200) { try? await Task.sleep(for: wait) }
            }
            let batch = state.withLock { s -> [Job] in
                if s.queue.isEmpty {
                    s.draining = false
                    return []
                }
                let n = min(s.queue.count, maxBatch)
                let batch = Array(s.queue.prefix(n))
                s.queue.removeFirst(n)
                s.previous = (ContinuousClock.now, n > 1)
                return batch
            }
            if batch.isEmpty { return }
            let results: [Result<any Sendable, any Error>]
            do {
                results = try await pool.write { db in
                    let tx = Transaction()
                    let results = batch.map { job in Self.apply(job, db, tx) }
                    try tx.state.writeBack(db)
                    return results
                }
            } catch {
                // The commit itself failed: none of the batch is durable.
                results = batch.map { _ in .failure(error) }
            }
            for (job, result) in zip(batch, results) {
                job.finish(result)
            }
        }
    }

    private static func apply(_ job: Job, _ db: Database, _ tx: Transaction) -> Result<any Sendable, any Error> {
        let state = tx.state
        guard job.savepoint else {
            let result = Result { try job.apply(db, tx) }
            if case .failure = result { tx.state = state }
            return result
        }
        do {
            try db.cachedStatement(sql: "SAVEPOINT journal_write").execute()
        } catch {
            return .failure(error)
        }
        do {
            let value = try job.apply(db, tx)
            try db.cachedStatement(sql: "RELEASE journal_write").execute()
            return .success(value)
        } catch {
            // Undo this write only; what it changed in memory goes back too.
            tx.state = state
            try? db.cachedStatement(sql: "ROLLBACK TO journal_write").execute()
            try? db.cachedStatement(sql: "RELEASE journal_write").execute()
            return .failure(error)
        }
    }
}
