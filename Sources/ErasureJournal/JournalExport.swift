import CSV
import ErasureHost
import Foundation
import GRDB

public enum JournalExportFormat: String, Sendable, CaseIterable {
    /// One JSON object per receipt per line; `person`, `requests`, `bodies` as nested JSON.
    case jsonl
    /// A header row, then one row per receipt; the columns exactly as stored (so the hash chain
    /// can be recomputed from the file with the canonical form in `ReceiptChain`).
    case csv
}

extension Journal {
    /// The CSV columns, in order.
    public static let csvColumns = [
        "seq", "run_id", "step_id", "person_key", "person_json", "vendor", "action", "outcome", "message",
        "vendor_id", "time", "requests_json", "bodies_json", "prev_hash", "hash",
    ]

    /// Writes every receipt in chain order, streaming (one row in memory at a time).
    /// Returns the number of receipts written.
    @discardableResult
    public func export(format: JournalExportFormat, to handle: FileHandle) async throws -> Int {
        try await export(format: format) { data in try handle.write(contentsOf: data) }
    }

    /// Same, to any sink; `write` receives chunks of up to ~64 KiB.
    @discardableResult
    public func export(format: JournalExportFormat, write: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        try await pool.read { db in
            var buffer = Data()
            buffer.reserveCapacity(1 << 16)
            func flushIfNeeded(force: Bool = false) throws {
                if buffer.count >= 1 << 16 || (force && !buffer.isEmpty) {
                    try write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if format == .csv {
                buffer.append(try Self.csvLine(Self.csvColumns))
            }
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM receipts ORDER BY seq")
            while let row = try cursor.next() {
                let r = Self.receipt(row)
                switch format {
                case .jsonl:
                    buffer.append(Data(Self.jsonLine(r).utf8))
                case .csv:
                    let fields: [String] = [
                        String(r.seq), r.run.rawValue, String(r.stepID), r.personKey, r.personJSON, r.vendor,
                        r.action, r.outcome, r.message ?? "", r.vendorID ?? "", r.time, r.requestsJSON,
                        r.bodiesJSON ?? "", r.prevHash, r.hash,
                    ]
                    buffer.append(try Self.csvLine(fields))
                }
                count += 1
                try flushIfNeeded()
            }
            try flushIfNeeded(force: true)
            return count
        }
    }

    /// One CSV record (RFC 4180 quoting by CSV.swift's `CSVWriter`), ending with "\n".
    static func csvLine(_ fields: [String]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: fields)
        writer.stream.close()
        var data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func jsonLine(_ r: Receipt) -> String {
        func str(_ s: String?) -> String { s.map(JournalText.jsonQuoted) ?? "null" }
        /// Stored JSON text, re-serialised compactly (no newline can break the line); a text that
        /// is not JSON (tampered) is exported as a string.
        func nested(_ text: String?) -> String {
            guard let text else { return "null" }
            if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
               let data = try? JSONSerialization.data(withJSONObject: object,
                                                      options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]) {
                return String(decoding: data, as: UTF8.self)
            }
            return JournalText.jsonQuoted(text)
        }
        let pairs: [(String, String)] = [
            ("seq", String(r.seq)), ("run_id", str(r.run.rawValue)), ("step_id", String(r.stepID)),
            ("person_key", str(r.personKey)), ("person", nested(r.personJSON)), ("vendor", str(r.vendor)),
            ("action", str(r.action)), ("outcome", str(r.outcome)), ("message", str(r.message)),
            ("vendor_id", str(r.vendorID)), ("time", str(r.time)), ("requests", nested(r.requestsJSON)),
            ("bodies", nested(r.bodiesJSON)), ("prev_hash", str(r.prevHash)), ("hash", str(r.hash)),
        ]
        return "{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }
}
