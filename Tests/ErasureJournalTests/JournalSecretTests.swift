import ErasureJournal
import ErasureHost
import Foundation
import XCTest

final class JournalSecretTests: XCTestCase {
    static let secret = "sk_live_7Hq2ZxW9pLmN4vB8"

    func writeEverywhere(_ journal: Journal) async throws {
        let s = Self.secret
        let run = try await journal.beginRun(RunInfo(workflow: "offboard-\(s)", inputPath: "in-\(s).csv",
                                                     inputSHA256: nil, configFingerprint: "fp",
                                                     dryRun: false, argv: ["erasure", "--token=\(s)"]))
        let key = StepKey(run: run, person: PersonRef(line: 2, identity: ["email": "a@b.c", "note": s]),
                          vendor: "cubicasa", action: "delete")
        try await journal.markPending([key])
        try await journal.markSent(key)
        try await journal.complete(
            key, result: StepResult(outcome: "failed", message: "HTTP 401: bad key \(s)", retryable: false,
                                    httpStatus: 401, vendorID: s),
            evidence: ReceiptEvidence(
                requests: [ReceiptRequest(method: "DELETE", url: "https://x.example/users/1?api_key=\(s)", status: 401,
                                         requestBody: Array(s.utf8), responseBody: [])],
                bodies: [BodyRecord(request: "{\"api_key\":\"\(s)\"}", response: "denied \(s)")]))
        try await journal.endRun(run)
    }

    func testRedactHookKeepsSecretsOutOfTheFile() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path, redact: { $0.replacingOccurrences(of: Self.secret, with: "[REDACTED]") })
        try await writeEverywhere(journal)
        let v1 = try await journal.receipts().first
        let receipt = try XCTUnwrap(v1)
        XCTAssertEqual(receipt.message, "HTTP 401: bad key [REDACTED]")
        let v2 = try await journal.verify().isIntact
        XCTAssertTrue(v2)
        // Before close (WAL still holds the data) and after.
        XCTAssertNil(try journalBytes(path).range(of: Data(Self.secret.utf8)))
        try journal.close()
        XCTAssertNil(try journalBytes(path).range(of: Data(Self.secret.utf8)))
        XCTAssertNotNil(try journalBytes(path).range(of: Data("[REDACTED]".utf8)))
    }

    /// The control: without the hook, the same writes do put the secret in the file, so the
    /// byte search above is able to find it.
    func testWithoutTheHookTheSearchFindsTheSecret() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        let journal = try Journal.open(path: path)
        try await writeEverywhere(journal)
        try journal.close()
        XCTAssertNotNil(try journalBytes(path).range(of: Data(Self.secret.utf8)))
    }
}
