import Foundation
import Sandbox
import XCTest

/// Issue 16 against the sandbox's strict SCIM service (`/scim/v2`, `[vendors.scim]` in its
/// printed config): lookup by each identity key, a dry run that sends nothing, suspend, delete
/// and delete again, a 429 waited, a 401 and garbage reported as `failed` — and `deleted` only
/// when it is true, in the words of the vendor's profile.
final class SCIMSandboxTests: XCTestCase {
    typealias Sample = SandboxSeed.Sample

    func users(_ e: E2E) async throws -> [[String: Any]] {
        (try await e.state()["scim"] as? [String: Any])?["users"] as? [[String: Any]] ?? []
    }

    func user(_ e: E2E, _ id: String) async throws -> [String: Any]? {
        try await users(e).first { $0["id"] as? String == id }
    }

    func scimRequests(_ e: E2E) async throws -> [[String: Any]] {
        try await e.requests().filter { $0["vendor"] as? String == "scim" }
    }

    func testLookupByEachIdentityKeyIncludingAQuotedUserName() async throws {
        let e = try await E2E()
        let all = try await users(e)
        let quotedId = try XCTUnwrap(all.first { $0["userName"] as? String == Sample.quotedSCIMUserName }?["id"] as? String)
        for (identity, id) in [("id=\(Sample.adaSCIMId)", Sample.adaSCIMId), ("userName=ADA.Lovelace", Sample.adaSCIMId),
                               ("email=ada@example.com", Sample.adaSCIMId), ("externalId=\(Sample.adaSCIMExternalId)", Sample.adaSCIMId),
                               ("userName=\(Sample.quotedSCIMUserName)", quotedId)] {
            let r = try e.erasure(["lookup", "scim", identity, "--json"])
            XCTAssertEqual(r.status, 0, r.all)
            XCTAssertEqual(r.lines.last?["outcome"] as? String, "found", r.all)
            XCTAssertEqual((r.lines.last?["record"] as? [String: Any])?["id"] as? String, id, identity)
        }
        // The quote went out escaped inside the filter's JSON string (RFC 7644 §3.4.2.2).
        let queries = try await scimRequests(e).compactMap { $0["query"] as? String }
        XCTAssertTrue(queries.contains { $0.contains("filter=userName%20eq%20%22miles.o%5C%22brien%22") }, "\(queries)")
        let absent = try e.erasure(["lookup", "scim", "email=nobody@example.com", "--json"])
        XCTAssertEqual(absent.status, 0, absent.all)
        XCTAssertEqual(absent.lines.last?["outcome"] as? String, "not_found", absent.all)
        await e.shutdown()
    }

    func testADryRunPlansWhatARealRunSendsAndSendsNothing() async throws {
        let e = try await E2E()
        let plan = try e.erasure(["delete", "scim", "email=ada@example.com", "--dry-run", "--json", "--no-journal"])
        XCTAssertEqual(plan.status, 0, plan.all)
        XCTAssertEqual(plan.lines.last?["outcome"] as? String, "planned", plan.all)
        let planned = plan.lines.last?["requests"] as? [[String: Any]] ?? []
        XCTAssertEqual(planned.map { $0["method"] as? String }, ["DELETE"], plan.all)
        let pause = try e.erasure(["suspend", "scim", "userName=grace.hopper", "--dry-run", "--json", "--no-journal"])
        XCTAssertEqual(pause.lines.last?["outcome"] as? String, "planned", pause.all)
        XCTAssertEqual((pause.lines.last?["requests"] as? [[String: Any]])?.map { $0["method"] as? String }, ["PATCH"])
        let seen = try await scimRequests(e)
        XCTAssertEqual(E2E.mutating(seen).count, 0, "a dry run sends no DELETE or PATCH")
        let ada = try await user(e, Sample.adaSCIMId)
        let grace = try await user(e, Sample.graceSCIMId)
        XCTAssertNotNil(ada)
        XCTAssertEqual(grace?["active"] as? Bool, true)

        // Contract 5: the real run sends exactly what was planned.
        let real = try e.erasure(["delete", "scim", "email=ada@example.com", "--json", "--no-journal"])
        let sent = try await scimRequests(e).filter { $0["method"] as? String == "DELETE" }
        XCTAssertEqual(real.lines.last?["outcome"] as? String, "deleted", real.all)
        XCTAssertEqual(sent.count, 1)
        XCTAssertEqual(planned.first?["url"] as? String, e.sandbox.baseURL + (sent.first?["path"] as? String ?? ""))
        await e.shutdown()
    }

    func testSuspendSendsAPatchOpThatSetsActiveFalse() async throws {
        let e = try await E2E()
        let r = try e.erasure(["suspend", "scim", "userName=grace.hopper", "--json", "--no-journal"])
        XCTAssertEqual(r.status, 0, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "suspended", r.all)
        let grace = try await user(e, Sample.graceSCIMId)
        XCTAssertEqual(grace?["active"] as? Bool, false)
        let seen = try await scimRequests(e)
        let patch = try XCTUnwrap(seen.first { $0["method"] as? String == "PATCH" })
        let headers = patch["headers"] as? [String: Any] ?? [:]
        XCTAssertEqual(headers["content-type"] as? String, "application/scim+json")
        XCTAssertEqual(headers["if-match"] as? String, #"W/"1""#, "the ETag of the version read, as the service supports ETags")
        let body = try JSONSerialization.jsonObject(with: Data((patch["body"] as? String ?? "").utf8)) as? [String: Any]
        XCTAssertEqual(body?["schemas"] as? [String], ["urn:ietf:params:scim:api:messages:2.0:PatchOp"])
        // Already inactive: nothing more is sent.
        let again = try e.erasure(["suspend", "scim", "userName=grace.hopper", "--json", "--no-journal"])
        XCTAssertEqual(again.lines.last?["outcome"] as? String, "suspended", again.all)
        let patches = try await scimRequests(e).filter { $0["method"] as? String == "PATCH" }
        XCTAssertEqual(patches.count, 1)
        await e.shutdown()
    }

    func testDeleteIsVerifiedByA404AndASecondDeleteIsNotFound() async throws {
        let e = try await E2E()
        let r = try e.erasure(["delete", "scim", "externalId=\(Sample.adaSCIMExternalId)", "--json", "--no-journal"])
        XCTAssertEqual(r.status, 0, r.all)
        let out = try XCTUnwrap(r.lines.last)
        XCTAssertEqual(out["outcome"] as? String, "deleted", r.all)
        XCTAssertEqual(out["verified"] as? Bool, true, r.all)
        XCTAssertTrue((out["verification"] as? String ?? "").contains("answers 404 afterwards"), r.all)
        let requests = out["requests"] as? [[String: Any]] ?? []
        XCTAssertEqual(requests.last?["method"] as? String, "GET")
        XCTAssertEqual(requests.last?["status"] as? Int, 404)
        let gone = try await user(e, Sample.adaSCIMId)
        XCTAssertNil(gone)
        let again = try e.erasure(["delete", "scim", "externalId=\(Sample.adaSCIMExternalId)", "--json", "--no-journal"])
        XCTAssertEqual(again.status, 0, again.all)
        XCTAssertEqual(again.lines.last?["outcome"] as? String, "not_found", again.all)
        let byId = try e.erasure(["delete", "scim", "id=\(Sample.adaSCIMId)", "--json", "--no-journal"])
        XCTAssertEqual(byId.lines.last?["outcome"] as? String, "not_found", byId.all)
        await e.shutdown()
    }

    func testA429WithRetryAfterIsWaited() async throws {
        let e = try await E2E()
        try await e.fault(["vendor": "scim", "method": "DELETE", "status": 429, "headers": ["Retry-After": "1"],
                           "body": #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"slow down"}"#])
        let started = Date()
        let r = try e.erasure(["delete", "scim", "email=ada@example.com", "--json", "--no-journal"])
        XCTAssertEqual(r.status, 0, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0, "Retry-After: 1 was waited")
        let deletes = try await scimRequests(e).filter { $0["method"] as? String == "DELETE" }
        XCTAssertEqual(deletes.map { $0["status"] as? Int }, [429, 204])
        await e.shutdown()
    }

    func testA401IsFailedWithTheScimDetail() async throws {
        let e = try await E2E { $0.replacingOccurrences(of: SandboxCredentials.default.scim.token, with: "not-the-token-0000") }
        let r = try e.erasure(["delete", "scim", "email=ada@example.com", "--json", "--no-journal"])
        XCTAssertEqual(r.status, 1, r.all)
        let out = try XCTUnwrap(r.lines.last)
        XCTAssertEqual(out["outcome"] as? String, "failed", r.all)
        XCTAssertTrue((out["message"] as? String ?? "").contains("Authorization failure: the bearer token is missing or invalid"), r.all)
        XCTAssertFalse(r.all.contains("not-the-token-0000"), "the token is a secret")
        let ada = try await user(e, Sample.adaSCIMId)
        XCTAssertNotNil(ada)
        await e.shutdown()
    }

    /// Garbage is `failed` with the raw answer; a 204 that did not delete is caught by the check.
    func testAnswersThatAreNotTheTruthAreFailed() async throws {
        let e = try await E2E()
        try await e.fault(["vendor": "scim", "method": "GET", "path_contains": "/Users", "status": 200, "body": "<html>not scim"])
        let garbled = try e.erasure(["lookup", "scim", "email=ada@example.com", "--json"])
        XCTAssertEqual(garbled.status, 1, garbled.all)
        XCTAssertEqual(garbled.lines.last?["outcome"] as? String, "failed", garbled.all)
        XCTAssertTrue((garbled.lines.last?["message"] as? String ?? "").contains("<html>not scim"), garbled.all)

        try await e.fault(["vendor": "scim", "method": "DELETE", "status": 200, "body": "\u{1}garbage {{"])
        let garbage = try e.erasure(["delete", "scim", "email=ada@example.com", "--json", "--no-journal"])
        XCTAssertEqual(garbage.lines.last?["outcome"] as? String, "failed", garbage.all)

        try await e.fault(["vendor": "scim", "method": "DELETE", "status": 204, "body": ""])
        let lie = try e.erasure(["delete", "scim", "email=ada@example.com", "--json", "--no-journal"])
        XCTAssertEqual(lie.status, 1, lie.all)
        XCTAssertEqual(lie.lines.last?["outcome"] as? String, "failed", lie.all)
        XCTAssertTrue((lie.lines.last?["message"] as? String ?? "").contains("still finds them"), lie.all)
        let ada = try await user(e, Sample.adaSCIMId)
        XCTAssertNotNil(ada, "nobody was deleted")
        await e.shutdown()
    }

    /// A profile whose DELETE only deactivates (Slack) accepts the user read back inactive, and
    /// says so; the generic profile does not.
    func testADeleteThatDeactivatesIsReportedAsWhatItIs() async throws {
        for profile in ["slack", "generic"] {
            let e = try await E2E { $0.replacingOccurrences(of: "[vendors.scim]\n", with: "[vendors.scim]\nprofile = \"\(profile)\"\n") }
            let pause = try e.erasure(["suspend", "scim", "email=ada@example.com", "--json", "--no-journal"])
            XCTAssertEqual(pause.lines.last?["outcome"] as? String, "suspended", pause.all)
            // The service answers 204 and keeps the user, deactivated (as Slack does).
            try await e.fault(["vendor": "scim", "method": "DELETE", "status": 204, "body": ""])
            let r = try e.erasure(["delete", "scim", "email=ada@example.com", "--json", "--no-journal"])
            let out = try XCTUnwrap(r.lines.last)
            if profile == "slack" {
                XCTAssertEqual(out["outcome"] as? String, "deleted", r.all)
                XCTAssertTrue((out["message"] as? String ?? "").hasPrefix("deactivated — Slack keeps the account"), r.all)
                XCTAssertEqual(out["verified"] as? Bool, true, r.all)
                XCTAssertTrue((out["verification"] as? String ?? "").contains("deactivated (active: false)"), r.all)
            } else {
                XCTAssertEqual(out["outcome"] as? String, "failed", r.all)
                XCTAssertTrue((out["message"] as? String ?? "").contains("still finds them"), r.all)
            }
            await e.shutdown()
        }
    }
}
