import Foundation
import GRDB

/// Counts of one (vendor, outcome) pair in a run. `outcome` is nil for steps not done yet
/// (then `state` says pending or sent).
public struct OutcomeCount: Sendable, Hashable, Codable {
    public var vendor: String
    public var action: String
    public var state: StepState
    public var outcome: String?
    public var count: Int
}

/// What `erasure journal show RUN` prints.
public struct RunSummary: Sendable, Hashable, Codable {
    public var run: RunRecord
    public var counts: [OutcomeCount]
    /// Steps done with outcome `failed`, with their messages.
    public var failures: [StepRecord]
    public var totalSteps: Int { counts.reduce(0) { $0 + $1.count } }
    public func count(outcome: String) -> Int {
        counts.filter { $0.outcome == outcome }.reduce(0) { $0 + $1.count }
    }
    public func count(state: StepState) -> Int {
        counts.filter { $0.state == state }.reduce(0) { $0 + $1.count }
    }
}

/// One line of `erasure journal show` (no RUN).
public struct RunOverview: Sendable, Hashable, Codable {
    public var run: RunRecord
    public var steps: Int
    public var done: Int
    public var failed: Int
    public var receipts: Int
}

extension Journal {
    /// Counts per vendor × action × outcome, and the failures with their messages.
    public func summary(run id: RunID) async throws -> RunSummary {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id.rawValue]) else {
                throw JournalError.unknownRun(id)
            }
            let counts = try Row.fetchAll(db, sql: """
                SELECT vendor, action, state, outcome, COUNT(*) AS n FROM steps WHERE run_id = ?
                GROUP BY vendor, action, state, outcome ORDER BY vendor, action, state, outcome
                """, arguments: [id.rawValue]).map { r in
                OutcomeCount(vendor: r["vendor"], action: r["action"],
                             state: StepState(rawValue: r["state"]) ?? .pending, outcome: r["outcome"], count: r["n"])
            }
            let failures = try Row.fetchAll(db, sql: """
                SELECT * FROM steps WHERE run_id = ? AND state = 'done' AND outcome = 'failed' ORDER BY id
                """, arguments: [id.rawValue]).map(Self.stepRecord)
            return RunSummary(run: Self.runRecord(row), counts: counts, failures: failures)
        }
    }

    /// Every run with its step counts, oldest first.
    public func runOverviews() async throws -> [RunOverview] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT runs.*,
                    (SELECT COUNT(*) FROM steps WHERE run_id = runs.id) AS n_steps,
                    (SELECT COUNT(*) FROM steps WHERE run_id = runs.id AND state = 'done') AS n_done,
                    (SELECT COUNT(*) FROM steps WHERE run_id = runs.id AND state = 'done' AND outcome = 'failed') AS n_failed,
                    (SELECT COUNT(*) FROM receipts WHERE run_id = runs.id) AS n_receipts
                FROM runs ORDER BY started_at, rowid
                """).map { r in
                RunOverview(run: Self.runRecord(r), steps: r["n_steps"], done: r["n_done"], failed: r["n_failed"],
                            receipts: r["n_receipts"])
            }
        }
    }
}
