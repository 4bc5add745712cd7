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
struct GafaPayEmulator: VendorEmulator {
    static let prefix = "/gafapay/gafapay/v3"
    static let endpoints = "GET|DELETE user/user_detail/{id}, PUT user/user_detail, GET user/users"
    let state: LockedState<UserTable<SandboxCredentials.GafaPay, GafaPayUser>>

    var outsidePrefix: Response { Self.routeNotFound }

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

    func respond(to r: VendorRequest) -> Response {
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
            return Self.routeNotFound
        }
        switch (route, r.method) {
        case (.users, .get), (.detail, .get), (.detail, .delete), (.detailRoot, .put), (.detailRoot, .delete),
             (.detailRoot, .get):
            break
        default:
            return Self.failure(.methodNotAllowed, ["METHOD_NOT_ALLOWED"])  // ASSUMED
        }

        enum Auth { case token, company, ok }
        let auth: Auth = state.withLock { s in
            guard let auth = r.header(.authorization), auth.hasPrefix("Token "),
                  auth.utf8.dropFirst(6).elementsEqual(s.credentials.token.utf8) else { return .token }
            return r.header(.companyID) == s.credentials.companyId ? .ok : .company
        }
        switch auth {
        case .token: return Self.unauthorized
        case .company: return Self.wrongCompany
        case .ok: break
        }
        guard let rid = r.header(.requestID) ?? r.header(.requestIDUnderscore), isUUID(rid) else { return Self.badRequest }

        switch route {
        case .detailRoot:
            if r.method == .put { return update(r) }
            return Self.badRequest  // GET/DELETE without an id (CONFIRMED example: "a missing id")
        case .detail(let id):
            if r.method == .get {
                guard let u = state.withLock({ $0.users[id] }) else { return Self.userNotFound }
                return Self.success(.object([("user_detail", Self.userJSON(u))]))
            }
            enum Outcome { case gone, stuck, ok }
            let outcome: Outcome = state.withLock { s in
                guard let u = s.users[id] else { return .gone }
                guard u.isRemovable else { return .stuck }
                s.users.remove(id)
                return .ok
            }
            if outcome == .ok { r.noteEffect("deleted") }
            // CONFIRMED success literal; unknown id → BASE_ERROR_IN_REMOVING (ASSUMED, "not removable / not found")
            return outcome == .ok ? Self.removedC.response : Self.notRemovable
        case .users:
            return list(r)
        }
    }

    func list(_ r: VendorRequest) -> Response {
        let q = r.query
        func int(_ k: String) -> Int?? {  // nil: absent or empty; .some(nil): present but not an integer
            guard let v = q.get(k), !v.isEmpty else { return nil }
            return .some(Int(v))
        }
        func text(_ k: String) -> String? { q.get(k).flatMap { $0.isEmpty ? nil : $0 } }
        guard case .some(.some(let userType)) = int("user_type") else { return Self.badRequest }
        var skip = 0, limit = 10
        if let s = int("skip") { guard let s, s >= 0 else { return Self.badRequest }; skip = s }
        if let l = int("limit") { guard let l, l >= 0 else { return Self.badRequest }; limit = l }
        var intFilters: [(KeyPath<GafaPayUser, Int?>, Int)] = []
        for (k, path) in [("status_id", \GafaPayUser.statusId), ("kyc_status", \.kycStatus),
                          ("kyc_process_status", \.kycProcessStatus)] as [(String, KeyPath<GafaPayUser, Int?>)] {
            if let v = int(k) { guard let v else { return Self.badRequest }; intFilters.append((path, v)) }
        }
        var strFilters: [(KeyPath<GafaPayUser, String?>, String)] = []
        let userId = text("user_id")
        for (k, path) in [("dial_code", \GafaPayUser.dialCode), ("phone_number", \.phoneNumber),
                          ("parent_user_id", \.parentUserId), ("created_by", \.createdBy)]
            as [(String, KeyPath<GafaPayUser, String?>)] {
            if let v = text(k) { strFilters.append((path, v)) }
        }
        let keyword = text("search_keyword")?.lowercased()

        let all = state.withLock { $0.users.values }
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
        return Self.success(.object([("users", .array(page.map(Self.userJSON)))]))
    }

    func update(_ r: VendorRequest) -> Response {
        guard let body = r.jsonObject, let id = body["id"] as? String, !id.isEmpty else { return Self.badRequest }
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
                guard let v, valid(v) else { return Self.badRequest }
                changes.append((path, v))
            }
        }
        var status: Int?
        if let v = body["status_id"], !(v is NSNull) {  // SECONDARY: status_id updatable here
            guard let s = intValue(v), (1...6).contains(s) else { return Self.badRequest }
            status = s
        }
        let now = Int(Date().timeIntervalSince1970)
        enum Outcome { case missing, conflict, ok }
        let outcome: Outcome = state.withLock { s in
            guard var u = s.users[id] else { return .missing }
            let newEmail = changes.first { $0.0 == \GafaPayUser.email }?.1
            let newPhone = changes.first { $0.0 == \GafaPayUser.phoneNumber }?.1
            if newEmail != nil || newPhone != nil {
                for other in s.users.values where other.id != id {
                    if let e = newEmail, other.email?.lowercased() == e.lowercased() { return .conflict }
                    if let p = newPhone, other.phoneNumber == p { return .conflict }
                }
            }
            for (path, v) in changes { u[keyPath: path] = v }
            if let status { u.statusId = status }
            u.updatedDate = now
            s.users[id] = u
            return .ok
        }
        if outcome == .ok { r.noteEffect("updated") }
        switch outcome {
        case .missing: return Self.userNotFound
        case .conflict: return Self.badRequest  // email / phone_number must be unique (CONFIRMED rule; answer ASSUMED)
        case .ok: return Self.success(.object([("message", .string("USER_UPDATE_USER_DETAIL_SUCCESSFULLY"))]))  // ASSUMED
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

extension HTTPField.Name {
    static let companyID = HTTPField.Name("companyid")!
    static let requestID = HTTPField.Name("requestid")!
    static let requestIDUnderscore = HTTPField.Name("request_id")!
}

/// 8-4-4-4-12 hex digits (what `UUID(uuidString:)` accepts), without Foundation's cost.
private func isUUID(_ s: String) -> Bool {
    var n = 0
    for c in s.utf8 {
        switch n {
        case 8, 13, 18, 23: if c != UInt8(ascii: "-") { return false }
        default:
            let hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
            if !hex { return false }
        }
        n += 1
        if n > 36 { return false }
    }
    return n == 36
}

extension SeedPartNames {
    /// `seed.gafapay` (`"gafapay": {"users": […]}`) and `seed.credentials.gafapay`
    public var gafapay: SeedPartName<SeedUsers<GafaPayUser>, SandboxCredentials.GafaPay> {
        SeedPartName(GafaPayEmulator.self)
    }
}
