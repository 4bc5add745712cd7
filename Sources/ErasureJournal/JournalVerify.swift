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

public struct ChainVerification: Sendable, Hashable {
    public var receiptsChecked: Int
    /// The chain head as stored (last seq and its hash); anchor `headHash` elsewhere to detect
    /// a chain recomputed from some point on.
    public var headSeq: Int64
    public var headHash: String
    /// The first violation, or nil when the chain is intact.
    public var violation: ChainViolation?
    public var isIntact: Bool { violation == nil }
}

extension Journal {
    /// Recomputes the chain from the first receipt, streaming, and reports the first receipt that
    /// was altered or removed (the last one included, via `chain_head`).
    public func verify() async throws -> ChainVerification {
        try await pool.read { db in try Self.verify(db) }
    }

    static func verify(_ db: Database) throws -> ChainVerification {
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
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM receipts ORDER BY seq")
        while let row = try cursor.next() {
            let r = Self.receipt(row)
            let stepID: Int64? = row["step_id"]
            let fields = ReceiptChain.Fields(
                seq: r.seq, runID: row["run_id"], stepID: stepID, personKey: row["person_key"],
                personJSON: row["person_json"], vendor: row["vendor"], action: row["action"],
                outcome: row["outcome"], message: row["message"], vendorID: row["vendor_id"], time: row["time"],
                requestsJSON: row["requests_json"], bodiesJSON: row["bodies_json"], prevHash: row["prev_hash"])
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
            let recomputed = ReceiptChain.hash(fields)
            if recomputed != r.hash {
                result.violation = violation(.altered, "its content hashes to \(recomputed), the stored hash is \(r.hash)")
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
}
