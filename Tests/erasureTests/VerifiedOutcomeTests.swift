import Foundation
import Sandbox
import XCTest

/// Issue 12, finding 11 and "verified outcomes": `deleted` means the vendor confirmed the
/// deletion and, where the plugin can look the person up, a lookup afterwards no longer finds
/// them. That check is in the outcome's requests and in its receipt; an answer the plugin cannot
/// read is `failed`, never `deleted`.
final class VerifiedOutcomeTests: XCTestCase {
    typealias Sample = SandboxSeed.Sample

    func present(_ e: E2E, _ vendor: String, _ key: String, _ id: String) async throws -> Bool {
        let rows = (try await e.state()[vendor] as? [String: Any])?["users"] as? [[String: Any]] ?? []
        return rows.contains { $0[key] as? String == id }
    }

    /// Finding 11: CubiCasa answering a DELETE with HTTP 200 and a garbage body (the user still
    /// there) is `failed`, exit 1 — and so is a vendor that answers a well-formed "deleted" while
    /// the user stays (caught by the lookup afterwards).
    func testAnAnswerThatIsNotTheTruthIsFailed() async throws {
        let e = try await E2E()
        let cubicasa = ["delete", "cubicasa", "id=\(Sample.adaCubiCasaId)", "--json", "--no-journal"]
        try await e.fault(["vendor": "cubicasa", "method": "DELETE", "status": 200, "body": "<html>garbage"])
        let garbage = try e.erasure(cubicasa)
        XCTAssertEqual(garbage.status, 1, garbage.all)
        XCTAssertEqual(garbage.lines.last?["outcome"] as? String, "failed", garbage.all)
        let stays1 = try await present(e, "cubicasa", "id", Sample.adaCubiCasaId)
        XCTAssertTrue(stays1, "the person is still there")

        try await e.fault(["vendor": "cubicasa", "method": "DELETE", "status": 200,
                           "body": #"{"message":"User ada@example.com was deleted successfully"}"#])
        let lie = try e.erasure(cubicasa)
        XCTAssertEqual(lie.status, 1, lie.all)
        XCTAssertEqual(lie.lines.last?["outcome"] as? String, "failed", lie.all)
        XCTAssertEqual(lie.lines.last?["retryable"] as? Bool, true, lie.all)
        XCTAssertTrue((lie.lines.last?["message"] as? String ?? "").contains("still finds them"), lie.all)
        let stays2 = try await present(e, "cubicasa", "id", Sample.adaCubiCasaId)
        XCTAssertTrue(stays2, "the person is still there")

        // The same at a vendor checked by its plain lookup (verify = "lookup").
        try await e.fault(["vendor": "gafapay", "method": "DELETE", "status": 200,
                           "body": #"{"success":1,"error":[],"data":{"message":"USER_REMOVE_USER_DETAIL_SUCCESSFULLY"}}"#])
        let gafapay = try e.erasure(["delete", "gafapay", "id=\(Sample.adaGafaPayId)", "--json", "--no-journal"])
        XCTAssertEqual(gafapay.status, 1, gafapay.all)
        XCTAssertEqual(gafapay.lines.last?["outcome"] as? String, "failed", gafapay.all)
        XCTAssertTrue((gafapay.lines.last?["message"] as? String ?? "").contains("said the person was deleted"), gafapay.all)
        let stays3 = try await present(e, "gafapay", "id", Sample.adaGafaPayId)
        XCTAssertTrue(stays3, "the person is still there")

        // Without the fault, the same commands delete, verified.
        for args in [cubicasa, ["delete", "gafapay", "id=\(Sample.adaGafaPayId)", "--json", "--no-journal"]] {
            let r = try e.erasure(args)
            XCTAssertEqual(r.status, 0, r.all)
            XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
            XCTAssertEqual(r.lines.last?["verified"] as? Bool, true, r.all)
        }
        await e.shutdown()
    }

    /// Every `deleted` says whether it was verified and how (or why not), in `--json` and in the
    /// human message; the verifying lookup is in the outcome's requests and in the receipt; a
    /// dry run plans without any verification.
    func testEveryDeletionSaysWhetherItWasVerified() async throws {
        let e = try await E2E()
        let journal = e.dir.appendingPathComponent("j.sqlite").path
        let plan = try e.erasure(["delete", "gafapay", "id=\(Sample.adaGafaPayId)", "--dry-run", "--json", "--journal", journal])
        XCTAssertEqual(plan.lines.last?["outcome"] as? String, "planned", plan.all)
        XCTAssertNil(plan.lines.last?["verified"], plan.all)
        let planned = try await e.requests().map { "\($0["method"] ?? "") \($0["path"] ?? "")" }
        XCTAssertEqual(planned, ["GET /gafapay/gafapay/v3/user/user_detail/\(Sample.adaGafaPayId)"], "no verification in a dry run")

        let r = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--json", "--journal", journal])
        XCTAssertEqual(r.status, 0, r.all)
        var deleted: [String: [String: Any]] = [:]
        for line in r.lines where line["outcome"] as? String == "deleted" { deleted[line["vendor"] as? String ?? ""] = line }
        XCTAssertEqual(Set(deleted.keys), ["dragonpass", "pagos", "engagelab", "gafapay", "cubicasa", "scim"], r.all)
        for vendor in ["dragonpass", "gafapay", "cubicasa", "scim"] {
            XCTAssertEqual(deleted[vendor]?["verified"] as? Bool, true, "\(vendor): \(r.all)")
            XCTAssertTrue((deleted[vendor]?["message"] as? String ?? "").contains("(verified: "), "\(vendor): \(r.all)")
        }
        XCTAssertEqual(deleted["engagelab"]?["verified"] as? Bool, false, r.all)
        XCTAssertTrue((deleted["engagelab"]?["verification"] as? String ?? "").contains("asynchronously"), r.all)
        XCTAssertEqual(deleted["pagos"]?["verified"] as? Bool, false, r.all)
        XCTAssertTrue((deleted["pagos"]?["verification"] as? String ?? "").contains("no read API"), r.all)
        // GafaPay's outcome holds its lookup, its DELETE and the lookup that verified it.
        let requests = (deleted["gafapay"]?["requests"] as? [[String: Any]] ?? []).map { $0["method"] as? String ?? "" }
        XCTAssertEqual(requests, ["DELETE", "GET"], "the workflow looked up (its own step), then delete + check: \(r.all)")

        // The receipt holds the verifying lookup too.
        let export = try e.erasure(["journal", "export", "--journal", journal, "--format", "jsonl"])
        let receipt = export.lines.last { $0["vendor"] as? String == "gafapay" && $0["outcome"] as? String == "deleted" }
        let receiptMethods = (receipt?["requests"] as? [[String: Any]] ?? []).map { $0["method"] as? String ?? "" }
        XCTAssertEqual(receiptMethods, ["DELETE", "GET"], export.all)
        XCTAssertTrue((receipt?["message"] as? String ?? "").contains("(verified: "), export.all)

        // The human report says it too.
        e.sandbox.reset()
        let human = try e.erasure(["delete", "engagelab", "alias=\(Sample.adaEngageLabAlias)", "--no-journal"])
        XCTAssertEqual(human.status, 0, human.all)
        XCTAssertTrue(human.stdout.contains("(not verified: EngageLab deletes asynchronously"), human.all)
        // And `plugins show` says how a vendor's deletions are checked.
        let show = try e.erasure(["plugins", "show", "pagos"])
        XCTAssertTrue(show.stdout.contains("deletions:  not checked: Pagos has no read API"), show.all)
        await e.shutdown()
    }
}
