import Crypto
import ErasureHost
import Foundation

/// Verifies a JSON-lines export (`Journal.export(format: .jsonl)`) with no database: every
/// receipt's hash recomputed from the texts exactly as stored, each link between consecutive
/// receipts, each run signature under the auditor's public key over a head the export holds, and,
/// for a whole export, the chain head. Every receipt must then be under a signed head: linked,
/// receipt by receipt, to a head whose signature holds. So a whole export, or one run's, verifies;
/// an export of one person (a gappy chain) shows each receipt's content matches its hash, but not
/// its place in the signed chain: that needs the export of its run.
public enum ExportVerifier {
    public struct Result: Sendable, Hashable {
        public var receiptsChecked = 0
        public var receiptsPruned = 0
        public var runsSigned = 0
        /// Signatures whose head receipt is not in this (filtered) export: not checked.
        public var signaturesNotCheckable = 0
        /// Receipts linked, one by one, to a head whose signature holds.
        public var receiptsUnderSignature = 0
        public var headSeq: Int64?
        public var headHash: String?
        /// The first problem, with its line number: proof of an edit.
        public var violation: String?
        /// Receipts that match their hashes but that no signed head covers (a person's export, or
        /// one cut after its last signed head): no proof of an edit, and no proof of none.
        public var unverified: String?
        public var isIntact: Bool { violation == nil && unverified == nil }
    }

    public static func verify(lines: some Sequence<Substring>, publicKey: Curve25519.Signing.PublicKey) -> Result {
        var result = Result()
        var hashes: [Int64: String] = [:]
        var previous: (seq: Int64, hash: String)?
        var signatures: [(line: Int, signature: RunSignature)] = []
        var signedHeads: Set<Int64> = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let n = index + 1
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                result.violation = "line \(n) is not a JSON object"
                return result
            }
            switch object["kind"] as? String {
            case "receipt":
                guard let receipt = receipt(object) else {
                    result.violation = "line \(n): a receipt with a missing or mistyped field"
                    return result
                }
                if receipt.pruned {
                    result.receiptsPruned += 1
                } else {
                    let recomputed = ReceiptChain.hash(ReceiptChain.values(receipt))
                    guard recomputed == receipt.hash else {
                        result.violation = "line \(n): receipt #\(receipt.seq) was altered: its content hashes to "
                            + "\(recomputed), the export says \(receipt.hash)"
                        return result
                    }
                }
                if let previous, receipt.seq <= previous.seq {
                    result.violation = "line \(n): receipt #\(receipt.seq) comes after #\(previous.seq)"
                    return result
                }
                let expected = receipt.seq == 1 ? ReceiptChain.genesis
                    : previous.flatMap { $0.seq == receipt.seq - 1 ? $0.hash : nil }
                if let expected, expected != receipt.prevHash {
                    result.violation = "line \(n): receipt #\(receipt.seq) does not follow the previous receipt "
                        + "(its prev_hash is \(receipt.prevHash), the previous hash is \(expected))"
                    return result
                }
                hashes[receipt.seq] = receipt.hash
                previous = (receipt.seq, receipt.hash)
                result.receiptsChecked += 1
            case "signature":
                guard let run = object["run_id"] as? String, let seq = (object["head_seq"] as? NSNumber)?.int64Value,
                      let hash = object["head_hash"] as? String, let keyID = object["key_id"] as? String,
                      let key = object["public_key"] as? String, let signature = object["signature"] as? String else {
                    result.violation = "line \(n): a signature with a missing or mistyped field"
                    return result
                }
                signatures.append((n, RunSignature(run: RunID(run), headSeq: seq, headHash: hash, keyID: keyID,
                                                   publicKey: key, signature: signature)))
            case "chain_head":
                result.headSeq = (object["seq"] as? NSNumber)?.int64Value
                result.headHash = object["hash"] as? String
                let last = previous ?? (0, ReceiptChain.genesis)
                guard result.headSeq == last.seq, result.headHash == last.hash else {
                    result.violation = "line \(n): the chain head is #\(result.headSeq ?? -1), the last receipt is "
                        + "#\(last.seq) \(last.hash): receipts were cut"
                    return result
                }
            default:
                result.violation = "line \(n): unknown kind of line"
                return result
            }
        }
        for (n, s) in signatures {
            if let problem = s.problem(trusting: publicKey) {
                result.violation = "line \(n): the signature of run \(s.run): \(problem)"
                return result
            }
            guard let hash = s.headSeq == 0 ? ReceiptChain.genesis : hashes[s.headSeq] else {
                result.signaturesNotCheckable += 1
                continue
            }
            signedHeads.insert(s.headSeq)
            guard hash == s.headHash else {
                result.violation = "line \(n): run \(s.run) signed head #\(s.headSeq) \(s.headHash), but the export's "
                    + "receipt #\(s.headSeq) hashes to \(hash): the chain was recomputed"
                return result
            }
            result.runsSigned += 1
        }
        // Under a signed head: the head itself, or a receipt whose successor is here (its link was
        // checked above) and under a signed head.
        var under: Set<Int64> = []
        for seq in hashes.keys.sorted(by: >) where signedHeads.contains(seq) || under.contains(seq + 1) {
            under.insert(seq)
        }
        result.receiptsUnderSignature = under.count
        if let first = hashes.keys.sorted().first(where: { !under.contains($0) }) {
            result.unverified = "receipt #\(first) is under no signed head in this export (receipts after the last "
                + "signed head were cut, or the export is of a person: export the whole journal or the run)"
        }
        return result
    }

    static func receipt(_ o: [String: Any]) -> Receipt? {
        guard let seq = (o["seq"] as? NSNumber)?.int64Value, let run = o["run_id"] as? String,
              let step = (o["step_id"] as? NSNumber)?.int64Value, let personKey = o["person_key"] as? String,
              let personJSON = o["person_json"] as? String, let vendor = o["vendor"] as? String,
              let action = o["action"] as? String, let outcome = o["outcome"] as? String, let time = o["time"] as? String,
              let requests = o["requests_json"] as? String, let prev = o["prev_hash"] as? String,
              let hash = o["hash"] as? String else { return nil }
        func optional(_ name: String) -> String?? {
            if o[name] is NSNull { return .some(nil) }
            return (o[name] as? String).map { .some($0) }
        }
        guard let message = optional("message"), let vendorID = optional("vendor_id"), let bodies = optional("bodies_json")
        else { return nil }
        return Receipt(seq: seq, run: RunID(run), stepID: step, personKey: personKey, personJSON: personJSON, vendor: vendor,
                       action: action, outcome: outcome, message: message, vendorID: vendorID, time: time,
                       requestsJSON: requests, bodiesJSON: bodies, prevHash: prev, hash: hash,
                       pruned: o["pruned"] as? Bool ?? false)
    }
}
