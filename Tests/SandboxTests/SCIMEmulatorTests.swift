import Foundation
import NIOHTTP1
import Sandbox
import XCTest

/// The sandbox's SCIM service is strict about RFC 7644: each rule a lenient server would let a
/// client get away with is refused here.
final class SCIMEmulatorTests: SandboxTestCase {
    let base = "/scim/v2"
    typealias Sample = SandboxSeed.Sample
    var auth: [(String, String)] { [("Authorization", "Bearer \(creds.scim.token)")] }

    func users(_ query: [String: String]) async throws -> HTTPAnswer {
        var c = URLComponents()
        c.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // `+` is a space to the server's query parser: send it encoded.
        let q = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return try await send(.GET, "\(base)/Users?\(q)", headers: auth)
    }

    func ids(_ a: HTTPAnswer) -> [String] {
        (a.json()["Resources"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    func testFiltersOnEachAttributeWithEscapedQuotes() async throws {
        for (filter, id) in [("userName eq \"ADA.lovelace\"", Sample.adaSCIMId),
                             ("emails.value eq \"ada@example.com\"", Sample.adaSCIMId),
                             ("externalId eq \"\(Sample.adaSCIMExternalId)\"", Sample.adaSCIMId),
                             ("USERNAME EQ \"grace.hopper\"", Sample.graceSCIMId)] {
            let a = try await users(["filter": filter])
            XCTAssertEqual(a.status, 200, a.body)
            XCTAssertEqual(a.headers.first(name: "Content-Type"), "application/scim+json")
            XCTAssertEqual(ids(a), [id], filter)
            XCTAssertEqual(a.json()["totalResults"] as? Int, 1)
        }
        let quoted = try await users(["filter": #"userName eq "miles.o\"brien""#])
        XCTAssertEqual((quoted.json()["Resources"] as? [[String: Any]])?.first?["userName"] as? String, Sample.quotedSCIMUserName)
        // externalId is caseExact: another case is another value
        let other = try await users(["filter": "externalId eq \"\(Sample.adaSCIMExternalId.uppercased())\""])
        XCTAssertEqual(ids(other), [])
        XCTAssertEqual(other.json()["totalResults"] as? Int, 0)
    }

    func testUnsupportedOrMalformedFiltersAreInvalidFilter() async throws {
        for filter in ["userName co \"ada\"", "userName eq ada.lovelace", "userName eq \"a\" and active eq true",
                       "title eq \"x\"", "userName eq \"unterminated", #"userName eq "miles.o"brien""#] {
            let a = try await users(["filter": filter])
            XCTAssertEqual(a.status, 400, filter)
            let j = a.json()
            XCTAssertEqual(j["scimType"] as? String, "invalidFilter", filter)
            XCTAssertEqual(j["status"] as? String, "400")
            XCTAssertEqual(j["schemas"] as? [String], ["urn:ietf:params:scim:api:messages:2.0:Error"])
        }
    }

    func testPagesFollowStartIndexAndCount() async throws {
        let total = SandboxSeed.default.scim.users.count
        var seen: [String] = [], start = 1
        while true {
            let a = try await users(["startIndex": String(start), "count": "7"])
            let j = a.json()
            XCTAssertEqual(j["totalResults"] as? Int, total)
            XCTAssertEqual(j["startIndex"] as? Int, start)
            let page = ids(a)
            XCTAssertEqual(j["itemsPerPage"] as? Int, page.count)
            if page.isEmpty { break }
            seen += page
            start += page.count
        }
        XCTAssertEqual(seen, SandboxSeed.default.scim.users.map(\.id))
        let below = try await users(["startIndex": "0", "count": "-3"])   // §3.4.2.4: 1 and 0
        XCTAssertEqual(below.json()["startIndex"] as? Int, 1)
        XCTAssertEqual(ids(below), [])
    }

    func testPatchNeedsThePatchOpSchemaAndHonoursIfMatch() async throws {
        let url = "\(base)/Users/\(Sample.adaSCIMId)"
        let op = #"{"op":"replace","path":"active","value":false}"#
        let wrong = try await send(.PATCH, url, headers: auth, body: #"{"Operations":[\#(op)]}"#)
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(wrong.json()["scimType"] as? String, "invalidSyntax")
        let notBool = try await send(.PATCH, url, headers: auth, body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":"false"}]}"#)
        XCTAssertEqual(notBool.json()["scimType"] as? String, "invalidValue")
        let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[\#(op)]}"#
        let stale = try await send(.PATCH, url, headers: auth + [("If-Match", #"W/"7""#)], body: body)
        XCTAssertEqual(stale.status, 412, stale.body)
        XCTAssertEqual(stale.json()["status"] as? String, "412")
        let got = try await send(.GET, url, headers: auth)
        XCTAssertEqual(got.headers.first(name: "ETag"), #"W/"1""#)
        XCTAssertEqual((got.json()["meta"] as? [String: Any])?["version"] as? String, #"W/"1""#)
        let ok = try await send(.PATCH, url, headers: auth + [("If-Match", #"W/"1""#)], body: body)
        XCTAssertEqual(ok.status, 200, ok.body)
        XCTAssertEqual(ok.json()["active"] as? Bool, false)
        XCTAssertEqual(ok.headers.first(name: "ETag"), #"W/"2""#)
        let s = try await state()
        XCTAssertEqual(s.scim.users.first { $0.id == Sample.adaSCIMId }?.active, false)
    }

    func testDeleteIs204ThenEveryReadIs404() async throws {
        let url = "\(base)/Users/\(Sample.graceSCIMId)"
        let stale = try await send(.DELETE, url, headers: auth + [("If-Match", #"W/"9""#)])
        XCTAssertEqual(stale.status, 412)
        let gone = try await send(.DELETE, url, headers: auth + [("If-Match", #"W/"1""#)])
        XCTAssertEqual(gone.status, 204)
        XCTAssertEqual(gone.body, "")
        for method in [HTTPMethod.GET, HTTPMethod.DELETE] {
            let again = try await send(method, url, headers: auth)
            XCTAssertEqual(again.status, 404)
            XCTAssertEqual(again.json()["status"] as? String, "404")
        }
        let listed = try await users(["filter": "emails.value eq \"grace@example.com\""])
        XCTAssertEqual(ids(listed), [])
    }

    func testBearerAuthIsRequiredWithAScimErrorBody() async throws {
        for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", "Basic \(creds.scim.token)")]] {
            let a = try await send(.GET, "\(base)/Users", headers: headers)
            XCTAssertEqual(a.status, 401)
            XCTAssertEqual(a.headers.first(name: "WWW-Authenticate"), #"Bearer realm="scim""#)
            XCTAssertTrue((a.json()["detail"] as? String ?? "").contains("Authorization failure"), a.body)
        }
        let config = try await send(.GET, "\(base)/ServiceProviderConfig", headers: auth)
        XCTAssertEqual((config.json()["etag"] as? [String: Any])?["supported"] as? Bool, true)
        let unknown = try await send(.POST, "\(base)/Users", headers: auth, body: "{}")
        XCTAssertEqual(unknown.status, 405)
    }
}
