import ErasureHost
import Foundation

/// The hash chain over receipts.
///
/// **Canonical form (version 1).** A receipt's `hash` is the lowercase hexadecimal SHA-256 of
/// `CanonicalForm` with version `erasure-receipt-v1` and the fields, in this order,
/// `seq run_id step_id person_key person_json vendor action outcome message vendor_id time
/// requests_json bodies_json prev_hash`: each column exactly as stored (integers in decimal
/// ASCII; texts byte for byte, `requests_json` and `bodies_json` included).
///
/// `prev_hash` is the `hash` of the receipt with the previous `seq`; the first receipt's
/// `prev_hash` is 64 `0` characters (`ReceiptChain.genesis`). `seq` starts at 1 and has no gap.
/// The table `chain_head` holds the last seq and hash, updated in the same transaction as the
/// receipt, so that removing the last receipt is detected too.
///
/// The chain proves that no receipt was altered or removed *unless the whole chain from that
/// point on was recomputed*; anchoring the head hash elsewhere (`erasure journal verify` prints
/// it) closes that gap.
public enum ReceiptChain {
    public static let genesis = String(repeating: "0", count: 64)
    public static let version = "erasure-receipt-v1"

    /// The hashed columns, in canonical order.
    static let columns = [
        "seq", "run_id", "step_id", "person_key", "person_json", "vendor", "action", "outcome", "message",
        "vendor_id", "time", "requests_json", "bodies_json", "prev_hash",
    ]

    /// Lowercase hex SHA-256 of the canonical form of the column values, in `columns` order.
    static func hash(_ values: [CanonicalForm.Value]) -> String {
        CanonicalForm.hex(version, Array(zip(columns, values)))
    }

    /// A pruned receipt (`erasure journal prune`) keeps its seq, prev_hash and hash, so the chain
    /// still links through it, and these values in the other columns, in `columns` order from
    /// `run_id` to `bodies_json`; `pruned` is 1. Its content can no longer be checked.
    static let prunedContent: [Data?] = [Data(), Data("0".utf8), Data(), Data(), Data(), Data(), Data(), nil, nil,
                                         Data(), Data(), nil]
    static let pruneSQL = """
        run_id = '', step_id = 0, person_key = '', person_json = '', vendor = '', action = '', outcome = '',
        message = NULL, vendor_id = NULL, time = '', requests_json = '', bodies_json = NULL, pruned = 1
        """

    /// The values a receipt about to be written is hashed over.
    static func values(_ r: Receipt) -> [CanonicalForm.Value] {
        [.integer(r.seq), .text(r.run.rawValue), .integer(r.stepID), .text(r.personKey), .text(r.personJSON),
         .text(r.vendor), .text(r.action), .text(r.outcome), .init(r.message), .init(r.vendorID), .text(r.time),
         .text(r.requestsJSON), .init(r.bodiesJSON), .text(r.prevHash)]
    }
}
