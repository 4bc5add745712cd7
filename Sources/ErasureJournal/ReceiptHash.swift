import Crypto
import ErasureHost
import Foundation

/// The hash chain over receipts.
///
/// **Canonical form (version 1).** A receipt's `hash` is the lowercase hexadecimal SHA-256 of
/// the UTF-8 bytes of
///
///     "erasure-receipt-v1\n"
///     + field("seq") + field("run_id") + field("step_id") + field("person_key")
///     + field("person_json") + field("vendor") + field("action") + field("outcome")
///     + field("message") + field("vendor_id") + field("time") + field("requests_json")
///     + field("bodies_json") + field("prev_hash")
///
/// where `field(name)` is `name + "=" + value + "\n"`, and `value` is
/// - `~` when the column is NULL,
/// - otherwise `<n>:<text>`, `<text>` being the column exactly as stored (integers in decimal
///   ASCII without sign or leading zeros; text columns byte for byte, `requests_json` and
///   `bodies_json` included) and `<n>` the decimal count of its UTF-8 bytes.
///
/// The length prefix makes the encoding unambiguous whatever the texts contain (newlines, `=`).
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

    /// Column values in canonical order; nil = NULL.
    struct Fields {
        var seq: Int64
        var runID: String?
        var stepID: Int64?
        var personKey: String?
        var personJSON: String?
        var vendor: String?
        var action: String?
        var outcome: String?
        var message: String?
        var vendorID: String?
        var time: String?
        var requestsJSON: String?
        var bodiesJSON: String?
        var prevHash: String?
    }

    /// Feeds the canonical form of `f` to `sink` piece by piece.
    static func canonical(_ f: Fields, into sink: (UnsafeRawBufferPointer) -> Void) {
        func text(_ s: String) {
            var s = s
            s.withUTF8 { sink(UnsafeRawBufferPointer($0)) }
        }
        text(version + "\n")
        func field(_ name: String, _ value: String?) {
            if var value {
                var count = 0
                value.withUTF8 { count = $0.count }
                text(name + "=" + String(count) + ":")
                value.withUTF8 { sink(UnsafeRawBufferPointer($0)) }
                text("\n")
            } else {
                text(name + "=~\n")
            }
        }
        field("seq", String(f.seq))
        field("run_id", f.runID)
        field("step_id", f.stepID.map { String($0) })
        field("person_key", f.personKey)
        field("person_json", f.personJSON)
        field("vendor", f.vendor)
        field("action", f.action)
        field("outcome", f.outcome)
        field("message", f.message)
        field("vendor_id", f.vendorID)
        field("time", f.time)
        field("requests_json", f.requestsJSON)
        field("bodies_json", f.bodiesJSON)
        field("prev_hash", f.prevHash)
    }

    /// Lowercase hex SHA-256 of the canonical form (hashed as it is produced, never copied whole).
    static func hash(_ f: Fields) -> String {
        var hasher = SHA256()
        canonical(f) { hasher.update(bufferPointer: $0) }
        return Digest.hex(hasher.finalize())
    }
}
