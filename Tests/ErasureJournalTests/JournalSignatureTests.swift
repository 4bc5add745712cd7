import ErasureHost
import ErasureJournal
import Foundation
import GRDB
import XCTest

/// Signed run heads, a head anchored elsewhere, pruning, and offline verification of an export.
final class JournalSignatureTests: XCTestCase {
    struct Fixture {
        var path: String
        var key: SigningKey
        var dir: URL
    }

    /// A closed journal of two signed runs of five receipts each.
    func makeJournal() async throws -> Fixture {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let key = try SigningKey.generate(at: dir.appendingPathComponent("signing.key").path)
        let journal = try Journal.open(path: path, pseudonymsUnder: try JournalKey.load(reference: nil, journal: path, create: true).key,
                                       signingWith: key)
        for r in 0..<2 {
            let run = try await journal.beginRun(sampleRun(sha: String(repeating: "\(r)", count: 64)))
            for i in 0..<5 {
                let step = StepKey(run: run, person: person(i + 2, "p\(i)@example.com"), vendor: JournalVerifyTests.vendors[i],
                                   action: "delete")
                try await journal.complete(step, result: StepResult(outcome: "deleted", message: "done-\(r)-\(i)-marker"),
                                           evidence: deleteEvidence(vendor: JournalVerifyTests.vendors[i], id: "\(i)"))
            }
            try await journal.endRun(run)
        }
        try journal.close()
        return Fixture(path: path, key: key, dir: dir)
    }

    func verify(_ path: String, _ key: SigningPublicKey? = nil, head: String? = nil) async throws -> ChainVerification {
        let journal = try Journal.openExisting(path: path)
        defer { try? journal.close() }
        return try await journal.verify(publicKey: key, anchoredHead: head)
    }

    /// Edits receipt #`seq`'s requests (no step holds them) and recomputes its hash and every later
    /// one, and the chain head: the chain alone no longer shows the edit.
    func recomputeChain(_ path: String, from seq: Int64) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "UPDATE receipts SET requests_json = '[]' WHERE seq = ?", arguments: [seq])
            var prev = try String.fetchOne(db, sql: "SELECT prev_hash FROM receipts WHERE seq = ?", arguments: [seq])!
            for row in try Row.fetchAll(db, sql: "SELECT * FROM receipts WHERE seq >= ? ORDER BY seq", arguments: [seq]) {
                var r = Receipt(seq: row["seq"], run: RunID(row["run_id"]), stepID: row["step_id"], personKey: row["person_key"],
                                personJSON: row["person_json"], vendor: row["vendor"], action: row["action"],
                                outcome: row["outcome"], message: row["message"], vendorID: row["vendor_id"], time: row["time"],
                                requestsJSON: row["requests_json"], bodiesJSON: row["bodies_json"], prevHash: prev, hash: "")
                r.hash = recomputeHash(r)
                try db.execute(sql: "UPDATE receipts SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [prev, r.hash, r.seq])
                try db.execute(sql: "UPDATE chain_head SET seq = ?, hash = ?", arguments: [r.seq, r.hash])
                prev = r.hash
            }
        }
        try queue.close()
    }

    func testUntouchedJournalIsSignedAndVerifies() async throws {
        let f = try await makeJournal()
        let result = try await verify(f.path, f.key.publicKey)
        XCTAssertTrue(result.isIntact, "\(result)")
        XCTAssertEqual(result.signatures.runsSigned, 2)
        XCTAssertEqual(result.signatures.keyIDs, [f.key.id])
        XCTAssertTrue(result.signatures.trustedKey)
        let anchored = try await verify(f.path, f.key.publicKey, head: result.headHash)
        XCTAssertTrue(anchored.isIntact, "\(anchored)")
    }

    func testARecomputedChainFailsAgainstTheSignedHeadAndTheAnchoredHead() async throws {
        let f = try await makeJournal()
        let before = try await verify(f.path).headHash
        try recomputeChain(f.path, from: 3)
        let result = try await verify(f.path)
        XCTAssertNil(result.violation, "the chain alone is consistent again: \(result)")
        XCTAssertNil(result.rowViolation)
        let violation = try XCTUnwrap(result.signatures.violation)
        XCTAssertTrue(violation.contains("the chain was recomputed"), violation)

        // Without the signatures (deleted), the run rows still say they were signed.
        let queue = try DatabaseQueue(path: f.path)
        try await queue.write { try $0.execute(sql: "DELETE FROM signatures") }
        try queue.close()
        let unsigned = try await verify(f.path)
        XCTAssertTrue(unsigned.signatures.violation?.contains("signature is missing") == true, "\(unsigned)")

        let anchored = try await verify(f.path, head: before)
        XCTAssertTrue(anchored.signatures.violation?.contains("is not in the chain") == true, "\(anchored)")
    }

    func testAJournalResignedWithAnotherKeyFailsAgainstTheTrueKey() async throws {
        let f = try await makeJournal()
        try recomputeChain(f.path, from: 2)
        // The forger signs the recomputed heads with a key of their own.
        let forged = try SigningKey.generate(at: f.dir.appendingPathComponent("forged.key").path)
        let journal = try Journal.open(path: f.path, signingWith: forged)
        for run in try await journal.runs() { try await journal.endRun(run.id) }
        try journal.close()
        let selfConsistent = try await verify(f.path)
        XCTAssertTrue(selfConsistent.isIntact, "without a trusted key only consistency is checked: \(selfConsistent)")
        let trusted = try await verify(f.path, f.key.publicKey)
        XCTAssertTrue(trusted.signatures.violation?.contains("not by the given public key") == true, "\(trusted)")
    }

    func testAWrongPublicKeyFails() async throws {
        let f = try await makeJournal()
        let other = try SigningKey.generate(at: f.dir.appendingPathComponent("other.key").path)
        let result = try await verify(f.path, other.publicKey)
        XCTAssertFalse(result.isIntact)
        XCTAssertNotNil(result.signatures.violation)
    }

    func testAPrunedJournalStillVerifiesAndKeepsNoDetails() async throws {
        let f = try await makeJournal()
        let journal = try Journal.open(path: f.path)
        let receipts = try await journal.receipts()
        let cut = receipts[6].time   // receipts #1…#6 are older (times grow by the ms)
        let pruned = try await journal.prune(before: cut)
        XCTAssertGreaterThanOrEqual(pruned.receiptsPruned, 1)
        XCTAssertEqual(pruned.stepsRemoved, pruned.receiptsPruned)
        try journal.close()
        let result = try await verify(f.path, f.key.publicKey)
        XCTAssertTrue(result.isIntact, "\(result)")
        XCTAssertEqual(result.receiptsPruned, pruned.receiptsPruned)
        XCTAssertEqual(result.receiptsChecked, 10)
        XCTAssertEqual(result.signatures.runsSigned, 2)
        // What the pruned receipts said is gone from the file, not only unlinked; the rest is there.
        let bytes = try journalBytes(f.path)
        for (i, r) in receipts.enumerated() {
            let found = bytes.range(of: Data(r.message!.utf8)) != nil
            XCTAssertEqual(found, i >= pruned.receiptsPruned, "\(r.message!)")
        }
    }

    func testAnExportVerifiesOfflineAndAnEditOfItDoesNot() async throws {
        let f = try await makeJournal()
        let journal = try Journal.openExisting(path: f.path)
        let whole = Locked(Data())
        try await journal.export(format: .jsonl) { data in whole.withLock { $0.append(data) } }
        let run = try await journal.runs()[1].id
        let one = Locked(Data())
        try await journal.export(format: .jsonl, filter: JournalFilter(run: run)) { data in one.withLock { $0.append(data) } }
        try journal.close()
        func check(_ data: Data, _ key: SigningPublicKey) -> ExportVerifier.Result {
            ExportVerifier.verify(lines: String(decoding: data, as: UTF8.self).split(separator: "\n"), publicKey: key)
        }
        let ok = check(whole.withLock { $0 }, f.key.publicKey)
        XCTAssertTrue(ok.isIntact, "\(ok)")
        XCTAssertEqual(ok.receiptsChecked, 10)
        XCTAssertEqual(ok.runsSigned, 2)
        XCTAssertEqual(ok.headSeq, 10)
        let filtered = check(one.withLock { $0 }, f.key.publicKey)
        XCTAssertTrue(filtered.isIntact, "\(filtered)")
        XCTAssertEqual(filtered.receiptsChecked, 5)
        XCTAssertEqual(filtered.runsSigned, 1)

        let text = String(decoding: whole.withLock { $0 }, as: UTF8.self)
        let edited = text.replacingOccurrences(of: "\"outcome\":\"deleted\"", with: "\"outcome\":\"not_found\"")
        XCTAssertFalse(check(Data(edited.utf8), f.key.publicKey).isIntact)
        let cut = text.split(separator: "\n").filter { !$0.contains("\"seq\":10,") }.joined(separator: "\n")
        let cutResult = check(Data(cut.utf8), f.key.publicKey)
        XCTAssertFalse(cutResult.isIntact, "the last receipt removed")
        // Indistinguishable from an export cut on purpose: said unverified, not tampered.
        XCTAssertNil(cutResult.violation, "\(cutResult)")
        XCTAssertNotNil(cutResult.unverified, "\(cutResult)")
        let other = try SigningKey.generate(at: f.dir.appendingPathComponent("other.key").path)
        XCTAssertFalse(check(whole.withLock { $0 }, other.publicKey).isIntact)

        try recomputeChain(f.path, from: 4)
        let recomputed = Locked(Data())
        let again = try Journal.openExisting(path: f.path)
        try await again.export(format: .jsonl) { data in recomputed.withLock { $0.append(data) } }
        try again.close()
        let result = check(recomputed.withLock { $0 }, f.key.publicKey)
        XCTAssertTrue(result.violation?.contains("the chain was recomputed") == true, "\(result)")
    }
}
