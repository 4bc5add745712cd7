import Foundation
import Sandbox
import XCTest

final class SandboxSeedTests: SandboxTestCase {
    override var seed: SandboxSeed { .generated(people: 3) }

    func testGeneratedPeopleExistAtEveryVendorWithDerivableIds() async throws {
        let p = SandboxSeed.GeneratedPerson(index: 2)
        XCTAssertEqual(p.dragonpassId, "user-0002")
        XCTAssertEqual(p.pagosUserName, "user0002")
        XCTAssertEqual(p.engagelabAlias, "user_0002")
        XCTAssertEqual(p.engagelabRegistrationId, "rid0002")
        XCTAssertEqual(p.gafapayId, "fe000000000000000000000000000002")
        XCTAssertEqual(p.cubicasaId, "00000000-0000-4000-8000-000000000002")
        XCTAssertEqual(p.email, "user0002@example.com")
        XCTAssertEqual(SandboxSeed.GeneratedPerson(index: 12345).dragonpassId, "user-12345")

        let dp = try await send(.POST, "/dragonpass/api/v2/users/delete", headers: dragonpassHeaders,
                                body: #"{"clientUserId":"\#(p.dragonpassId)"}"#)
        XCTAssertEqual(dp.body, #"{"code":0,"msg":"User successfully deleted."}"#)
        let pg = try await send(.POST, "/pagos/Api/Sites/DeleteUser", headers: pagosHeaders,
                                body: #"{"UserName":"\#(p.pagosUserName)","SiteId":1}"#)
        XCTAssertEqual(pg.json()["MethodResponse"] as? String, "User removed successfuly.")
        let el = try await send(.GET, "/engagelab/v4/aliases/\(p.engagelabAlias)", headers: engagelabHeaders)
        XCTAssertEqual(el.body, #"{"registration_ids":["rid0002"]}"#)
        let gp = try await send(.DELETE, "/gafapay/gafapay/v3/user/user_detail/\(p.gafapayId)", headers: gafapayHeaders)
        XCTAssertEqual(gp.json()["success"] as? Int, 1)
        let cc = try await send(.DELETE, "/cubicasa/api/integrate/v3/users/\(p.cubicasaId)", headers: cubicasaHeaders)
        XCTAssertEqual(cc.body, #"{"message":"User user0002@example.com was deleted successfully"}"#)

        XCTAssertEqual(SandboxSeed.generated(people: 3), SandboxSeed.generated(people: 3))  // deterministic
        XCTAssertEqual(SandboxSeed.generated(people: 3).cubicasa.users.count, SandboxSeed.default.cubicasa.users.count + 3)
    }

    func testSettingsShareOneFlatObjectAndRoundTripThroughJSON() throws {
        var seed = SandboxSeed()
        seed.settings.engagelabRateLimit = 7
        seed.settings.engagelabDeleteDelayMs = 0
        seed.settings.pagosTokenLifetime = 5
        seed.settings.requestLogLimit = 9
        seed.credentials.cubicasa.apiKey = "k"
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: seed.jsonData()) as? [String: Any])
        XCTAssertEqual(json["settings"] as? [String: Int], ["engagelab_rate_limit": 7, "engagelab_delete_delay_ms": 0,
                                                            "pagos_token_lifetime": 5, "request_log_limit": 9])
        XCTAssertEqual((json["credentials"] as? [String: [String: String]])?["cubicasa"], ["api_key": "k"])
        XCTAssertEqual(try SandboxSeed.load(json: seed.jsonData()), seed)

        // left-out keys take their defaults; a seed read from JSON equals one built in Swift
        var partial = try SandboxSeed.load(json: Data(#"{"settings":{"pagos_token_lifetime":5}}"#.utf8))
        XCTAssertEqual(partial.settings.pagosTokenLifetime, 5)
        XCTAssertEqual(partial.settings.engagelabRateLimit, 500)
        XCTAssertNotEqual(partial, SandboxSeed())
        partial.settings.pagosTokenLifetime = 3600
        XCTAssertEqual(partial, SandboxSeed())
    }

    func testDefaultSeedRoundTripsThroughJSON() throws {
        let data = SandboxSeed.default.jsonData()
        XCTAssertEqual(try SandboxSeed.load(json: data), SandboxSeed.default)
        XCTAssertThrowsError(try SandboxSeed.load(json: Data(#"{"gafapay":{"users":[{"first_name":"x"}]}}"#.utf8))) { e in
            XCTAssertTrue("\(e)".contains("id"), "\(e)")
        }
    }
}
