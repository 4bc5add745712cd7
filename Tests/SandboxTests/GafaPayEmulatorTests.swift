import Foundation
import Sandbox
import XCTest

final class GafaPayEmulatorTests: SandboxTestCase {
    let base = "/gafapay/gafapay/v3"
    let ada = SandboxSeed.Sample.adaGafaPayId
    let grace = SandboxSeed.Sample.graceGafaPayId
    let baseError = #"{"success":0,"error":[],"data":{"check_validation_failed":true,"validation_message":"BASE_ERROR_IN_REMOVING"}}"#
    let badRequest = #"{"success":0,"error":["BAD_REQUEST"],"data":null}"#
    let notFound = #"{"success":0,"error":["USER_NOT_FOUND"],"data":null}"#

    func testGetUserDetailHasTheDocumentedFields() async throws {
        let a = try await send(.GET, "\(base)/user/user_detail/\(ada)", headers: gafapayHeaders)
        XCTAssertEqual(a.status, 200)
        let j = a.json()
        XCTAssertEqual(j["success"] as? Int, 1)
        XCTAssertEqual((j["error"] as? [Any])?.count, 0)
        let u = try XCTUnwrap((j["data"] as? [String: Any])?["user_detail"] as? [String: Any])
        let documented = ["id", "first_name", "last_name", "email", "dial_code", "phone_number", "user_type", "role_id",
                          "updated_date", "device_info", "account_number", "verification", "status_id", "birth_date",
                          "image", "user_code", "country_id", "kyc_status", "kyc_process_status", "location_point",
                          "rating", "login_pin", "transaction_pin", "created_date", "created_by", "parent_user_id",
                          "display_name", "display_image", "kyc_status_id", "reason_code_id", "reject_reason",
                          "unique_device_id"]
        XCTAssertEqual(Set(u.keys), Set(documented))
        XCTAssertEqual(u["id"] as? String, ada)
        XCTAssertEqual(u["email"] as? String, "ada@example.com")
        XCTAssertEqual(u["status_id"] as? Int, 1)
        XCTAssertEqual(u["kyc_process_status"] as? Int, 4)
        XCTAssertEqual(u["user_type"] as? Int, 2)
        XCTAssertNil(u["removable"])
        // field order of the vendor page
        XCTAssertTrue(a.body.hasPrefix(#"{"success":1,"error":[],"data":{"user_detail":{"id":"\#(ada)","first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","dial_code":"+221""#))

        let missing = try await send(.GET, "\(base)/user/user_detail/00000000000000000000000000000000", headers: gafapayHeaders)
        XCTAssertEqual(missing.status, 200)
        XCTAssertEqual(missing.body, notFound)
    }

    func testDeleteSuccessThenBaseErrorInRemoving() async throws {
        let a = try await send(.DELETE, "\(base)/user/user_detail/\(ada)", headers: gafapayHeaders)
        XCTAssertEqual(a.status, 200)
        XCTAssertEqual(a.body, #"{"success":1,"error":[],"data":{"message":"USER_REMOVE_USER_DETAIL_SUCCESSFULLY"}}"#)
        let get = try await send(.GET, "\(base)/user/user_detail/\(ada)", headers: gafapayHeaders)
        XCTAssertEqual(get.body, notFound)
        let again = try await send(.DELETE, "\(base)/user/user_detail/\(ada)", headers: gafapayHeaders)
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.body, baseError)
    }

    func testUnremovableUserAndEmptyId() async throws {
        let stuck = SandboxSeed.Sample.unremovableGafaPayId
        let a = try await send(.DELETE, "\(base)/user/user_detail/\(stuck)", headers: gafapayHeaders)
        XCTAssertEqual(a.body, baseError)
        let v1 = try await state()
        XCTAssertTrue(v1.gafapay.users.contains { $0.id == stuck })
        for path in ["\(base)/user/user_detail/", "\(base)/user/user_detail"] {
            let e = try await send(.DELETE, path, headers: gafapayHeaders)
            XCTAssertEqual(e.status, 200)
            XCTAssertEqual(e.body, badRequest, path)
        }
    }

    func testPutUpdatesOnlySentFieldsIncludingStatus() async throws {
        let put = try await send(.PUT, "\(base)/user/user_detail", headers: gafapayHeaders,
                                 body: #"{"id":"\#(grace)","status_id":5,"display_name":"G. Hopper"}"#)
        XCTAssertEqual(put.status, 200)
        XCTAssertEqual(put.body, #"{"success":1,"error":[],"data":{"message":"USER_UPDATE_USER_DETAIL_SUCCESSFULLY"}}"#)
        let after = try await state()
        let g = try XCTUnwrap(after.gafapay.users.first { $0.id == grace })
        XCTAssertEqual(g.statusId, 5)
        XCTAssertEqual(g.displayName, "G. Hopper")
        XCTAssertEqual(g.firstName, "Grace")
        XCTAssertEqual(g.kycProcessStatus, 1)

        for body in [#"{"status_id":4}"#, #"{"id":"\#(grace)","status_id":9}"#, #"{"id":"\#(grace)","first_name":"G"}"#,
                     #"{"id":"\#(grace)","phone_number":"12ab567"}"#, #"{"id":"\#(grace)","birth_date":"1906-13-09"}"#,
                     #"{"id":"\#(grace)","email":"ada@example.com"}"#, "not json"] {
            let bad = try await send(.PUT, "\(base)/user/user_detail", headers: gafapayHeaders, body: body)
            XCTAssertEqual(bad.body, badRequest, body)
        }
        let unknown = try await send(.PUT, "\(base)/user/user_detail", headers: gafapayHeaders,
                                     body: #"{"id":"ffffffffffffffffffffffffffffffff","status_id":4}"#)
        XCTAssertEqual(unknown.body, notFound)
        let v2 = try await state()
        XCTAssertEqual(v2.gafapay.users.first { $0.id == grace }?.statusId, 5)
    }

    func testListUsersFilters() async throws {
        let noType = try await send(.GET, "\(base)/user/users", headers: gafapayHeaders)
        XCTAssertEqual(noType.body, badRequest)

        let ada = try await send(.GET, "\(base)/user/users?user_type=2&search_keyword=LOVELACE", headers: gafapayHeaders)
        let users = try XCTUnwrap((ada.json()["data"] as? [String: Any])?["users"] as? [[String: Any]])
        XCTAssertEqual(users.map { $0["id"] as? String }, [self.ada])

        let seed = SandboxSeed.default.gafapay.users
        let customers = seed.filter { $0.userType == 2 }
        let all = try await send(.GET, "\(base)/user/users?user_type=2&limit=100", headers: gafapayHeaders)
        let allIds = ((all.json()["data"] as? [String: Any])?["users"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        XCTAssertEqual(allIds, customers.map(\.id))

        let firstPage = try await send(.GET, "\(base)/user/users?user_type=2", headers: gafapayHeaders)
        XCTAssertEqual(((firstPage.json()["data"] as? [String: Any])?["users"] as? [Any])?.count, min(10, customers.count))
        let page = try await send(.GET, "\(base)/user/users?user_type=2&skip=2&limit=3", headers: gafapayHeaders)
        let pageIds = ((page.json()["data"] as? [String: Any])?["users"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        XCTAssertEqual(pageIds, Array(customers.map(\.id)[2..<5]))

        let suspended = try await send(.GET, "\(base)/user/users?user_type=2&status_id=5", headers: gafapayHeaders)
        let sIds = ((suspended.json()["data"] as? [String: Any])?["users"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        XCTAssertEqual(sIds, customers.filter { $0.statusId == 5 }.map(\.id))
        XCTAssertFalse(sIds?.isEmpty ?? true)

        let badSkip = try await send(.GET, "\(base)/user/users?user_type=2&skip=x", headers: gafapayHeaders)
        XCTAssertEqual(badSkip.body, badRequest)

        // query values are percent-decoded (a dial code's `+` arrives as %2B)
        for q in ["search_keyword=Ada%20Lovelace", "dial_code=%2B221&phone_number=771234567"] {
            let a = try await send(.GET, "\(base)/user/users?user_type=2&\(q)", headers: gafapayHeaders)
            let ids = ((a.json()["data"] as? [String: Any])?["users"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            XCTAssertEqual(ids, [self.ada], q)
        }
    }

    func testHeaders() async throws {
        let path = "\(base)/user/user_detail/\(ada)"
        let noToken = try await send(.DELETE, path, headers: replacing(gafapayHeaders, "authorization", with: nil))
        XCTAssertEqual(noToken.status, 401)
        XCTAssertEqual(noToken.body, #"{"success":0,"error":["UNAUTHORIZED"],"data":null}"#)
        let bearer = try await send(.DELETE, path, headers: replacing(gafapayHeaders, "authorization", with: "Bearer \(creds.gafapay.token)"))
        XCTAssertEqual(bearer.status, 401)
        let company = try await send(.DELETE, path, headers: replacing(gafapayHeaders, "companyid", with: "00000000000000000000000000000000"))
        XCTAssertEqual(company.status, 401)
        XCTAssertEqual(company.body, #"{"success":0,"error":["INVALID_COMPANY"],"data":null}"#)
        let noRequest = try await send(.DELETE, path, headers: replacing(gafapayHeaders, "requestid", with: nil))
        XCTAssertEqual(noRequest.body, badRequest)
        let badRequestId = try await send(.DELETE, path, headers: replacing(gafapayHeaders, "requestid", with: "not-a-uuid"))
        XCTAssertEqual(badRequestId.body, badRequest)
        let v3 = try await state()
        XCTAssertTrue(v3.gafapay.users.contains { $0.id == ada })

        // the OTP pages' spellings: companyId, request_id
        var alt = replacing(gafapayHeaders, "companyid", with: nil)
        alt = replacing(alt, "requestid", with: nil)
        alt += [("companyId", creds.gafapay.companyId), ("request_id", UUID().uuidString)]
        let ok = try await send(.DELETE, path, headers: alt)
        XCTAssertEqual(ok.body, #"{"success":1,"error":[],"data":{"message":"USER_REMOVE_USER_DETAIL_SUCCESSFULLY"}}"#)
    }
}
