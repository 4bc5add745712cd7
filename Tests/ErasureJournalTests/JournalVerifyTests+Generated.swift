import ErasureHost
import ErasureJournal
import ErasureTesting
import Foundation
import GRDB
import XCTest

/// verify() with generated inputs (issue 12, finding 16): vendors answering random bytes never
/// make an untouched journal look tampered, and every edit of the file — a flipped byte in any
/// column of any row, a row deleted, added or moved — is reported. Seeded: a failure names its seed.
extension JournalVerifyTests {
    static let seeds: [UInt64] = [1, 2, 3, 16, 0xE4A5_12E5]

    /// A journal written through the APIs the run layer uses, every text derived from random
    /// vendor answers: failed lookups quoting the answer, retries, pending and sent steps, and
    /// bodies kept as text; pseudonymised, the first run ended and signed. Closed when this returns.
    func makeGeneratedJournal(seed: UInt64, people: Int = 12) async throws -> String {
        var random = SeededRandom(seed: seed)
        let path = try makeTempDir().appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path, redact: Redactor(secrets: ["s3cret-token"]).redact,
                                       pseudonymsUnder: try JournalKey.load(reference: nil, journal: path, create: true).key,
                                       signingWith: try SigningKey.load(reference: nil, journal: path, create: true).key)
        for runIndex in 0..<2 {
            let run = try await journal.beginRun(sampleRun(sha: String(repeating: "\(runIndex)", count: 64)))
            for i in 0..<people {
                let vendor = Self.vendors[i % Self.vendors.count]
                let key = StepKey(run: run, person: person(i + 2, "p\(i)@example.com"), vendor: vendor, action: "delete")
                let body = random.garbageBody()
                let answer = HTTPResponseData(status: [200, 500, 503][i % 3], headers: HeaderFields(), body: body,
                                              url: "http://127.0.0.1:9/\(vendor)")
                let excerpt = answer.excerpt(redactor: Redactor(secrets: ["s3cret-token"]))
                let text = String(decoding: body.prefix(64), as: UTF8.self)
                let lookup = ReceiptRequest(method: "GET", url: "http://127.0.0.1:9/\(vendor)/users/\(text)",
                                            status: answer.status, requestBody: nil, responseBody: body)
                switch i % 4 {
                case 0:   // left pending
                    try await journal.markPending([key])
                case 1:   // left sent (a crash after the request left)
                    try await journal.markSent(key)
                case 2:   // failed, quoting the answer
                    try await journal.complete(key, result: StepResult(outcome: "failed", message: "HTTP \(answer.status): \(excerpt)",
                                                                       retryable: true, httpStatus: answer.status),
                                               evidence: ReceiptEvidence(requests: [lookup],
                                                                         bodies: [BodyRecord(request: nil, response: text)]))
                default:  // failed, then retried and deleted
                    try await journal.complete(key, result: StepResult(outcome: "failed", message: excerpt, retryable: false,
                                                                       httpStatus: answer.status),
                                               evidence: ReceiptEvidence(requests: [lookup]))
                    try await journal.markSent(key)
                    try await journal.complete(key, result: StepResult(outcome: "deleted", message: text, vendorID: text),
                                               evidence: deleteEvidence(vendor: vendor, id: text))
                }
            }
            if runIndex == 0 { try await journal.endRun(run) }
        }
        let untouched = try await journal.verify()
        XCTAssertTrue(untouched.isIntact, "seed \(seed), before closing: \(untouched)")
        try journal.close()
        return path
    }

    func testRandomVendorAnswersNeverLookTampered() async throws {
        for seed in Self.seeds {
            let path = try await makeGeneratedJournal(seed: seed, people: 24)
            let result = try await verify(path)
            XCTAssertTrue(result.isIntact, "seed \(seed): \(result)")
            XCTAssertEqual(result.receiptsChecked, 2 * 18, "seed \(seed)")
        }
    }

    func testATextWithNULIsStoredAsHashed() async throws {
        let path = try makeTempDir().appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path)
        let run = try await journal.beginRun(sampleRun())
        let key = StepKey(run: run, person: person(2, "nul@example.com"), vendor: "gafapay", action: "delete")
        try await journal.complete(key, result: StepResult(outcome: "failed", message: "before\u{0}after",
                                                           vendorID: "\u{0}"))
        try journal.close()
        let result = try await verify(path)
        XCTAssertTrue(result.isIntact, "\(result)")
        let reopened = try Journal.openExisting(path: path)
        let stored = try await reopened.receipts()[0]
        try reopened.close()
        XCTAssertEqual(stored.message, "before\u{FFFD}after", "a NUL is stored as U+FFFD, never as a truncation")
    }

    /// One edit of the file: what it did (for the failure message), and the SQL that does it.
    struct Edit: Sendable {
        var description: String
        var apply: @Sendable (Database) throws -> Void
    }

    /// Every edit this journal can take: each column of each row of each table, flipped (one bit of
    /// one byte of a text, one bit of an integer, a NULL given a value); each row deleted; a step
    /// row added; two receipts and two steps swapped.
    func edits(of path: String, random: inout SeededRandom) throws -> [Edit] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var edits: [Edit] = []
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                """)
            for table in tables {
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
                let rowids = try Int64.fetchAll(db, sql: "SELECT rowid FROM \(table)")
                for rowid in rowids {
                    for column in columns {
                        let row = try Row.fetchOne(db, sql: "SELECT typeof(\(column)) AS t, CAST(\(column) AS BLOB) AS b FROM \(table) WHERE rowid = ?",
                                                   arguments: [rowid])!
                        let type: String = row["t"]
                        let where_ = "\(table) row \(rowid) column \(column) (\(type))"
                        switch type {
                        case "integer":
                            let bit = Int64(1) << Int64.random(in: 0...40, using: &random)
                            edits.append(Edit(description: "flip bit \(bit) of \(where_)") { db in
                                // SQLite has no XOR: (a | b) - (a & b).
                                try db.execute(sql: "UPDATE \(table) SET \(column) = (\(column) | ?) - (\(column) & ?) WHERE rowid = ?",
                                               arguments: [bit, bit, rowid])
                            })
                        case "text", "blob":
                            var bytes = [UInt8]((row["b"] as Data?) ?? Data())
                            if bytes.isEmpty {
                                bytes = [UInt8.random(in: 0...255, using: &random)]
                            } else {
                                let i = Int.random(in: 0..<bytes.count, using: &random)
                                bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                            }
                            let changed = Data(bytes)
                            edits.append(Edit(description: "flip a byte of \(where_)") { db in
                                try db.execute(sql: "UPDATE \(table) SET \(column) = CAST(? AS \(type == "text" ? "TEXT" : "BLOB")) WHERE rowid = ?",
                                               arguments: [changed, rowid])
                            })
                        default:   // NULL
                            edits.append(Edit(description: "set \(where_)") { db in
                                try db.execute(sql: "UPDATE \(table) SET \(column) = 1 WHERE rowid = ?", arguments: [rowid])
                            })
                        }
                    }
                    edits.append(Edit(description: "delete \(table) row \(rowid)") { db in
                        try db.execute(sql: "DELETE FROM \(table) WHERE rowid = ?", arguments: [rowid])
                    })
                }
            }
            edits.append(Edit(description: "add a copy of a step") { db in
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(steps)").map { $0["name"] as String }
                    .filter { $0 != "id" }.joined(separator: ", ")
                try db.execute(sql: """
                    INSERT INTO steps (\(columns)) SELECT \(columns.replacingOccurrences(of: "vendor,", with: "'acme',"))
                    FROM steps ORDER BY id LIMIT 1
                    """)
            })
            edits.append(Edit(description: "swap receipts #2 and #3") { db in
                try db.execute(sql: """
                    UPDATE receipts SET seq = -1 WHERE seq = 2; UPDATE receipts SET seq = 2 WHERE seq = 3;
                    UPDATE receipts SET seq = 3 WHERE seq = -1;
                    """)
            })
            edits.append(Edit(description: "swap the ids of the first two steps") { db in
                let ids = try Int64.fetchAll(db, sql: "SELECT id FROM steps ORDER BY id LIMIT 2")
                try db.execute(sql: "UPDATE steps SET id = -1 WHERE id = ?; UPDATE steps SET id = ? WHERE id = ?; UPDATE steps SET id = ? WHERE id = -1",
                               arguments: [ids[0], ids[0], ids[1], ids[1]])
            })
            return edits
        }
    }

    func testEveryEditOfTheFileIsReported() async throws {
        for seed in Self.seeds.prefix(2) {
            var random = SeededRandom(seed: seed)
            let original = try await makeGeneratedJournal(seed: seed, people: 8)
            let edits = try edits(of: original, random: &random)
            XCTAssertGreaterThan(edits.count, 300, "seed \(seed)")
            var applied = 0
            for edit in edits {
                let copy = try makeTempDir().appendingPathComponent("edited.sqlite").path
                try FileManager.default.copyItem(atPath: original, toPath: copy)
                var config = Configuration()
                // As an editor of the file would: foreign keys and CHECK constraints off.
                config.foreignKeysEnabled = false
                config.prepareDatabase { db in try db.execute(sql: "PRAGMA ignore_check_constraints = ON") }
                let queue = try DatabaseQueue(path: copy, configuration: config)
                let changed: Bool
                do {
                    try await queue.write { db in try edit.apply(db) }
                    changed = true
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    changed = false   // a UNIQUE or NOT NULL constraint refuses it: nothing to detect
                }
                try queue.close()
                guard changed else { continue }
                applied += 1
                let result = try await verify(copy)
                XCTAssertFalse(result.isIntact, "seed \(seed): not reported: \(edit.description)")
            }
            XCTAssertGreaterThan(applied, edits.count * 99 / 100, "seed \(seed): nearly every edit applies")
        }
    }

    func testVacuumIsNotAnEdit() async throws {
        let path = try await makeGeneratedJournal(seed: 7)
        let queue = try DatabaseQueue(path: path)
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        try queue.close()
        let result = try await verify(path)
        XCTAssertTrue(result.isIntact, "\(result)")
    }
}
