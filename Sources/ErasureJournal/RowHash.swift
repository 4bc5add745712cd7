import Crypto
import ErasureHost
import Foundation

/// Steps and runs change as a run goes (pending → sent → done; a run ends), so they are not in
/// the receipt chain; each row carries instead `row_hash`, the `CanonicalForm` hash of all its
/// other columns, and `table_digests` holds, per table, the row count and the sum of the row
/// hashes (`TableDigest`). `verify` recomputes both: an edited column, a row added, removed or
/// moved is reported. Unkeyed, these detect edits made without rehashing (a byte flipped by hand
/// or by a disk); the receipt chain and its signed head are the evidence against a forger.
enum RowHash {
    static let stepVersion = "erasure-step-v1"
    static let stepColumns = [
        "id", "run_id", "person_key", "person_json", "vendor", "action", "state", "outcome", "message",
        "retryable", "http_status", "vendor_id", "updated_at", "receipt_seq",
    ]
    static let runVersion = "erasure-run-v2"
    static let runColumns = [
        "id", "workflow", "input_path", "input_sha256", "config_fingerprint", "dry_run", "started_at",
        "ended_at", "argv", "identities", "key_id", "signed_by",
    ]

    static func step(_ values: [CanonicalForm.Value]) -> SHA256.Digest {
        CanonicalForm.hash(stepVersion, Array(zip(stepColumns, values)))
    }

    static func run(_ values: [CanonicalForm.Value]) -> SHA256.Digest {
        CanonicalForm.hash(runVersion, Array(zip(runColumns, values)))
    }
}

/// A step row as written, in `RowHash.stepColumns` order.
struct StepRow {
    var id: Int64
    var key: Journal.RedactedKey
    var state: StepState
    var outcome: String?
    var message: String?
    var retryable: Bool?
    var httpStatus: Int?
    var vendorID: String?
    var updatedAt: String
    var receiptSeq: Int64?

    var values: [CanonicalForm.Value] {
        [.integer(id), .text(key.run), .text(key.personKey), .text(key.personJSON), .text(key.vendor),
         .text(key.action), .text(state.rawValue), .init(outcome), .init(message), .init(retryable),
         .init(httpStatus.map(Int64.init)), .init(vendorID), .text(updatedAt), .init(receiptSeq)]
    }

    var hash: SHA256.Digest { RowHash.step(values) }
}

/// The row count and the sum of the row hashes of one table (each hash read as four 64-bit
/// little-endian lanes, added lane by lane with wrap-around): updated by subtracting a row's old
/// hash and adding its new one, so a write never rereads the table.
struct TableDigest: Equatable {
    var rows: Int64 = 0
    var lanes: [UInt64] = [0, 0, 0, 0]

    mutating func add(_ hash: SHA256.Digest) { combine(hash, +1) }
    mutating func remove(_ hash: SHA256.Digest) { combine(hash, -1) }

    /// Removes a row hash stored as hex (a row about to be rewritten); a malformed one (the file
    /// was edited) is ignored, and the digest then reports the table.
    mutating func remove(hex: String?) {
        guard let hex, let bytes = Hex.decode(hex) else { return }
        combine(bytes, -1)
    }

    private mutating func combine<D: Sequence<UInt8>>(_ hash: D, _ sign: Int64) {
        let bytes = Array(hash)
        rows += sign
        for lane in 0..<4 {
            var word: UInt64 = 0
            for i in (0..<8).reversed() { word = word << 8 | UInt64(bytes[lane * 8 + i]) }
            lanes[lane] = sign > 0 ? lanes[lane] &+ word : lanes[lane] &- word
        }
    }

    var hex: String {
        Digest.hex(lanes.flatMap { lane in (0..<8).map { i in UInt8(truncatingIfNeeded: lane >> (8 * UInt64(i))) } })
    }

    init() {}

    init?(rows: Int64, hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.rows = rows
        combine(bytes, +1)
        self.rows = rows
    }
}
