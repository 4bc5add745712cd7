import Foundation
import HTTPTypes
import Hummingbird

/// GafaPay v3 emulator, under `/gafapay/gafapay/v3` (docs/vendors.md, gafapay).
///
/// CONFIRMED: headers `authorization: Token <token>`, `companyid`, `requestid` (UUID); envelope
///   `{"success":1|0,"error":[…],"data":…}`; `GET`/`DELETE user/user_detail/{id}`, `PUT user/user_detail`
///   (only the sent fields change), `GET user/users` (`user_type` required; skip/limit/status_id/
///   search_keyword/… filters; `data.users`); the delete success message; the failure shapes
///   `BASE_ERROR_IN_REMOVING` and `BAD_REQUEST` (payment-link page).
/// SECONDARY: `status_id` updatable through `PUT user/user_detail` (weak source).
/// ASSUMED: the alternate spellings `companyId` (same header: names are case-insensitive) and `request_id`;
///   HTTP 200 for every `success: 0` answer except auth failures (HTTP 401, bodies below);
///   `USER_NOT_FOUND` for GET/PUT of an unknown id; BASE_ERROR_IN_REMOVING for DELETE of an unknown id;
///   the PUT success message; the list's user objects having the user_detail fields.
enum GafaPay {
    static let prefix = "/gafapay/gafapay/v3"

    static func failure(_ errors: [String], data: JSON = .null) -> Response { failure(.ok, errors, data: data) }
    static func failure(_ status: HTTPResponse.Status, _ errors: [String], data: JSON = .null) -> Response {
        Reply.json(status, .object([("success", .int(0)), ("error", .strings(errors)), ("data", data)]))
    }
    static func success(_ data: JSON) -> Response {
        Reply.json(.ok, .object([("success", .int(1)), ("error", .array([])), ("data", data)]))
    }
    static func canned(_ status: HTTPResponse.Status, _ errors: [String], data: JSON = .null) -> Canned {
        Canned(status, .object([("success", .int(0)), ("error", .strings(errors)), ("data", data)]))
    }
    static let badRequestC = canned(.ok, ["BAD_REQUEST"])  // CONFIRMED shape
    static let notRemovableC = canned(.ok, [], data: .object([("check_validation_failed", .bool(true)),
                                                              ("validation_message", .string("BASE_ERROR_IN_REMOVING"))]))  // CONFIRMED shape
    static let userNotFoundC = canned(.ok, ["USER_NOT_FOUND"])  // ASSUMED
    static let unauthorizedC = canned(.unauthorized, ["UNAUTHORIZED"])  // ASSUMED
    static let wrongCompanyC = canned(.unauthorized, ["INVALID_COMPANY"])  // ASSUMED
    static let routeNotFoundC = canned(.notFound, ["NOT_FOUND"])  // ASSUMED
    static let removedC = Canned(.ok, .object([("success", .int(1)), ("error", .array([])),
                                               ("data", .object([("message", .string("USER_REMOVE_USER_DETAIL_SUCCESSFULLY"))]))]))  // CONFIRMED
    static var badRequest: Response { badRequestC.response }
    static var notRemovable: Response { notRemovableC.response }
    static var userNotFound: Response { userNotFoundC.response }
    static var unauthorized: Response { unauthorizedC.response }
    static var wrongCompany: Response { wrongCompanyC.response }
    static var routeNotFound: Response { routeNotFoundC.response }

    static func handle(_ r: VendorRequest, state: SandboxState) -> Response {
        let c = r.components
        enum Route { case detail(String), detailRoot, users }
        let route: Route
        if c.count == 2 && c[0] == "user" && c[1] == "users" {
            route = .users
        } else if c.count == 2 && c[0] == "user" && c[1] == "user_detail" {
            route = .detailRoot
        } else if c.count == 3 && c[0] == "user" && c[1] == "user_detail" {
            route = c[2].isEmpty ? .detailRoot : .detail(c[2])
        } else {
            return routeNotFound
        }
        switch (route, r.method) {
        case (.users, .get), (.detail, .get), (.detail, .delete), (.detailRoot, .put), (.detailRoot, .delete),
             (.detailRoot, .get):
            break
        default:
            return failure(.methodNotAllowed, ["METHOD_NOT_ALLOWED"])  // ASSUMED
        }

        let creds = state.config.credentials.gafapay
        guard let auth = r.header(.authorization), auth.hasPrefix("Token "),
              auth.utf8.dropFirst(6).elementsEqual(creds.token.utf8) else { return unauthorized }
        guard r.header(.companyID) == creds.companyId else { return wrongCompany }
        guard let rid = r.header(.requestID) ?? r.header(.requestIDUnderscore), isUUID(rid) else { return badRequest }

        switch route {
        case .detailRoot:
            if r.method == .put { return update(r, state: state) }
            return badRequest  // GET/DELETE without an id (CONFIRMED example: "a missing id")
        case .detail(let id):
            if r.method == .get {
                guard let u = state.core.withLock({ $0.vendors.gafapay[id] }) else { return userNotFound }
                return success(.object([("user_detail", userJSON(u))]))
            }
            enum Outcome { case gone, stuck, ok }
            let outcome: Outcome = state.core.withLock { core in
                guard let u = core.vendors.gafapay[id] else { return .gone }
                guard u.isRemovable else { return .stuck }
                core.vendors.gafapay.remove(id)
                return .ok
            }
            if outcome == .ok { state.noteEffect("deleted") }
            // CONFIRMED success literal; unknown id → BASE_ERROR_IN_REMOVING (ASSUMED, "not removable / not found")
            return outcome == .ok ? removedC.response : notRemovable
        case .users:
            return list(r, state: state)
        }
    }

    static func list(_ r: VendorRequest, state: SandboxState) -> Response {
        let q = r.query
        func int(_ k: String) -> Int?? {  // nil: absent; .some(nil): present but not an integer
            guard let v = q[k], !v.isEmpty else { return nil }
            return .some(Int(v))
        }
        guard case .some(.some(let userType)) = int("user_type") else { return badRequest }
        var skip = 0, limit = 10
        if let s = int("skip") { guard let s, s >= 0 else { return badRequest }; skip = s }
        if let l = int("limit") { guard let l, l >= 0 else { return badRequest }; limit = l }
        var intFilters: [(KeyPath<GafaPayUser, Int?>, Int)] = []
        for (k, path) in [("status_id", \GafaPayUser.statusId), ("kyc_status", \.kycStatus),
                          ("kyc_process_status", \.kycProcessStatus)] as [(String, KeyPath<GafaPayUser, Int?>)] {
            if let v = int(k) { guard let v else { return badRequest }; intFilters.append((path, v)) }
        }
        var strFilters: [(KeyPath<GafaPayUser, String?>, String)] = []
        let userId = q["user_id"].flatMap { $0.isEmpty ? nil : $0 }
        for (k, path) in [("dial_code", \GafaPayUser.dialCode), ("phone_number", \.phoneNumber),
                          ("parent_user_id", \.parentUserId), ("created_by", \.createdBy)]
            as [(String, KeyPath<GafaPayUser, String?>)] {
            if let v = q[k], !v.isEmpty { strFilters.append((path, v)) }
        }
        let keyword = q["search_keyword"].flatMap { $0.isEmpty ? nil : $0.lowercased() }

        let all = state.core.withLock { $0.vendors.gafapay.values }
        let matching = all.filter { u in
            guard u.userType == userType else { return false }
            if let userId, u.id != userId { return false }
            for (p, v) in intFilters where u[keyPath: p] != v { return false }
            for (p, v) in strFilters where u[keyPath: p] != v { return false }
            if let keyword {
                let hay = [u.firstName, u.lastName, u.email, u.phoneNumber, u.displayName, u.userCode]
                guard hay.contains(where: { $0?.lowercased().contains(keyword) == true }) else { return false }
            }
            return true
        }
        let page = matching.dropFirst(skip).prefix(limit)
        return success(.object([("users", .array(page.map(userJSON)))]))
    }

    static func update(_ r: VendorRequest, state: SandboxState) -> Response {
        guard let body = r.jsonObject, let id = body["id"] as? String, !id.isEmpty else { return badRequest }
        func str(_ k: String) -> String?? {  // nil: not sent; .some(nil): sent with a wrong type
            guard let v = body[k], !(v is NSNull) else { return nil }
            return .some(v as? String)
        }
        let name: (String) -> Bool = { (2...50).contains($0.count) }
        let digits: (String) -> Bool = { (7...15).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        let date: (String) -> Bool = { s in
            let f = DateFormatter()
            f.dateFormat = "yyyy-MM-dd"
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            return s.count == 10 && f.date(from: s) != nil
        }
        let iso2: (String) -> Bool = { $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isLetter } }
        let email: (String) -> Bool = { s in
            let p = s.split(separator: "@", omittingEmptySubsequences: false)
            return p.count == 2 && !p[0].isEmpty && p[1].contains(".")
        }
        let any: (String) -> Bool = { _ in true }
        let rules: [(String, WritableKeyPath<GafaPayUser, String?>, (String) -> Bool)] = [
            ("first_name", \.firstName, name), ("last_name", \.lastName, name), ("email", \.email, email),
            ("dial_code", \.dialCode, any), ("phone_number", \.phoneNumber, digits), ("birth_date", \.birthDate, date),
            ("country_id", \.countryId, iso2), ("image", \.image, any), ("display_name", \.displayName, any),
            ("display_image", \.displayImage, any),
        ]
        var changes: [(WritableKeyPath<GafaPayUser, String?>, String)] = []
        for (k, path, valid) in rules {
            if let v = str(k) {
                guard let v, valid(v) else { return badRequest }
                changes.append((path, v))
            }
        }
        var status: Int?
        if let v = body["status_id"], !(v is NSNull) {  // SECONDARY: status_id updatable here
            guard let s = intValue(v), (1...6).contains(s) else { return badRequest }
            status = s
        }
        let now = Int(Date().timeIntervalSince1970)
        enum Outcome { case missing, conflict, ok }
        let outcome: Outcome = state.core.withLock { core in
            guard var u = core.vendors.gafapay[id] else { return .missing }
            let newEmail = changes.first { $0.0 == \GafaPayUser.email }?.1
            let newPhone = changes.first { $0.0 == \GafaPayUser.phoneNumber }?.1
            if newEmail != nil || newPhone != nil {
                for other in core.vendors.gafapay.values where other.id != id {
                    if let e = newEmail, other.email?.lowercased() == e.lowercased() { return .conflict }
                    if let p = newPhone, other.phoneNumber == p { return .conflict }
                }
            }
            for (path, v) in changes { u[keyPath: path] = v }
            if let status { u.statusId = status }
            u.updatedDate = now
            core.vendors.gafapay[id] = u
            return .ok
        }
        if outcome == .ok { state.noteEffect("updated") }
        switch outcome {
        case .missing: return userNotFound
        case .conflict: return badRequest  // email / phone_number must be unique (CONFIRMED rule; answer ASSUMED)
        case .ok: return success(.object([("message", .string("USER_UPDATE_USER_DETAIL_SUCCESSFULLY"))]))  // ASSUMED
        }
    }

    /// `user_detail` in the field order of the CONFIRMED get-user-details page.
    static func userJSON(_ u: GafaPayUser) -> JSON {
        let device: JSON = u.deviceInfo.map {
            .object([("device_id", .str($0.deviceId)), ("device_type", .str($0.deviceType)),
                     ("device_unique_id", .str($0.deviceUniqueId))])
        } ?? .null
        let verification: JSON = u.verification.map {
            .object([("is_email", $0.isEmail.map(JSON.bool) ?? .null), ("is_phone", $0.isPhone.map(JSON.bool) ?? .null)])
        } ?? .null
        let location: JSON = u.locationPoint.map {
            .object([("type", .string($0.type)), ("coordinates", .array($0.coordinates.map(JSON.double)))])
        } ?? .null
        return .object([
            ("id", .string(u.id)), ("first_name", .str(u.firstName)), ("last_name", .str(u.lastName)),
            ("email", .str(u.email)), ("dial_code", .str(u.dialCode)), ("phone_number", .str(u.phoneNumber)),
            ("user_type", .num(u.userType)), ("role_id", .str(u.roleId)), ("updated_date", .num(u.updatedDate)),
            ("device_info", device), ("account_number", .str(u.accountNumber)), ("verification", verification),
            ("status_id", .num(u.statusId)), ("birth_date", .str(u.birthDate)), ("image", .str(u.image)),
            ("user_code", .str(u.userCode)), ("country_id", .str(u.countryId)), ("kyc_status", .num(u.kycStatus)),
            ("kyc_process_status", .num(u.kycProcessStatus)), ("location_point", location),
            ("rating", u.rating.map(JSON.double) ?? .null), ("login_pin", .str(u.loginPin)),
            ("transaction_pin", .str(u.transactionPin)), ("created_date", .num(u.createdDate)),
            ("created_by", .str(u.createdBy)), ("parent_user_id", .str(u.parentUserId)),
            ("display_name", .str(u.displayName)), ("display_image", .str(u.displayImage)),
            ("kyc_status_id", .str(u.kycStatusId)), ("reason_code_id", .str(u.reasonCodeId)),
            ("reject_reason", .str(u.rejectReason)), ("unique_device_id", .str(u.uniqueDeviceId)),
        ])
    }
}
