import AsyncHTTPClient
import Foundation
import Sandbox
import XCTest

final class ControlTests: SandboxTestCase {
    let cubicasaUsers = "/cubicasa/api/integrate/v3/users"

    func fault(_ json: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let a = try await send(.POST, "/_sandbox/faults", body: json)
        XCTAssertEqual(a.status, 200, a.body, file: file, line: line)
    }

    func requests(_ query: String = "") async throws -> [[String: Any]] {
        let a = try await send(.GET, "/_sandbox/requests\(query)")
        return try XCTUnwrap(a.json()["requests"] as? [[String: Any]])
    }

    func testRequestLogRecordsEveryVendorRequestWithItsStatus() async throws {
        _ = try await send(.POST, "/dragonpass/api/v2/users/delete", headers: dragonpassHeaders,
                           body: #"{"clientUserId":"\#(SandboxSeed.Sample.adaDragonPassId)"}"#)
        _ = try await send(.GET, "\(cubicasaUsers)?limit=2&offset=0", headers: cubicasaHeaders)
        _ = try await send(.GET, "\(cubicasaUsers)", headers: [("api-key", "wrong")])
        _ = try await send(.GET, "/nowhere")
        _ = try await send(.GET, "/_sandbox/state")  // control requests are not logged
        let log = try await requests()
        XCTAssertEqual(log.count, 4)
        XCTAssertEqual(log.map { $0["seq"] as? Int }, [1, 2, 3, 4])
        XCTAssertEqual(log.map { $0["status"] as? Int }, [200, 200, 401, 404])
        XCTAssertEqual(log.map { $0["vendor"] as? String }, ["dragonpass", "cubicasa", "cubicasa", nil])
        let first = log[0]
        XCTAssertEqual(first["method"] as? String, "POST")
        XCTAssertEqual(first["path"] as? String, "/dragonpass/api/v2/users/delete")
        XCTAssertEqual(first["body"] as? String, #"{"clientUserId":"\#(SandboxSeed.Sample.adaDragonPassId)"}"#)
        XCTAssertEqual((first["headers"] as? [String: String])?["x-program-id"], creds.dragonpass.programId)
        XCTAssertNotNil(first["time"] as? String)
        XCTAssertEqual(log[1]["query"] as? String, "limit=2&offset=0")

        let onlyCubicasa = try await requests("?vendor=cubicasa")
        XCTAssertEqual(onlyCubicasa.count, 2)
        let since = try await requests("?since=3")
        XCTAssertEqual(since.map { $0["seq"] as? Int }, [4])
    }

    func testResetRestoresTheSeedAndClearsLogAndFaults() async throws {
        let ada = SandboxSeed.Sample.adaCubiCasaId
        _ = try await send(.DELETE, "\(cubicasaUsers)/\(ada)", headers: cubicasaHeaders)
        try await fault(#"{"vendor":"cubicasa","status":500,"count":5}"#)
        let v1 = try await state()
        XCTAssertFalse(v1.cubicasa.users.contains { $0.id == ada })
        let r = try await send(.POST, "/_sandbox/reset")
        XCTAssertEqual(r.status, 200)
        let v2 = try await state()
        XCTAssertTrue(v2.cubicasa.users.contains { $0.id == ada })
        let v3 = try await requests()
        XCTAssertEqual(v3.count, 0)
        let after = try await send(.GET, cubicasaUsers, headers: cubicasaHeaders)
        XCTAssertEqual(after.status, 200)  // the fault was cleared
        let v4 = try await state()
        XCTAssertEqual(v4, sandbox.currentState())
        let v5 = try await state()
        XCTAssertEqual(v5, SandboxSeed.default)
    }

    func testResetWithABodyReplacesTheSeed() async throws {
        let custom = #"{"cubicasa":{"users":[{"id":"11111111-1111-4111-8111-111111111111","email":"solo@example.com"}]}}"#
        let r = try await send(.POST, "/_sandbox/reset", body: custom)
        XCTAssertEqual(r.status, 200, r.body)
        let s = try await state()
        XCTAssertEqual(s.cubicasa.users.map(\.email), ["solo@example.com"])
        XCTAssertTrue(s.dragonpass.users.isEmpty)
        XCTAssertEqual(s.credentials, .default)
        let bad = try await send(.POST, "/_sandbox/reset", body: #"{"cubicasa":{"users":[{"id":"x"}]}}"#)
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.body.contains("email"), bad.body)
    }

    func testStatusAndGarbageBodyFaultAppliesToTheNextNMatchingRequestsOnly() async throws {
        try await fault(#"{"vendor":"cubicasa","method":"GET","path_contains":"/users","count":2,"status":503,"body":"<html>garbage\u0000"}"#)
        // other vendors and other methods are untouched
        let other = try await send(.GET, "/gafapay/gafapay/v3/user/users?user_type=2", headers: gafapayHeaders)
        XCTAssertEqual(other.status, 200)
        let del = try await send(.DELETE, "\(cubicasaUsers)/nope", headers: cubicasaHeaders)
        XCTAssertEqual(del.status, 404)
        for _ in 0..<2 {
            let a = try await send(.GET, cubicasaUsers, headers: cubicasaHeaders)
            XCTAssertEqual(a.status, 503)
            XCTAssertEqual(a.body, "<html>garbage\u{0}")
        }
        let normal = try await send(.GET, cubicasaUsers, headers: cubicasaHeaders)
        XCTAssertEqual(normal.status, 200)
        let statuses = try await requests("?vendor=cubicasa").map { $0["status"] as? Int }
        XCTAssertEqual(statuses, [404, 503, 503, 200])
        let faults = try await send(.GET, "/_sandbox/faults")
        XCTAssertEqual(faults.body, #"{"faults":[]}"#)
    }

    func testBinaryGarbageBodyAndRetryAfter() async throws {
        try await fault(#"{"vendor":"engagelab","count":1,"status":429,"headers":{"Retry-After":"1"},"body_base64":"/wD+AQ=="}"#)
        var req = HTTPClientRequest(url: sandbox.baseURL + "/engagelab/v4/devices/x")
        for (k, v) in engagelabHeaders { req.headers.add(name: k, value: v) }
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        XCTAssertEqual(resp.status.code, 429)
        XCTAssertEqual(resp.headers.first(name: "Retry-After"), "1")
        let bytes = Array((try await resp.body.collect(upTo: 1024)).readableBytesView)
        XCTAssertEqual(bytes, [0xFF, 0x00, 0xFE, 0x01])
        let next = try await send(.GET, "/engagelab/v4/devices/x", headers: engagelabHeaders)
        XCTAssertEqual(next.status, 404)
        XCTAssertNil(next.headers.first(name: "Retry-After"))
    }

    func testHeadersOnlyFaultDecoratesTheRealAnswer() async throws {
        try await fault(#"{"vendor":"dragonpass","count":1,"headers":{"Retry-After":"7","X-Extra":"yes"}}"#)
        let a = try await send(.POST, "/dragonpass/api/v2/users/search", headers: dragonpassHeaders,
                               body: #"{"clientUserId":"nobody"}"#)
        XCTAssertEqual(a.body, #"{"code":40401,"msg":"User does not exist."}"#)
        XCTAssertEqual(a.headers.first(name: "Retry-After"), "7")
        XCTAssertEqual(a.headers.first(name: "X-Extra"), "yes")
        let b = try await send(.POST, "/dragonpass/api/v2/users/search", headers: dragonpassHeaders,
                               body: #"{"clientUserId":"nobody"}"#)
        XCTAssertNil(b.headers.first(name: "Retry-After"))
    }

    func testDelayFault() async throws {
        try await fault(#"{"vendor":"gafapay","count":1,"delay_ms":400}"#)
        let start = ContinuousClock.now
        let a = try await send(.GET, "/gafapay/gafapay/v3/user/user_detail/\(SandboxSeed.Sample.adaGafaPayId)", headers: gafapayHeaders)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(400))
        XCTAssertEqual(a.status, 200)
        XCTAssertEqual(a.json()["success"] as? Int, 1)
        let v6 = try await send(.GET, "/_sandbox/faults")
        XCTAssertEqual(v6.body, #"{"faults":[]}"#)
    }

    func testDropClosesTheConnectionWithoutAnAnswerForNRequests() async throws {
        try await fault(#"{"vendor":"pagos","path_contains":"DeleteUser","count":2,"drop":true}"#)
        for _ in 0..<2 {
            do {
                let a = try await send(.POST, "/pagos/Api/Sites/DeleteUser", headers: pagosHeaders,
                                       body: #"{"UserName":"ada.lovelace","SiteId":1}"#)
                XCTFail("expected a dropped connection, got \(a.status) \(a.body)")
            } catch {
                // connection closed without a response
            }
        }
        let ok = try await send(.POST, "/pagos/Api/Sites/DeleteUser", headers: pagosHeaders,
                                body: #"{"UserName":"ada.lovelace","SiteId":1}"#)
        XCTAssertEqual(ok.json()["MethodResponse"] as? String, "User removed successfuly.")
        let statuses = try await requests("?vendor=pagos").map { $0["status"] as? Int }
        XCTAssertEqual(statuses, [0, 0, 200])
    }

    func testInvalidFaultsAreRejectedAndFaultsCanBeCleared() async throws {
        for bad in ["{", #"{"vendor":"acme","status":500}"#, #"{"status":500,"count":0}"#, #"{"count":2}"#,
                    #"{"status":1000}"#, #"{"body_base64":"***"}"#] {
            let a = try await send(.POST, "/_sandbox/faults", body: bad)
            XCTAssertEqual(a.status, 400, bad)
            XCTAssertNotNil(a.json()["error"] as? String)
        }
        try await fault(#"{"status":500,"count":100}"#)
        let v7 = try await send(.GET, "/dragonpass/api/v2/users/search")
        XCTAssertEqual(v7.status, 500)
        let v8 = try await send(.DELETE, "/_sandbox/faults")
        XCTAssertEqual(v8.status, 200)
        let v9 = try await send(.GET, "/dragonpass/api/v2/users/search")
        XCTAssertEqual(v9.status, 405)
        let v10 = try await send(.GET, "/_sandbox/nope")
        XCTAssertEqual(v10.status, 404)
    }
}
