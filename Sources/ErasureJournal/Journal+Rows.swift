import Crypto
import ErasureHost
import Foundation
import GRDB

// Writing step and run rows with their `row_hash`, keeping `table_digests` in step (see `RowHash`).
extension Journal {
    /// What a write needs to know of a step's existing row.
    struct ExistingStep {
        var id: Int64
        var receiptSeq: Int64?
        var rowHash: String?
        var isFinal: Bool
    }

    static func existingStep(_ db: Database, _ k: RedactedKey) throws -> ExistingStep? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, receipt_seq, row_hash, \(notFinal) AS open FROM steps
            WHERE run_id = ? AND person_key = ? AND vendor = ? AND action = ?
            """), arguments: [k.run, k.personKey, k.vendor, k.action]).map { row in
            ExistingStep(id: row["id"], receiptSeq: row["receipt_seq"], rowHash: row["row_hash"], isFinal: !row["open"])
        }
    }

    /// Writes `row` as the step's row: an UPDATE of `existing`, or an INSERT (then `row.id` is a
    /// fresh id). Keeps the steps digest. A step of an unknown run throws `unknownRun`.
    static func writeStep(_ db: Database, _ tx: GroupCommitWriter.Transaction, _ row: StepRow,
                          replacing existing: ExistingStep?) throws {
        let hash = row.hash
        let hex = Digest.hex(hash)
        if let existing {
            try db.cachedStatement(sql: """
                UPDATE steps SET state = ?, outcome = ?, message = ?, retryable = ?, http_status = ?, vendor_id = ?,
                                 updated_at = ?, receipt_seq = ?, row_hash = ?
                WHERE id = ?
                """).execute(arguments: [row.state.rawValue, row.outcome, row.message, row.retryable, row.httpStatus,
                                         row.vendorID, row.updatedAt, row.receiptSeq, hex, existing.id])
        } else {
            let k = row.key
            try mapForeignKey(k) {
                try db.cachedStatement(sql: """
                    INSERT INTO steps (id, run_id, person_key, person_json, vendor, action, state, outcome, message,
                                       retryable, http_status, vendor_id, updated_at, receipt_seq, row_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [row.id, k.run, k.personKey, k.personJSON, k.vendor, k.action,
                                             row.state.rawValue, row.outcome, row.message, row.retryable,
                                             row.httpStatus, row.vendorID, row.updatedAt, row.receiptSeq, hex])
            }
        }
        try tx.state.replaceRow(in: "steps", old: existing?.rowHash, new: hash, db)
    }

    /// Rewrites the hash of a run row from its stored columns (after `ended_at` changed).
    static func rehashRun(_ db: Database, _ tx: GroupCommitWriter.Transaction, id: String) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT row_hash, \(StoredColumns.runs.selectList()) FROM runs WHERE id = ?",
                                         arguments: [id]),
              case .success(let values) = StoredColumns.runs.values(row, at: 1) else { return }
        let hash = RowHash.run(values)
        try db.execute(sql: "UPDATE runs SET row_hash = ? WHERE id = ?", arguments: [Digest.hex(hash), id])
        try tx.state.replaceRow(in: "runs", old: row["row_hash"], new: hash, db)
    }

    /// Computes `row_hash` of every row of a journal written before rows were hashed, and the digests.
    static func hashExistingRows(_ db: Database) throws {
        for (table, columns, key) in [("steps", StoredColumns.steps, "id"), ("runs", StoredColumns.runs, "id")] {
            var digest = TableDigest()
            let rows = try Row.fetchAll(db, sql: "SELECT \(key), \(columns.selectList()) FROM \(table)")
            for row in rows {
                guard case .success(let values) = columns.values(row, at: 1) else { continue }
                let hash = table == "steps" ? RowHash.step(values) : RowHash.run(values)
                try db.execute(sql: "UPDATE \(table) SET row_hash = ? WHERE \(key) = ?",
                               arguments: [Digest.hex(hash), row[0] as DatabaseValue])
                digest.add(hash)
            }
            try WriteState.write(digest, of: table, db)
        }
    }
}
