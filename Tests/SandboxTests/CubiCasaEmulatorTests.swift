import Foundation
import Sandbox
import XCTest

final class CubiCasaEmulatorTests: SandboxTestCase {
    let base = "/cubicasa/api/integrate/v3"

    func page(_ query: String) async throws -> (pagination: [String: Any], ids: [String], answer: HTTPAnswer) {
        let a = try await send(.GET, "\(base)/users\(query)", headers: cubicasaHeaders)
        XCTAssertEqual(a.status, 200)
        let j = a.json()
        let p = try XCTUnwrap(j["pagination"] as? [String: Any])
        let items = try XCTUnwrap(j["items"] as? [[String: Any]])
        return (p, items.compactMap { $0["id"] as? String }, a)
    }

    func testFirstPageMatchesTheDocumentedPagination() async throws {
        let (p, ids, a) = try await page("")
        XCTAssertEqual(ids.count, 20)
        XCTAssertTrue(a.body.hasPrefix(#"{"pagination":{"has_more":true,"limit":20,"next_offset":21,"previous_offset":0},"items":[{"id":""#))
        XCTAssertEqual(p["next_offset"] as? Int, 21)
        let same = try await page("?limit=20&offset=0")
        XCTAssertEqual(same.ids, ids)
        // an item has the documented fields, created_at a float
        XCTAssertTrue(a.body.contains(#","role":"Manager","email_confirmed":true,"created_at":1760700135.0}"#), a.body)
    }

    func testWalkingNextOffsetVisitsEveryUserOnceAndFindsAdaOnPageThree() async throws {
        var offset = 0, pages = 0, seen: [String] = []
        var adaPage: Int?
        while true {
            let (p, ids, _) = try await page("?offset=\(offset)")
            pages += 1
            if ids.contains(SandboxSeed.Sample.adaCubiCasaId) { adaPage = pages }
            seen += ids
            guard p["has_more"] as? Bool == true else { break }
            offset = try XCTUnwrap(p["next_offset"] as? Int)
            XCTAssertLessThan(pages, 10)
        }
        let expected = SandboxSeed.default.cubicasa.users.map(\.id)
        XCTAssertGreaterThanOrEqual(expected.count, 55)
        XCTAssertEqual(seen, expected)
        XCTAssertEqual(adaPage, 3)
        XCTAssertEqual(pages, 3)
        let second = try await page("?offset=21")
        XCTAssertEqual(second.pagination["previous_offset"] as? Int, 0)
        XCTAssertEqual(second.pagination["next_offset"] as? Int, 41)
        let small = try await page("?limit=5&offset=6")
        XCTAssertEqual(small.ids, Array(expected[5..<10]))
        XCTAssertEqual(small.pagination["limit"] as? Int, 5)
        XCTAssertEqual(small.pagination["next_offset"] as? Int, 11)
        XCTAssertEqual(small.pagination["previous_offset"] as? Int, 0)
    }

    func testDeleteThenNotFound() async throws {
        let id = SandboxSeed.Sample.adaCubiCasaId
        let a = try await send(.DELETE, "\(base)/users/\(id)", headers: cubicasaHeaders)
        XCTAssertEqual(a.status, 200)
        XCTAssertEqual(a.body, #"{"message":"User ada@example.com was deleted successfully"}"#)
        let again = try await send(.DELETE, "\(base)/users/\(id)", headers: cubicasaHeaders)
        XCTAssertEqual(again.status, 404)
        XCTAssertEqual(again.body, #"{"detail":"Not Found"}"#)
        let all = try await state().cubicasa.users
        XCTAssertEqual(all.count, SandboxSeed.default.cubicasa.users.count - 1)
        // the list closes the gap: page 3 now starts with the user that followed Ada's predecessor
        let (_, ids, _) = try await page("?offset=41")
        XCTAssertEqual(ids, Array(all.map(\.id)[40...]))
    }

    func testGetByEmail() async throws {
        let a = try await send(.GET, "\(base)/users/ada@example.com", headers: cubicasaHeaders)
        XCTAssertEqual(a.status, 200)
        XCTAssertEqual(a.body, #"{"id":"5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f","email":"ada@example.com","name":"Ada","surname":"Lovelace","role":"User","email_confirmed":true,"created_at":1764544935.0}"#)
        let missing = try await send(.GET, "\(base)/users/nobody@example.com", headers: cubicasaHeaders)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.body, #"{"detail":"Not Found"}"#)
    }

    func testAuthAndBadQueries() async throws {
        for key in [nil, "wrong"] as [String?] {
            let a = try await send(.DELETE, "\(base)/users/\(SandboxSeed.Sample.adaCubiCasaId)",
                                   headers: replacing(cubicasaHeaders, "api-key", with: key))
            XCTAssertEqual(a.status, 401)
            XCTAssertEqual(a.body, #"{"detail":"Not authenticated"}"#)
        }
        let bearer = try await send(.GET, "\(base)/users", headers: [("Authorization", "Bearer \(creds.cubicasa.apiKey)")])
        XCTAssertEqual(bearer.status, 401)
        for q in ["?limit=0", "?limit=x", "?offset=-1", "?limit=%zz"] {
            let a = try await send(.GET, "\(base)/users\(q)", headers: cubicasaHeaders)
            XCTAssertEqual(a.status, 422, q)
        }
        let other = try await send(.GET, "\(base)/orders", headers: cubicasaHeaders)
        XCTAssertEqual(other.status, 404)
        XCTAssertEqual(other.body, #"{"detail":"Not Found"}"#)
        let method = try await send(.PUT, "\(base)/users", headers: cubicasaHeaders, body: "{}")
        XCTAssertEqual(method.status, 405)
        let v1 = try await state()
        XCTAssertEqual(v1.cubicasa.users.count, SandboxSeed.default.cubicasa.users.count)
    }
}
