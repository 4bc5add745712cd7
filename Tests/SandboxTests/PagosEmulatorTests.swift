import Foundation
import Sandbox
import XCTest

final class PagosEmulatorTests: SandboxTestCase {
    let path = "/pagos/Api/Sites/DeleteUser"
    let removed = #"{"UserId":null,"MethodResponse":"User removed successfuly.","Success":true,"InvalidToken":false,"Messages":[]}"#
    let authFailure = #"{"UserId":null,"MethodResponse":null,"Success":false,"InvalidToken":false,"Messages":["The requested resource is restricted and your request did not provide a valid token."]}"#

    func assertPagosHeaders(_ a: HTTPAnswer, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.status, 200, file: file, line: line)
        XCTAssertEqual(a.headers.first(name: "Cache-Control"), "no-cache, no-store", file: file, line: line)
        XCTAssertEqual(a.headers.first(name: "Content-Type"), "application/json; charset=utf-8", file: file, line: line)
    }

    func testDeleteSuccessIsTheConfirmedSampleTypoIncluded() async throws {
        let a = try await send(.POST, path, headers: pagosHeaders, body: #"{"UserName":"ada.lovelace","SiteId":1}"#)
        assertPagosHeaders(a)
        XCTAssertEqual(a.body, removed)
        let site1 = try await state().pagos.sites.first { $0.siteId == 1 }!
        XCTAssertFalse(site1.users.contains { $0.userName == "ada.lovelace" })
    }

    func testUnknownUserIsAMethodFailureWithSuccessTrue() async throws {
        let a = try await send(.POST, path, headers: pagosHeaders, body: #"{"UserName":"nobody","SiteId":1}"#)
        assertPagosHeaders(a)
        XCTAssertEqual(a.body, #"{"UserId":null,"MethodResponse":"User does not exist.","Success":true,"InvalidToken":false,"Messages":[]}"#)
        // a user of site 2 is not visible from site 1... and vice versa
        let other = try await send(.POST, path, headers: pagosHeaders, body: #"{"UserName":"ada.lovelace","SiteId":2}"#)
        XCTAssertEqual(other.body, #"{"UserId":null,"MethodResponse":"User does not exist.","Success":true,"InvalidToken":false,"Messages":[]}"#)
    }

    func testMalformedBodyIsTheConfirmedMethodFailure() async throws {
        for body in ["", "{", #"{"UserName":"ada.lovelace"}"#, #"{"SiteId":1}"#, #"{"UserName":"","SiteId":1}"#] {
            let a = try await send(.POST, path, headers: pagosHeaders, body: body)
            assertPagosHeaders(a)
            XCTAssertEqual(a.body, #"{"UserId":null,"MethodResponse":"An error has occurred. Please try again!","Success":true,"InvalidToken":false,"Messages":[]}"#, body)
        }
    }

    func testMissingOrUnknownTokenIsTheConfirmedAuthFailure() async throws {
        for auth in [nil, "Bearer nope", "Token \(creds.pagos.token)"] as [String?] {
            let a = try await send(.POST, path, headers: replacing(pagosHeaders, "Authorization", with: auth),
                                   body: #"{"UserName":"ada.lovelace","SiteId":1}"#)
            assertPagosHeaders(a)
            XCTAssertEqual(a.body, authFailure)
        }
        let v1 = try await state()
        XCTAssertTrue(v1.pagos.sites[0].users.contains { $0.userName == "ada.lovelace" })
    }

    func testUnknownSiteFailsWithSuccessFalse() async throws {
        let a = try await send(.POST, path, headers: pagosHeaders, body: #"{"UserName":"ada.lovelace","SiteId":99}"#)
        assertPagosHeaders(a)
        XCTAssertEqual(a.body, #"{"UserId":null,"MethodResponse":null,"Success":false,"InvalidToken":false,"Messages":["The requested site does not exist."]}"#)
    }

    func testClientCredentialsTokenWorksAndBadClientsAreRejected() async throws {
        let form = "grant_type=client_credentials&client_id=\(creds.pagos.clientId)&client_secret=\(creds.pagos.clientSecret)"
        let formHeaders = [("Content-Type", "application/x-www-form-urlencoded")]
        let t = try await send(.POST, "/pagos/connect/token", headers: formHeaders, body: form)
        XCTAssertEqual(t.status, 200)
        let json = t.json()
        XCTAssertEqual(json["token_type"] as? String, "Bearer")
        XCTAssertEqual(json["expires_in"] as? Int, 3600)
        let token = try XCTUnwrap(json["access_token"] as? String)
        XCTAssertFalse(token.isEmpty)

        let a = try await send(.POST, path, headers: replacing(pagosHeaders, "Authorization", with: "Bearer \(token)"),
                               body: #"{"UserName":"grace.hopper","SiteId":1}"#)
        XCTAssertEqual(a.body, removed)

        let badSecret = try await send(.POST, "/pagos/connect/token", headers: formHeaders,
                                       body: "grant_type=client_credentials&client_id=\(creds.pagos.clientId)&client_secret=wrong")
        XCTAssertEqual(badSecret.status, 400)
        XCTAssertEqual(badSecret.body, #"{"error":"invalid_client"}"#)
        let badGrant = try await send(.POST, "/pagos/connect/token", headers: formHeaders,
                                      body: "grant_type=password&client_id=\(creds.pagos.clientId)&client_secret=\(creds.pagos.clientSecret)")
        XCTAssertEqual(badGrant.status, 400)
        XCTAssertEqual(badGrant.body, #"{"error":"unsupported_grant_type"}"#)

        // a form: percent-encoded names and values are decoded; a parameter sent twice is refused (RFC 6749 §3.2)
        let encoded = try await send(.POST, "/pagos/connect/token", headers: formHeaders,
                                     body: "grant%5Ftype=client_credentials&client_id=erasure%2Dsandbox&client_secret=\(creds.pagos.clientSecret)")
        XCTAssertEqual(encoded.status, 200, encoded.body)
        let twice = try await send(.POST, "/pagos/connect/token", headers: formHeaders, body: form + "&grant_type=client_credentials")
        XCTAssertEqual(twice.status, 400)
        XCTAssertEqual(twice.body, #"{"error":"invalid_request"}"#)
    }

    func testCreateUserThenDeleteIt() async throws {
        let create = #"{"UserName":"testUserApi","RoleId":3,"GroupId":[1],"LastName":"User","FirstName":"Test","EmailAddress":"test@example.com","Password":"S3cret!pass","SiteId":1}"#
        let c = try await send(.POST, "/pagos/Api/Sites/CreateUser", headers: pagosHeaders, body: create)
        assertPagosHeaders(c)
        let j = c.json()
        XCTAssertEqual(j["Success"] as? Bool, true)
        XCTAssertNotNil(j["UserId"] as? String)
        let dup = try await send(.POST, "/pagos/Api/Sites/CreateUser", headers: pagosHeaders, body: create)
        XCTAssertEqual(dup.json()["MethodResponse"] as? String, "User already exists.")
        let d = try await send(.POST, path, headers: pagosHeaders, body: #"{"UserName":"testUserApi","SiteId":1}"#)
        XCTAssertEqual(d.body, removed)
    }

    func testUnknownPathAndWrongMethod() async throws {
        let a = try await send(.POST, "/pagos/Api/Sites/GetUser", headers: pagosHeaders, body: "{}")
        XCTAssertEqual(a.status, 404)
        let g = try await send(.GET, path, headers: pagosHeaders)
        XCTAssertEqual(g.status, 405)
        // ASP.NET routing ignores case
        let lower = try await send(.POST, "/pagos/api/sites/deleteuser", headers: pagosHeaders, body: #"{"UserName":"ada.lovelace","SiteId":1}"#)
        XCTAssertEqual(lower.body, removed)
    }
}

final class PagosEmulatorTokenExpiryTests: SandboxTestCase {
    override var seed: SandboxSeed {
        var s = SandboxSeed.default
        s.settings.pagosTokenLifetime = 1
        return s
    }

    func testExpiredIssuedTokenSaysInvalidTokenTrue() async throws {
        let form = "grant_type=client_credentials&client_id=\(creds.pagos.clientId)&client_secret=\(creds.pagos.clientSecret)"
        let t = try await send(.POST, "/pagos/connect/token", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: form)
        XCTAssertEqual(t.json()["expires_in"] as? Int, 1)
        let token = try XCTUnwrap(t.json()["access_token"] as? String)
        try await Task.sleep(for: .milliseconds(1100))
        let a = try await send(.POST, "/pagos/Api/Sites/DeleteUser", headers: [("Authorization", "Bearer \(token)")],
                               body: #"{"UserName":"ada.lovelace","SiteId":1}"#)
        XCTAssertEqual(a.status, 200)
        XCTAssertEqual(a.body, #"{"UserId":null,"MethodResponse":null,"Success":false,"InvalidToken":true,"Messages":["Token expired"]}"#)
    }
}
