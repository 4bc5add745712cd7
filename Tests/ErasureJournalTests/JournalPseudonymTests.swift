import ErasureHost
import ErasureJournal
import Foundation
import XCTest

/// Contract 7: identities are stored only as keyed pseudonyms, wherever they occur; a person is
/// found again by recomputing them; the key file is private.
final class JournalPseudonymTests: XCTestCase {
    func key(_ dir: URL) throws -> JournalKey {
        try JournalKey.load(reference: nil, journal: dir.appendingPathComponent("j.sqlite").path, create: true).key
    }

    func testAThousandPeopleAreStoredOnlyAsPseudonymsAndFoundAgain() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path, pseudonymsUnder: try key(dir))
        let run = try await journal.beginRun(sampleRun())
        var pending: [Journal.PendingReceipt] = []
        let people = (1...1000).map { i in ["email": "person.\(i)+tag@example.com", "gafapay.id": "gp-\(i)-x"] }
        for (i, identity) in people.enumerated() {
            let key = StepKey(run: run, person: PersonRef(line: i + 2, identity: identity), vendor: "gafapay", action: "delete")
            let email = identity["email"]!
            let encoded = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            pending.append(try journal.startComplete(key, result: StepResult(outcome: "deleted", message: "deleted \(email) (\(identity["gafapay.id"]!))",
                                                               vendorID: identity["gafapay.id"]),
                                       evidence: ReceiptEvidence(requests: [
                                           ReceiptRequest(method: "GET", url: "http://127.0.0.1:9/users?email=\(encoded)", status: 200,
                                                          requestBody: nil, responseBody: []),
                                           ReceiptRequest(method: "DELETE", url: "http://127.0.0.1:9/users/\(identity["gafapay.id"]!)",
                                                          status: 204, requestBody: nil, responseBody: nil),
                                       ], bodies: [BodyRecord(request: nil, response: "{\"email\":\"\(email)\"}")])))
        }
        for p in pending { try await p.receipt() }
        try await journal.endRun(run)
        // Every candidate in the file's bytes (ASCII survives the lossy decoding whole) must be no input value.
        let text = String(decoding: try journalBytes(path), as: UTF8.self)
        let values = Set(people.flatMap(\.values))
        let candidates = try NSRegularExpression(pattern: "person\\.[0-9]+\\+tag@example\\.com|gp-[0-9]+-x")
        let inClear = candidates.matches(in: text, range: NSRange(text.startIndex..., in: text))
            .map { String(text[Range($0.range, in: text)!]) }.filter(values.contains)
        XCTAssertEqual(inClear, [], "identities in clear in the journal")
        XCTAssertTrue(text.contains("⟨email:"), "the pseudonyms are there")
        for identity in people.enumerated().filter({ $0.offset % 10 == 0 }).map(\.element) {
            let byEmail = try await journal.history(of: ["email": identity["email"]!])
            XCTAssertEqual(byEmail.steps.count, 1, "\(identity)")
            XCTAssertEqual(byEmail.receipts.count, 1, "\(identity)")
            let byScopedID = try await journal.history(of: ["gafapay.id": identity["gafapay.id"]!])
            XCTAssertEqual(byScopedID.steps.map(\.id), byEmail.steps.map(\.id))
            let receipt = try XCTUnwrap(byEmail.receipts.first)
            XCTAssertTrue(receipt.requestsJSON.contains(byEmail.pseudonyms["email"]!), receipt.requestsJSON)
        }
        let nobody = try await journal.history(of: ["email": "nobody@example.com"])
        XCTAssertTrue(nobody.steps.isEmpty)
        let verified = try await journal.verify()
        XCTAssertTrue(verified.isIntact, "\(verified)")
        let runs = try await journal.runs()
        XCTAssertEqual(runs.first?.identities, "pseudonymised")
        XCTAssertEqual(runs.first?.keyID, journal.key?.id)
        try journal.close()
    }

    func testClearIdentitiesAreRecordedInTheRun() async throws {
        let dir = try makeTempDir()
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let run = try await journal.beginRun(sampleRun())
        try await journal.complete(StepKey(run: run, person: person(2, "ada@example.com"), vendor: "pagos", action: "delete"),
                                   result: StepResult(outcome: "not_found"))
        let record = try await journal.run(run)
        XCTAssertEqual(record?.identities, "clear")
        let found = try await journal.history(of: ["email": "ada@example.com"])
        XCTAssertEqual(found.steps.count, 1)
        try journal.close()
    }

    func testTheKeyFileIsPrivate() throws {
        let dir = try makeTempDir()
        let journal = dir.appendingPathComponent("j.sqlite").path
        let made = try JournalKey.load(reference: nil, journal: journal, create: true)
        XCTAssertEqual(made.generated, JournalKey.defaultFile(journal: journal))
        let mode = try FileManager.default.attributesOfItem(atPath: made.generated!)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
        let again = try JournalKey.load(reference: nil, journal: journal, create: true)
        XCTAssertNil(again.generated)
        XCTAssertEqual(again.key.id, made.key.id)
        XCTAssertEqual(again.key.pseudonym(key: "email", value: "a@b.c"), made.key.pseudonym(key: "email", value: "a@b.c"))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: made.generated!)
        XCTAssertThrowsError(try JournalKey.load(reference: nil, journal: journal, create: true)) { error in
            XCTAssertTrue("\(error)".contains("chmod 600"), "\(error)")
        }
        XCTAssertThrowsError(try JournalKey.load(reference: nil, journal: dir.appendingPathComponent("other").path, create: false))
        XCTAssertThrowsError(try JournalKey.load(reference: "env:NO_SUCH_KEY_VAR", journal: journal, environment: [:], create: true))
        let fromEnv = try JournalKey.load(reference: "env:K", journal: journal, environment: ["K": String(repeating: "ab", count: 32)],
                                          create: true)
        XCTAssertNotEqual(fromEnv.key.id, made.key.id)
        XCTAssertThrowsError(try JournalKey(material: "short", origin: "test"))
    }
}
