import Crypto
import ErasureHost
import GRDB

/// What the writes of one transaction share, read once and written back once before the commit:
/// the receipt chain's head, the table digests (`TableDigest`), the last step id. A value, so a
/// write that fails is given back the state it started from (`GroupCommitWriter`).
struct WriteState {
    private var head: (seq: Int64, hash: String)?
    private var headChanged = false
    private var digests: [String: TableDigest] = [:]
    private var lastStepID: Int64?

    /// The chain head as this transaction has left it.
    mutating func chainHead(_ db: Database) throws -> (seq: Int64, hash: String) {
        if let head { return head }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM chain_head WHERE id = 1"))
        let seq: Int64 = row?["seq"] ?? 0
        let hash: String = row?["hash"] ?? ReceiptChain.genesis
        let read = (seq: seq, hash: hash)
        head = read
        return read
    }

    mutating func setChainHead(seq: Int64, hash: String) {
        head = (seq, hash)
        headChanged = true
    }

    /// A fresh step id (steps are numbered here, not by SQLite, so a new row's hash can cover its id).
    mutating func nextStepID(_ db: Database) throws -> Int64 {
        let last = try lastStepID ?? Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM steps")) ?? 0
        lastStepID = last + 1
        return last + 1
    }

    /// A table's row hash changes: `old` (hex, as stored) leaves the digest, `new` joins it.
    mutating func replaceRow(in table: String, old: String?, new: SHA256.Digest?, _ db: Database) throws {
        var digest = try digests[table] ?? Self.storedDigest(table, db)
        if let old { digest.remove(hex: old) }
        if let new { digest.add(new) }
        digests[table] = digest
    }

    static func storedDigest(_ table: String, _ db: Database) throws -> TableDigest {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT rows, digest FROM table_digests WHERE name = ?"),
                                         arguments: [table]) else { return TableDigest() }
        return TableDigest(rows: row["rows"], hex: row["digest"]) ?? TableDigest()
    }

    static func write(_ digest: TableDigest, of table: String, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO table_digests (name, rows, digest) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET rows = excluded.rows, digest = excluded.digest
            """).execute(arguments: [table, digest.rows, digest.hex])
    }

    /// Writes back what changed; called once, just before the commit.
    func writeBack(_ db: Database) throws {
        if headChanged, let head {
            try db.cachedStatement(sql: "UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1")
                .execute(arguments: [head.seq, head.hash])
        }
        for (table, digest) in digests {
            try Self.write(digest, of: table, db)
        }
    }
}
