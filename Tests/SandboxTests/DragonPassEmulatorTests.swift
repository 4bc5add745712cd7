import Foundation
import Sandbox
import XCTest

final class DragonPassEmulatorTests: SandboxTestCase {
    let ada = SandboxSeed.Sample.adaDragonPassId
    let path = "/dragonpass/api/v2/users/delete"

    // JWTs made independently with Python's hmac/hashlib (HS256 over the default jwt_secret).
    // exp 4102444800 = 2100-01-01; 1700000000 = 2023-11-14.
    let validJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJlcmFzdXJlLXNhbmRib3giLCJleHAiOjQxMDI0NDQ4MDB9.BW6CwMxuC3kGt7IRc7N7nqMRtu3yeUTAjgrPRD8O79Q"
    let expiredJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJlcmFzdXJlLXNhbmRib3giLCJleHAiOjE3MDAwMDAwMDB9.a5QvnUYeAfmcSVf_a_pQlsoV33eWgIdvW2QMm5rAMjo"
    let wrongIssuerJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzb21lb25lLWVsc2UiLCJleHAiOjQxMDI0NDQ4MDB9.MOb45_e7MvNuUSPL3O3B1j-pmAZwDalQFNBbRJylUB4"
    let wrongSecretJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJlcmFzdXJlLXNhbmRib3giLCJleHAiOjQxMDI0NDQ4MDB9.-kEqe1a7LoL3Neza1bDB9KF5_8zYng3rV4ZR8TzFjCg"

    func testDeleteAnswersTheConfirmedLiteralThenUserDoesNotExist() async throws {
        let body = #"{"clientUserId": "\#(ada)"}"#
        let first = try await send(.POST, path, headers: dragonpassHeaders, body: body)
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.body, #"{"code":0,"msg":"User successfully deleted."}"#)
        let v1 = try await state()
        XCTAssertFalse(v1.dragonpass.users.contains { $0.clientUserId == ada })

        let again = try await send(.POST, path, headers: dragonpassHeaders, body: body)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.body, #"{"code":40401,"msg":"User does not exist."}"#)
    }

    func testSearchFindsTheUserOrAnswers40401() async throws {
        let found = try await send(.POST, "/dragonpass/api/v2/users/search", headers: dragonpassHeaders,
                                   body: #"{"clientUserId":"\#(ada)"}"#)
        XCTAssertEqual(found.status, 200)
        XCTAssertEqual(found.body, #"{"code":0,"data":{"clientUserId":"\#(ada)","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","phoneNumber":"7700900077","callingCode":"44"}}"#)

        let missing = try await send(.POST, "/dragonpass/api/v2/users/search", headers: dragonpassHeaders,
                                     body: #"{"clientUserId":"nobody"}"#)
        XCTAssertEqual(missing.body, #"{"code":40401,"msg":"User does not exist."}"#)
        // search is read-only
        let v2 = try await state()
        XCTAssertTrue(v2.dragonpass.users.contains { $0.clientUserId == ada })
    }

    func testHS256JWTAcceptedOnlyWithRightSecretIssuerAndFutureExpiry() async throws {
        let body = #"{"clientUserId":"\#(ada)"}"#
        for bad in [expiredJWT, wrongIssuerJWT, wrongSecretJWT] {
            let a = try await send(.POST, path, headers: replacing(dragonpassHeaders, "Authorization", with: "Bearer \(bad)"), body: body)
            XCTAssertEqual(a.status, 401)
            XCTAssertEqual(a.body, #"{"code":401,"msg":"Unauthorized"}"#)
        }
        // alg "none" with the valid claims
        let parts = validJWT.split(separator: ".")
        let noneHeader = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        let none = "\(noneHeader).\(parts[1])."
        let n = try await send(.POST, path, headers: replacing(dragonpassHeaders, "Authorization", with: "Bearer \(none)"), body: body)
        XCTAssertEqual(n.status, 401)
        let v3 = try await state()
        XCTAssertTrue(v3.dragonpass.users.contains { $0.clientUserId == ada })

        let ok = try await send(.POST, path, headers: replacing(dragonpassHeaders, "Authorization", with: "Bearer \(validJWT)"), body: body)
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.body, #"{"code":0,"msg":"User successfully deleted."}"#)
    }

    func testMissingOrWrongAuthIs401() async throws {
        let body = #"{"clientUserId":"\#(ada)"}"#
        for auth in [nil, "Bearer wrong-token", "Basic \(creds.dragonpass.token)", "Bearer "] as [String?] {
            let a = try await send(.POST, path, headers: replacing(dragonpassHeaders, "Authorization", with: auth), body: body)
            XCTAssertEqual(a.status, 401, "\(auth ?? "no auth")")
            XCTAssertEqual(a.body, #"{"code":401,"msg":"Unauthorized"}"#)
        }
        let v4 = try await state()
        XCTAssertTrue(v4.dragonpass.users.contains { $0.clientUserId == ada })
    }

    func testProgramIdIsRequiredAndChecked() async throws {
        let body = #"{"clientUserId":"\#(ada)"}"#
        let missing = try await send(.POST, path, headers: replacing(dragonpassHeaders, "X-Program-ID", with: nil), body: body)
        XCTAssertEqual(missing.status, 200)
        XCTAssertEqual(missing.body, #"{"code":40001,"msg":"X-Program-ID is required."}"#)
        let wrong = try await send(.POST, path, headers: replacing(dragonpassHeaders, "X-Program-ID", with: "999"), body: body)
        XCTAssertEqual(wrong.body, #"{"code":40003,"msg":"Invalid X-Program-ID."}"#)
        let v5 = try await state()
        XCTAssertTrue(v5.dragonpass.users.contains { $0.clientUserId == ada })
    }

    func testBadBodyUnknownPathAndWrongMethod() async throws {
        for body in ["", "not json", #"{"clientUserId": 42}"#, #"{"userId":"x"}"#] {
            let a = try await send(.POST, path, headers: dragonpassHeaders, body: body)
            XCTAssertEqual(a.status, 200)
            XCTAssertEqual(a.body, #"{"code":40000,"msg":"clientUserId is required."}"#, body)
        }
        let unknown = try await send(.POST, "/dragonpass/api/v2/users/nope", headers: dragonpassHeaders, body: "{}")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.body, #"{"code":404,"msg":"Not Found"}"#)
        let get = try await send(.GET, path, headers: dragonpassHeaders)
        XCTAssertEqual(get.status, 405)
    }
}
