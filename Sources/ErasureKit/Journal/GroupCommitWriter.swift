import GRDB
import Synchronization

/// Serialises the journal's writes and commits them in groups.
///
/// Every durability point (`markSent`, `complete`, ...) is submitted here and its caller resumes
/// only after the transaction that holds it has COMMITTED (with `synchronous = FULL`, i.e. after
/// the WAL was synced). While one transaction commits, later submissions queue up; the next
/// transaction applies all of them, each in its own SAVEPOINT, so one failing write (e.g. a
/// step already done) rolls back only itself. At 64 steps in flight this turns ~64 fsyncs into
/// one without weakening any guarantee: nobody is told "durable" before the fsync.
final class GroupCommitWriter: Sendable {
    private struct Job: Sendable {
        let apply: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }
    private struct State {
        var queue: [Job] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// Upper bound of jobs per transaction (keeps a transaction, and a failure's blast radius, small).
    private let maxBatch: Int

    init(pool: DatabasePool, maxBatch: Int = 512) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    func submit<T: Sendable>(_ apply: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let job = Job(apply: { db in try apply(db) }, continuation: continuation)
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
        return value as! T
    }

    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Job] in
                if s.queue.isEmpty {
                    s.draining = false
                    return []
                }
                let n = min(s.queue.count, maxBatch)
                let batch = Array(s.queue.prefix(n))
                s.queue.removeFirst(n)
                return batch
            }
            if batch.isEmpty { return }
            let results: [Result<any Sendable, any Error>]
            do {
                results = try await pool.write { db in
                    batch.map { job in
                        var outcome: Result<any Sendable, any Error> = .failure(CancellationError())
                        do {
                            try db.inSavepoint {
                                outcome = .success(try job.apply(db))
                                return .commit
                            }
                        } catch {
                            outcome = .failure(error)
                        }
                        return outcome
                    }
                }
            } catch {
                // The commit itself failed: none of the batch is durable.
                results = batch.map { _ in .failure(error) }
            }
            for (job, result) in zip(batch, results) {
                job.continuation.resume(with: result)
            }
        }
    }
}
