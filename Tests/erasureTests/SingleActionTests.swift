import Foundation
import XCTest

/// Checks one `--json` line against Contract 3; returns the problems found.
func contract3Problems(_ o: [String: Any]) -> [String] {
    var p: [String] = []
    for key in ["vendor", "action", "outcome", "message"] where !(o[key] is String) { p.append("\(key) is not a string") }
    if !["lookup", "delete", "suspend"].contains(o["action"] as? String ?? "") { p.append("bad action") }
    let outcomes = ["deleted", "suspended", "not_found", "planned", "skipped", "failed", "found"]
    if !outcomes.contains(o["outcome"] as? String ?? "") { p.append("bad outcome \(String(describing: o["outcome"]))") }
    if let user = o["user"] as? [String: Any] {
        if !user.values.allSatisfy({ $0 is String }) { p.append("user values are not strings") }
    } else { p.append("user is not an object") }
    if o["dry_run"] == nil { p.append("dry_run missing") }
    if o["retryable"] == nil { p.append("retryable missing") }
    guard let requests = o["requests"] as? [[String: Any]] else { p.append("requests is not an array"); return p }
    for r in requests {
        if !(r["method"] is String) || !(r["url"] is String) { p.append("request without method/url") }
        if !r.keys.contains("status") { p.append("request without status") }
        if o["outcome"] as? String == "planned", !(r["status"] is NSNull) { p.append("planned request has a status") }
    }
    return p
}

final class SingleActionTests: XCTestCase {
    func testEveryVendorDeletesThenReportsNotFound() async throws {
        let e = try await E2E()
        for (vendor, args) in Ada.all {
            let first = try e.erasure(args + ["--json"])
            XCTAssertEqual(first.status, 0, "\(vendor): \(first.all)")
            let outcome = first.lines.last
            XCTAssertEqual(outcome?["outcome"] as? String, "deleted", "\(vendor): \(first.all)")
            XCTAssertEqual(contract3Problems(outcome ?? [:]), [], vendor)
            if vendor == "engagelab" {
                // EngageLab deletes asynchronously: wait until the devices are gone.
                try await e.eventually("engagelab devices removed") {
                    let devices = (try await e.state()["engagelab"] as? [String: Any])?["devices"] as? [[String: Any]] ?? []
                    return !devices.contains { Ada.engagelabDevices.contains($0["registration_id"] as? String ?? "") }
                }
            }
            let again = try e.erasure(args + ["--json"])
            XCTAssertEqual(again.status, 0, "\(vendor) again: \(again.all)")
            XCTAssertEqual(again.lines.last?["outcome"] as? String, "not_found", "\(vendor) again: \(again.all)")
        }
        // Human output: a readable table naming the vendor and the outcome.
        let human = try e.erasure(["delete", "cubicasa", "id=5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f"])
        XCTAssertTrue(human.stdout.contains("cubicasa") && human.stdout.contains("not_found"), human.all)
        await e.shutdown()
    }

    func testBadCredentialsFail() async throws {
        // Replace every secret with a wrong one: each vendor must answer failed, exit 1.
        let e = try await E2E(config: { toml in
            var out = toml
            for secret in E2E.secretValues(in: toml) { out = out.replacingOccurrences(of: secret, with: secret + "-wrong") }
            return out
        })
        for (vendor, args) in Ada.all {
            let r = try e.erasure(args + ["--json"])
            XCTAssertEqual(r.status, 1, "\(vendor): \(r.all)")
            XCTAssertEqual(r.lines.last?["outcome"] as? String, "failed", "\(vendor): \(r.all)")
            XCTAssertEqual(contract3Problems(r.lines.last ?? [:]), [], vendor)
        }
        await e.shutdown()
    }

    func testEachVendorsOwnFailureShape() async throws {
        let e = try await E2E()
        let cases: [(args: [String], fault: [String: Any], text: String)] = [
            (Ada.dragonpass, ["vendor": "dragonpass", "path_contains": "users/delete", "count": 1, "status": 200,
                              "body": #"{"code":50012,"msg":"Membership is locked"}"#], "Membership is locked"),
            (Ada.pagos, ["vendor": "pagos", "path_contains": "DeleteUser", "count": 1, "status": 200,
                         "body": #"{"UserId":null,"MethodResponse":"An error has occurred. Please try again!","Success":true,"InvalidToken":false,"Messages":[]}"#],
             "An error has occurred. Please try again!"),
            (Ada.engagelab, ["vendor": "engagelab", "method": "DELETE", "count": 2, "status": 400,
                             "body": #"{"error":{"code":27002,"message":"unknown error"}}"#], "unknown error"),
            (Ada.gafapay, ["vendor": "gafapay", "method": "DELETE", "count": 1, "status": 200,
                           "body": #"{"success":0,"error":["BAD_REQUEST"],"data":null}"#], "BAD_REQUEST"),
        ]
        for c in cases {
            try await e.fault(c.fault)
            let r = try e.erasure(c.args + ["--json"])
            XCTAssertEqual(r.status, 1, r.all)
            let line = r.lines.last ?? [:]
            XCTAssertEqual(line["outcome"] as? String, "failed", r.all)
            XCTAssertTrue((line["message"] as? String ?? "").contains(c.text), "expected '\(c.text)' in \(r.all)")
        }
        // Garbage from a vendor: failed with the raw answer, never a crash.
        try await e.fault(["vendor": "gafapay", "method": "DELETE", "count": 1, "status": 200, "body": "<html>oops</html>"])
        let r = try e.erasure(["delete", "gafapay", "id=9a2c4e6f8b0d1e3f5a7c9e1b3d5f7a9c", "--json"])
        XCTAssertEqual(r.status, 1, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "failed", r.all)
        XCTAssertEqual(r.lines.last?["http_status"] as? Int, 200, r.all)
        XCTAssertTrue((r.lines.last?["message"] as? String ?? "").contains("<html>oops</html>"), "the raw answer: \(r.all)")
        await e.shutdown()
    }

    func testDryRunPlansExactlyWhatTheRealRunSends() async throws {
        let e = try await E2E()
        for (vendor, args) in Ada.all {
            try await e.clearLog()
            let plan = try e.erasure(args + ["--dry-run", "--json"])
            XCTAssertEqual(plan.status, 0, "\(vendor): \(plan.all)")
            let planned = plan.lines.last ?? [:]
            XCTAssertEqual(planned["outcome"] as? String, "planned", "\(vendor): \(plan.all)")
            XCTAssertEqual(contract3Problems(planned), [], vendor)
            let sentDuringPlan = E2E.mutating(try await e.requests()).count
            XCTAssertEqual(sentDuringPlan, 0, "\(vendor): dry run sent a mutating request")
            let plannedRequests = (planned["requests"] as? [[String: Any]] ?? []).map {
                "\($0["method"] as? String ?? "") \($0["url"] as? String ?? "")"
            }
            try await e.clearLog()
            let real = try e.erasure(args + ["--json"])
            XCTAssertEqual(real.lines.last?["outcome"] as? String, "deleted", "\(vendor): \(real.all)")
            let sent = E2E.mutating(try await e.requests()).map { r -> String in
                let query = (r["query"] as? String).flatMap { $0.isEmpty ? nil : "?" + $0 } ?? ""
                return "\(r["method"] as? String ?? "") \(e.sandbox.baseURL)\(r["path"] as? String ?? "")\(query)"
            }
            XCTAssertFalse(sent.isEmpty, vendor)
            XCTAssertEqual(plannedRequests, sent, "\(vendor): the plan differs from what was sent")
        }
        await e.shutdown()
    }

    func testIdsStayOneEncodedSegment() async throws {
        let e = try await E2E()
        let r = try e.erasure(["delete", "cubicasa", "id=../x", "--json"])
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "not_found", r.all)
        let paths = try await e.requests().compactMap { $0["path"] as? String }
        XCTAssertTrue(paths.contains("/cubicasa/api/integrate/v3/users/%2E%2E%2Fx"), "\(paths)")
        XCTAssertFalse(paths.contains { $0.hasSuffix("/users/") || $0.hasSuffix("/x") && !$0.contains("%2F") })
        await e.shutdown()
    }

    func testGafaPaySuspendSetsStatusFive() async throws {
        let e = try await E2E()
        let r = try e.erasure(["suspend", "gafapay", "id=6f1b82443e524459831de59d430a0c41", "--json"])
        XCTAssertEqual(r.status, 0, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "suspended", r.all)
        XCTAssertEqual(contract3Problems(r.lines.last ?? [:]), [])
        let users = (try await e.state()["gafapay"] as? [String: Any])?["users"] as? [[String: Any]] ?? []
        let ada = users.first { $0["id"] as? String == "6f1b82443e524459831de59d430a0c41" }
        XCTAssertEqual(ada?["status_id"] as? Int, 5)
        await e.shutdown()
    }

    func testEngageLabAliasDeletesEveryDevice() async throws {
        let e = try await E2E()
        let r = try e.erasure(Ada.engagelab + ["--json"])
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
        let deletes = try await e.requests().filter { $0["method"] as? String == "DELETE" }.compactMap { $0["path"] as? String }
        XCTAssertEqual(Set(deletes), Set(Ada.engagelabDevices.map { "/engagelab/v4/devices/\($0)" }))
        await e.shutdown()
    }

    func testCubiCasaByEmailFindsUserOnThirdPage() async throws {
        let e = try await E2E()
        let r = try e.erasure(Ada.cubicasa + ["--json"])
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
        let log = try await e.requests()
        let delete = try XCTUnwrap(log.firstIndex { $0["method"] as? String == "DELETE" &&
            ($0["path"] as? String ?? "").hasSuffix("/users/5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f") })
        let pages = log[..<delete].filter { $0["method"] as? String == "GET" && ($0["path"] as? String ?? "").hasSuffix("/users") }
        XCTAssertEqual(pages.count, 3, "expected three pages: \(pages.map { $0["query"] ?? "" })")
        // The deletion is verified by a fresh read of the whole list, which no longer has Ada.
        let check = log[(delete + 1)...].map { $0["query"] as? String ?? "" }
        XCTAssertEqual(check.sorted(), ["limit=20&offset=0", "limit=20&offset=21", "limit=20&offset=41"])
        XCTAssertEqual(r.lines.last?["verified"] as? Bool, true, r.all)
        await e.shutdown()
    }

    func testRateLimitAndOutageAreRetriedToSuccess() async throws {
        let e = try await E2E()
        try await e.fault(["vendor": "cubicasa", "method": "DELETE", "count": 1, "status": 429,
                           "headers": ["Retry-After": "1"], "body": "slow down"])
        let start = Date()
        let r = try e.erasure(["delete", "cubicasa", "id=5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f", "--json"])
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 1.0, "Retry-After was not honoured")
        try await e.fault(["vendor": "gafapay", "method": "DELETE", "count": 1, "status": 503,
                           "body": "<html><body>Service Unavailable</body></html>"])
        let g = try e.erasure(Ada.gafapay + ["--json"])
        XCTAssertEqual(g.lines.last?["outcome"] as? String, "deleted", g.all)
        let deletes = try await e.requests().filter { $0["method"] as? String == "DELETE" && $0["vendor"] as? String == "gafapay" }
        XCTAssertEqual(deletes.map { $0["status"] as? Int }, [503, 200])
        await e.shutdown()
    }

    func testUnconfiguredVendorAndMissingIdentityAreUsageErrors() async throws {
        let e = try await E2E(config: { toml in
            // Drop the cubicasa table.
            toml.components(separatedBy: "[vendors.").filter { !$0.hasPrefix("cubicasa]") }.joined(separator: "[vendors.")
        })
        let r = try e.erasure(["delete", "cubicasa", "id=x"])
        XCTAssertEqual(r.status, 2, r.all)
        XCTAssertTrue(r.stderr.contains("cubicasa") && r.stderr.contains("[vendors.cubicasa]"), r.stderr)
        let m = try e.erasure(["delete", "gafapay", "email=ada@example.com"])
        XCTAssertEqual(m.status, 2, m.all)
        XCTAssertTrue(m.stderr.contains("id"), m.stderr)
        let u = try e.erasure(["delete", "nosuchvendor", "id=1"])
        XCTAssertEqual(u.status, 2, u.all)
        let sent = try await e.requests().count
        XCTAssertEqual(sent, 0, "a usage error must send nothing")
        await e.shutdown()
    }
}
