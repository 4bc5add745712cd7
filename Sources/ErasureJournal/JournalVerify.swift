import Crypto
import ErasureHost
import Foundation
import GRDB

/// The first place where the receipt chain does not hold.
public struct ChainViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The receipt's content does not match its stored hash (a field was edited).
        case altered
        /// The receipt with this seq is missing (a row was deleted; also the last one).
        case removed
        /// The receipt's prev_hash is not the previous receipt's hash (rows replaced or re-linked).
        case brokenLink
        /// `chain_head` does not match the last receipt.
        case headMismatch
    }
    public var kind: Kind
    /// The seq of the receipt altered, removed or mis-linked.
    public var seq: Int64
    /// What is known of the receipt (for a removed one: from the step that pointed to it).
    public var run: RunID?
    public var personKey: String?
    public var vendor: String?
    public var action: String?
    public var detail: String

    public var description: String {
        var who = ""
        if let vendor, let action { who += " (\(vendor)/\(action)" } else if let vendor { who += " (\(vendor)" }
        if let personKey { who += who.isEmpty ? " (person \(personKey)" : ", person \(personKey)" }
        if let run { who += who.isEmpty ? " (run \(run)" : ", run \(run)" }
        if !who.isEmpty { who += ")" }
        let what: String
        switch kind {
        case .altered: what = "was altered"
        case .removed: what = "was removed"
        case .brokenLink: what = "does not follow the previous receipt"
        case .headMismatch: what = "does not match the chain head"
        }
        return "receipt #\(seq)\(who) \(what): \(detail)"
    }
}

/// A step or run row, or a whole table, that does not hold (see `RowHash`).
public struct RowViolation: Sendable, Hashable, CustomStringConvertible {
    /// `steps`, `runs`.
    public var table: String
    /// The row's id; nil when the table as a whole does not match its digest (a row added or removed).
    public var id: String?
    public var detail: String

    public var description: String {
        let what = table == "steps" ? "step" : "run"
        guard let id else { return "the \(table) table \(detail)" }
        return "\(what) \(id) \(detail)"
    }
}

public struct ChainVerification: Sendable, Hashable {
    public var receiptsChecked: Int
    /// The chain head as stored (last seq and its hash); anchor `headHash` elsewhere to detect
    /// a chain recomputed from some point on.
    public var headSeq: Int64
    public var headHash: String
    /// Receipts pruned (`Journal.prune`): the chain links through them, their content is gone.
    public var receiptsPruned = 0
    /// The first violation of the receipt chain, or nil when the chain is intact.
    public var violation: ChainViolation?
    /// The first step or run row that was edited, added or removed, or nil.
    public var rowViolation: RowViolation?
    /// The run signatures, and a head anchored elsewhere.
    public var signatures = SignatureCheck()
    public var isIntact: Bool { violation == nil && rowViolation == nil && signatures.violation == nil }
}

extension Journal {
    /// Recomputes the chain from the first receipt, streaming, and reports the first receipt that
    /// was altered or removed (the last one included, via `chain_head`); then the first step or
    /// run row that was edited, added or removed, or whose outcome is not its receipt's.
    /// Every hash is recomputed over the bytes as stored (`StoredColumns`). Then each run's signed
    /// head, under `publicKey` when given (see `verifySignatures`), and `anchoredHead`.
    public func verify(publicKey: Curve25519.Signing.PublicKey? = nil, anchoredHead: String? = nil) async throws
        -> ChainVerification
    {
        try await pool.read { db in
            var result = try Self.verifyChain(db)
            result.signatures = try Self.verifySignatures(db, trusting: publicKey, anchoredHead: anchoredHead)
            result.rowViolation = try Self.verifyRows(db, "runs", .runs, RowHash.run)
                ?? Self.verifyRows(db, "steps", .steps, RowHash.step)
                ?? Self.verifyDoneSteps(db)
            return result
        }
    }

    static func verifyChain(_ db: Database) throws -> ChainVerification {
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM chain_head WHERE id = 1")
        let headSeq: Int64 = head?["seq"] ?? 0
        let headHash: String = head?["hash"] ?? ""
        var result = ChainVerification(receiptsChecked: 0, headSeq: headSeq, headHash: headHash, violation: nil)

        func removed(_ seq: Int64, _ detail: String) throws -> ChainViolation {
            // The step whose latest receipt it was names it.
            let step = try Row.fetchOne(db, sql: "SELECT * FROM steps WHERE receipt_seq = ?", arguments: [seq])
            return ChainViolation(kind: .removed, seq: seq, run: (step?["run_id"] as String?).map(RunID.init),
                                  personKey: step?["person_key"], vendor: step?["vendor"], action: step?["action"],
                                  detail: detail)
        }

        var expectedSeq: Int64 = 1
        var prevHash = ReceiptChain.genesis
        let stored = StoredColumns.receipts
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT *, \(stored.selectList()), typeof(pruned) AS pruned_type FROM receipts ORDER BY seq
            """)
        let offset = try db.columns(in: "receipts").count
        while let row = try cursor.next() {
            let r = Self.receipt(row)
            func violation(_ kind: ChainViolation.Kind, _ detail: String) -> ChainViolation {
                ChainViolation(kind: kind, seq: r.seq, run: r.run, personKey: r.personKey, vendor: r.vendor,
                               action: r.action, detail: detail)
            }
            if r.seq > expectedSeq {
                result.violation = try removed(expectedSeq, "the chain jumps from #\(expectedSeq - 1) to #\(r.seq)")
                return result
            }
            if r.seq < expectedSeq {
                result.violation = violation(.brokenLink, "unexpected seq (expected #\(expectedSeq))")
                return result
            }
            let values: [CanonicalForm.Value]
            switch stored.values(row, at: offset) {
            case .failure(let mismatch):
                result.violation = violation(.altered, "\(mismatch)")
                return result
            case .success(let v):
                values = v
            }
            switch (row["pruned_type"] as String, row["pruned"] as Int64?) {
            case ("null", _):
                let recomputed = ReceiptChain.hash(Array(values.dropLast()))
                guard case .bytes(let storedHash) = values.last!, storedHash == Data(recomputed.utf8) else {
                    result.violation = violation(.altered, "its content hashes to \(recomputed), the stored hash is \(r.hash)")
                    return result
                }
            case ("integer", 1):
                let content = values[1...12].map { v -> Data? in if case .bytes(let d) = v { return d } else { return nil } }
                guard content == ReceiptChain.prunedContent, Hex.decode(r.hash) != nil else {
                    result.violation = violation(.altered, "it is marked pruned but its columns are not those of a pruned receipt")
                    return result
                }
                result.receiptsPruned += 1
            default:
                result.violation = violation(.altered, "its pruned column holds neither NULL nor 1")
                return result
            }
            if r.prevHash != prevHash {
                result.violation = violation(.brokenLink, "its prev_hash is \(r.prevHash), the previous receipt's hash is \(prevHash)")
                return result
            }
            prevHash = r.hash
            expectedSeq += 1
            result.receiptsChecked += 1
        }
        let lastSeq = expectedSeq - 1
        if headSeq > lastSeq {
            result.violation = try removed(lastSeq + 1, "the chain head is #\(headSeq) but the last receipt is #\(lastSeq)")
        } else if headSeq < lastSeq || headHash != prevHash {
            result.violation = ChainViolation(kind: .headMismatch, seq: lastSeq, run: nil, personKey: nil, vendor: nil,
                                              action: nil, detail: "chain_head is #\(headSeq) \(headHash), the last receipt is #\(lastSeq) \(prevHash)")
        }
        return result
    }

    /// The first row of `table` whose columns do not hash to its `row_hash`, or, when every row
    /// holds, a table whose rows do not add up to its digest (a row added or removed).
    static func verifyRows(_ db: Database, _ table: String, _ stored: StoredColumns,
                           _ hash: ([CanonicalForm.Value]) -> SHA256.Digest) throws -> RowViolation? {
        var digest = TableDigest()
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT CAST(id AS TEXT), typeof(row_hash), CAST(row_hash AS BLOB), \(stored.selectList()) FROM \(table) ORDER BY rowid
            """)
        while let row = try cursor.next() {
            let id: String = row[0] ?? "?"
            func violation(_ detail: String) -> RowViolation {
                RowViolation(table: table, id: id, detail: "was altered: " + detail)
            }
            let values: [CanonicalForm.Value]
            switch stored.values(row, at: 3) {
            case .failure(let mismatch): return violation("\(mismatch)")
            case .success(let v): values = v
            }
            let recomputed = hash(values)
            let storedHash: Data? = row[1] as String == "text" ? row[2] : nil
            guard let storedHash, storedHash == Data(Digest.hex(recomputed).utf8) else {
                return violation("its columns hash to \(Digest.hex(recomputed)), its row_hash is "
                                 + (storedHash.map { String(decoding: $0, as: UTF8.self) } ?? "missing"))
            }
            digest.add(recomputed)
        }
        let recorded = try Row.fetchOne(db, sql: "SELECT typeof(rows) AS t, rows, digest FROM table_digests WHERE name = ?",
                                        arguments: [table])
        let recordedDigest = recorded.flatMap { r -> TableDigest? in
            r["t"] as String == "integer" ? TableDigest(rows: r["rows"], hex: r["digest"]) : nil
        }
        if recordedDigest != digest {
            let was = recordedDigest.map { "\($0.rows) rows, digest \($0.hex)" } ?? "no valid digest"
            return RowViolation(table: table, id: nil,
                                detail: "has \(digest.rows) rows, digest \(digest.hex); table_digests records \(was): "
                                    + "a row was added or removed")
        }
        return nil
    }

    /// The first step done whose columns are not those of its latest receipt (the step is what
    /// `--resume` trusts; the receipt is the evidence). Compared as stored, types included.
    static func verifyDoneSteps(_ db: Database) throws -> RowViolation? {
        let same = ["run_id", "person_key", "person_json", "vendor", "action", "outcome", "message", "vendor_id"]
            .map { "r.\($0) IS s.\($0)" }.joined(separator: " AND ")
        guard let row = try Row.fetchOne(db, sql: """
            SELECT CAST(s.id AS TEXT) AS id, s.receipt_seq FROM steps s LEFT JOIN receipts r ON r.seq = s.receipt_seq
            WHERE s.state = 'done' AND NOT (r.seq IS NOT NULL AND r.step_id IS s.id AND r.time IS s.updated_at AND \(same))
            ORDER BY s.id LIMIT 1
            """) else { return nil }
        let seq: Int64? = row["receipt_seq"]
        return RowViolation(table: "steps", id: row["id"],
                            detail: "is done but does not match its receipt "
                                + (seq.map { "#\($0)" } ?? "(it names none)")
                                + " (run, person, vendor, action, outcome, message, vendor id and time must be the receipt's)")
    }
}
