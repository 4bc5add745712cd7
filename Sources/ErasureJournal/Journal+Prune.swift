import ErasureHost
import Foundation
import GRDB

public struct PruneResult: Sendable, Hashable {
    public var receiptsPruned: Int
    public var stepsRemoved: Int
}

extension Journal {
    /// Retention: removes what the journal holds about steps finished before `before` (ISO 8601,
    /// or a date). Their receipts keep only seq, prev_hash and hash (`ReceiptChain.prunedContent`),
    /// so the chain still links through them and the run signatures still hold; the steps' rows
    /// are deleted. Steps not finished are kept (a run may still be resumed). The file is then
    /// rewritten (VACUUM) so the removed bytes are gone from it, not only unlinked.
    public func prune(before: String) async throws -> PruneResult {
        let result = try await writer.submit { db, tx -> PruneResult in
            try db.execute(sql: "UPDATE receipts SET \(ReceiptChain.pruneSQL) WHERE pruned IS NULL AND time < ?",
                           arguments: [before])
            let receipts = db.changesCount
            let steps = try Row.fetchAll(db, sql: "SELECT id, row_hash FROM steps WHERE state = 'done' AND updated_at < ?",
                                         arguments: [before])
            for step in steps {
                try db.execute(sql: "DELETE FROM steps WHERE id = ?", arguments: [step["id"] as Int64])
                try tx.state.replaceRow(in: "steps", old: step["row_hash"], new: nil, db)
            }
            return PruneResult(receiptsPruned: receipts, stepsRemoved: steps.count)
        }
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return result
    }
}
