import Crypto
import ErasureHost
import Foundation
import GRDB

/// What `verify` found of the signatures and of a head anchored elsewhere.
public struct SignatureCheck: Sendable, Hashable {
    /// Runs whose final chain head is signed and holds.
    public var runsSigned = 0
    /// Ended runs that were never signed (journals written before signatures, or without a key).
    public var runsUnsigned = 0
    /// The ids of the keys that signed.
    public var keyIDs: [String] = []
    /// Whether the signatures were checked against a public key given by the auditor (else against
    /// the key recorded in the journal, which only shows the journal is consistent with itself).
    public var trustedKey = false
    /// The first problem: a signature that does not hold, a signed head the chain no longer has,
    /// a signature missing, a head given with --head that is not in the chain.
    public var violation: String?
}

extension Journal {
    /// Signs `run`'s final chain head: its last receipt, or the chain head when it wrote none.
    static func sign(run: String, with signer: SigningKey, _ db: Database, _ tx: GroupCommitWriter.Transaction) throws {
        let head: (seq: Int64, hash: String)
        if let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM receipts WHERE run_id = ? ORDER BY seq DESC LIMIT 1",
                                       arguments: [run]) {
            head = (last["seq"], last["hash"])
        } else {
            head = try tx.state.chainHead(db)
        }
        let signature = try signer.sign(RunSignature.message(run: run, seq: head.seq, hash: head.hash))
        try db.execute(sql: """
            INSERT INTO signatures (run_id, head_seq, head_hash, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash,
                key_id = excluded.key_id, public_key = excluded.public_key, signature = excluded.signature
            """, arguments: [run, head.seq, head.hash, signer.id, Digest.hex(signer.publicKey.rawRepresentation), signature])
    }

    /// Every run signature, by run start.
    public func signatures() async throws -> [RunSignature] {
        try await pool.read { db in try Self.signatures(db) }
    }

    static func signatures(_ db: Database) throws -> [RunSignature] {
        try Row.fetchAll(db, sql: """
            SELECT s.* FROM signatures s LEFT JOIN runs r ON r.id = s.run_id ORDER BY r.started_at, s.run_id
            """).map { row in
            RunSignature(run: RunID(row["run_id"]), headSeq: row["head_seq"], headHash: row["head_hash"],
                         keyID: row["key_id"], publicKey: row["public_key"], signature: row["signature"])
        }
    }

    /// Each signature holds (under `trusting`, else the key it records) over a head the chain
    /// still has (a chain recomputed after an edit has other hashes); each ended run that was to
    /// be signed is; and `anchoredHead`, a head hash kept elsewhere, is in the chain.
    static func verifySignatures(_ db: Database, trusting key: Curve25519.Signing.PublicKey?,
                                 anchoredHead: String?) throws -> SignatureCheck {
        var check = SignatureCheck(trustedKey: key != nil)
        func hashOf(_ seq: Int64) throws -> String? {
            seq == 0 ? ReceiptChain.genesis
                : try String.fetchOne(db, sql: "SELECT hash FROM receipts WHERE seq = ?", arguments: [seq])
        }
        if let anchoredHead {
            let found = try Bool.fetchOne(db, sql: "SELECT 1 FROM receipts WHERE hash = ? LIMIT 1", arguments: [anchoredHead]) == true
            if !found && anchoredHead != ReceiptChain.genesis {
                check.violation = "the head \(anchoredHead) is not in the chain: the chain was recomputed or cut"
                return check
            }
        }
        let signatures = try signatures(db)
        let signedRuns = Set(signatures.map(\.run.rawValue))
        for s in signatures {
            if let problem = s.problem(trusting: key) {
                check.violation = "the signature of run \(s.run): \(problem)"
                return check
            }
            let now = try hashOf(s.headSeq)
            guard now == s.headHash else {
                check.violation = "run \(s.run) signed head #\(s.headSeq) \(s.headHash), but the chain's receipt #\(s.headSeq) "
                    + (now.map { "hashes to \($0)" } ?? "is missing") + ": the chain was recomputed or cut"
                return check
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [s.run.rawValue]) == true else {
                check.violation = "a signature names run \(s.run), which the journal does not have"
                return check
            }
            check.runsSigned += 1
            if !check.keyIDs.contains(s.keyID) { check.keyIDs.append(s.keyID) }
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, signed_by FROM runs WHERE ended_at IS NOT NULL ORDER BY started_at") {
            let id: String = row["id"]
            if signedRuns.contains(id) { continue }
            if let signer: String = row["signed_by"] {
                check.violation = "run \(id) ended signed by key \(signer), but its signature is missing"
                return check
            }
            check.runsUnsigned += 1
        }
        return check
    }
}
