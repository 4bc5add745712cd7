import Foundation
import Sandbox
import XCTest

/// Issue 12, finding 12: a DELETE that times out but executes at the vendor. Whatever the HTTP
/// layer does next (its retry gets the vendor's "no such user" or error, or it gives up with an
/// unknown result), the person is looked up before anything is concluded: gone is `deleted`
/// ("confirmed absent after an interrupted request"), never `failed` or `not_found`; and the
/// deletion happens once.
final class InterruptedRequestTests: XCTestCase {
    typealias Sample = SandboxSeed.Sample

    /// Every vendor answers within 0.5 s or the request is interrupted.
    static func shortTimeouts(_ toml: String) -> String {
        toml.replacingOccurrences(of: #"(\[vendors\.[a-z]+\]\n)"#, with: "$1timeout = 0.5\n", options: .regularExpression)
    }

    /// The first two tries of the person's DELETE wait 0.8 s, then execute: the first removes
    /// the person while the client has already given up on it; whatever is sent next finds
    /// them gone.
    func slowDelete(_ e: E2E, vendor: String, path: String) async throws {
        try await e.fault(["vendor": vendor, "path_contains": path, "method": vendor == "dragonpass" ? "POST" : "DELETE",
                           "count": 2, "delay_ms": 800])
    }

    func effects(_ e: E2E) async throws -> [String] {
        try await e.requests().compactMap(RunCommandResumeTests.successfulDeletion)
    }

    func testATimedOutDeletionThatHappenedIsDeleted() async throws {
        let e = try await E2E(config: Self.shortTimeouts)
        let cases: [(vendor: String, args: [String], path: String)] = [
            ("gafapay", ["delete", "gafapay", "id=\(Sample.adaGafaPayId)"], Sample.adaGafaPayId),
            ("cubicasa", ["delete", "cubicasa", "id=\(Sample.adaCubiCasaId)"], Sample.adaCubiCasaId),
        ]
        for c in cases {
            try await slowDelete(e, vendor: c.vendor, path: c.path)
            let r = try e.erasure(c.args + ["--json", "--no-journal"])
            XCTAssertEqual(r.status, 0, "\(c.vendor): \(r.all)")
            let o = r.lines.last ?? [:]
            XCTAssertEqual(o["outcome"] as? String, "deleted", "\(c.vendor): \(r.all)")
            XCTAssertTrue((o["message"] as? String ?? "").contains("interrupted request"), "\(c.vendor): \(r.all)")
            XCTAssertEqual(o["verified"] as? Bool, true, "\(c.vendor): \(r.all)")
        }
        try await Task.sleep(nanoseconds: 1_000_000_000)  // the delayed tries have all been answered
        let deleted = try await effects(e)
        XCTAssertEqual(deleted.count, 2, "each person deleted exactly once: \(deleted)")
        await e.shutdown()
    }

    /// The same inside a workflow, journaled: the report, the receipt and the vendor agree.
    func testInAWorkflowTheReceiptSaysDeleted() async throws {
        let e = try await E2E(config: Self.shortTimeouts)
        try await slowDelete(e, vendor: "gafapay", path: Sample.adaGafaPayId)
        try await slowDelete(e, vendor: "cubicasa", path: Sample.adaCubiCasaId)
        let journal = e.dir.appendingPathComponent("j.sqlite").path
        // Scoped to the two vendors under test (an unscoped email would reach the SCIM service too).
        let r = try e.erasure(["run", "offboard", "cubicasa.email=\(Sample.adaEmail)", "gafapay.id=\(Sample.adaGafaPayId)",
                               "--json", "--journal", journal])
        XCTAssertEqual(r.status, 0, r.all)
        for vendor in ["gafapay", "cubicasa"] {
            let o = r.lines.first { $0["vendor"] as? String == vendor && $0["action"] as? String == "delete" }
            XCTAssertEqual(o?["outcome"] as? String, "deleted", "\(vendor): \(r.all)")
            XCTAssertTrue((o?["message"] as? String ?? "").contains("interrupted request"), "\(vendor): \(r.all)")
        }
        XCTAssertFalse(r.lines.contains { $0["outcome"] as? String == "not_found" }, r.all)
        let export = try e.erasure(["journal", "export", "--journal", journal, "--format", "jsonl"])
        let receipts = export.lines.filter { $0["action"] as? String == "delete" }
        XCTAssertEqual(receipts.map { $0["outcome"] as? String }, ["deleted", "deleted"], export.all)
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let deleted = try await effects(e)
        XCTAssertEqual(deleted.count, 2, "each person deleted exactly once: \(deleted)")
        await e.shutdown()
    }
}
