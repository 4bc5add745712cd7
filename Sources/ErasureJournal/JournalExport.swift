import CSV
import ErasureHost
import Foundation
import GRDB

public enum JournalExportFormat: String, Sendable, CaseIterable {
    /// One JSON object per line: each receipt (`"kind":"receipt"`: its columns, the texts also
    /// exactly as stored, so `ExportVerifier` recomputes every hash), then each run signature
    /// (`"kind":"signature"`), then, for a whole export, the chain head (`"kind":"chain_head"`).
    case jsonl
    /// Flat: a header row, then one row per request of each receipt (a receipt without a request
    /// has one row); one value per cell, no JSON.
    case csv
}

extension Journal {
    /// The CSV columns, in order.
    public static let csvColumns = [
        "seq", "run_id", "step_id", "person_key", "identity", "vendor", "action", "outcome", "message", "vendor_id",
        "time", "request", "method", "url", "status", "request_time", "request_sha256", "response_sha256", "pruned",
        "prev_hash", "hash",
    ]

    /// Writes the receipts `filter` selects, in chain order, streaming (one row in memory at a
    /// time). Returns the number of receipts written.
    @discardableResult
    public func export(format: JournalExportFormat, filter: JournalFilter = JournalFilter(), to handle: FileHandle) async throws -> Int {
        try await export(format: format, filter: filter) { data in try handle.write(contentsOf: data) }
    }

    /// Same, to any sink; `write` receives chunks of up to ~64 KiB.
    @discardableResult
    public func export(format: JournalExportFormat, filter: JournalFilter = JournalFilter(),
                       write: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        let condition = filter.condition(timeColumn: "time", key: key)
        return try await pool.read { db in
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
            var runs: Set<String> = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM receipts WHERE \(condition.sql) ORDER BY seq",
                                             arguments: condition.arguments)
            while let row = try cursor.next() {
                let r = Self.receipt(row)
                runs.insert(r.run.rawValue)
                switch format {
                case .jsonl:
                    buffer.append(Data(Self.jsonLine(r).utf8))
                case .csv:
                    for line in Self.csvRows(r) { buffer.append(try Self.csvLine(line)) }
                }
                count += 1
                try flushIfNeeded()
            }
            if format == .jsonl {
                for s in try Self.signatures(db) where filter.isEmpty || runs.contains(s.run.rawValue) {
                    buffer.append(Data(Self.jsonLine(s).utf8))
                }
                if filter.isEmpty, let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM chain_head WHERE id = 1") {
                    let seq: Int64 = head["seq"], hash: String = head["hash"]
                    buffer.append(Data("{\"kind\":\"chain_head\",\"seq\":\(seq),\"hash\":\(JSONText.string(hash))}\n".utf8))
                }
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

    /// A receipt's CSV rows: one per request.
    static func csvRows(_ r: Receipt) -> [[String]] {
        let identity = Pseudonyms.identity(ofJSON: r.personJSON).sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let head = [String(r.seq), r.run.rawValue, String(r.stepID), r.personKey, identity, r.vendor, r.action, r.outcome,
                    r.message ?? "", r.vendorID ?? "", r.time]
        let tail = [r.pruned ? "yes" : "", r.prevHash, r.hash]
        let requests = r.requests
        if requests.isEmpty { return [head + Array(repeating: "", count: 7) + tail] }
        return requests.enumerated().map { i, q in
            head + [String(i + 1), q.method, q.url, q.status.map(String.init) ?? "", q.time, q.requestSHA256 ?? "",
                    q.responseSHA256 ?? ""] + tail
        }
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
            ("kind", "\"receipt\""), ("seq", String(r.seq)), ("run_id", str(r.run.rawValue)), ("step_id", String(r.stepID)),
            ("person_key", str(r.personKey)), ("person", nested(r.personJSON)), ("vendor", str(r.vendor)),
            ("action", str(r.action)), ("outcome", str(r.outcome)), ("message", str(r.message)),
            ("vendor_id", str(r.vendorID)), ("time", str(r.time)), ("requests", nested(r.requestsJSON)),
            ("bodies", nested(r.bodiesJSON)), ("person_json", str(r.personJSON)), ("requests_json", str(r.requestsJSON)),
            ("bodies_json", str(r.bodiesJSON)), ("pruned", r.pruned ? "true" : "false"), ("prev_hash", str(r.prevHash)),
            ("hash", str(r.hash)),
        ]
        return "{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }

    static func jsonLine(_ s: RunSignature) -> String {
        let pairs: [(String, String)] = [
            ("kind", "\"signature\""), ("run_id", JSONText.string(s.run.rawValue)), ("head_seq", String(s.headSeq)),
            ("head_hash", JSONText.string(s.headHash)), ("key_id", JSONText.string(s.keyID)),
            ("public_key", JSONText.string(s.publicKey)), ("signature", JSONText.string(s.signature)),
        ]
        return "{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }
}
