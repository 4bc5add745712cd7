import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// DragonPass API v2 emulator, under `/dragonpass/api/v2` (docs/vendors.md, dragonpass).
///
/// CONFIRMED: `POST users/delete` body `{"clientUserId"}` → `{"code":0,"msg":"User successfully deleted."}`;
///   envelope `{"code":0,...}`; JWT claims `iss` + `exp`, HS256; `X-Program-ID` header.
/// SECONDARY: `POST users/search` (Retrieve User Information) path; `Authorization: Bearer`.
/// ASSUMED (the error-code table is UNKNOWN): every failure code/msg below, and that they come
///   with HTTP 200 (except bad auth: HTTP 401).
struct DragonPassEmulator: VendorEmulator {
    static let prefix = "/dragonpass/api/v2"
    static let endpoints = "POST users/delete, POST users/search"
    let state: LockedState<UserTable<SandboxCredentials.DragonPass, DragonPassUser>>

    var outsidePrefix: Response { Reply.json(.notFound, Self.notFound) }

    // ASSUMED answers (docs: UNKNOWN)
    static let unauthorized: JSON = .object([("code", .int(401)), ("msg", .string("Unauthorized"))])
    static let missingProgram: JSON = .object([("code", .int(40001)), ("msg", .string("X-Program-ID is required."))])
    static let wrongProgram: JSON = .object([("code", .int(40003)), ("msg", .string("Invalid X-Program-ID."))])
    static let badBody: JSON = .object([("code", .int(40000)), ("msg", .string("clientUserId is required."))])
    static let userNotFound: JSON = .object([("code", .int(40401)), ("msg", .string("User does not exist."))])
    static let notFound: JSON = .object([("code", .int(404)), ("msg", .string("Not Found"))])
    static let methodNotAllowed: JSON = .object([("code", .int(405)), ("msg", .string("Method Not Allowed"))])
    // CONFIRMED (the vendor's Delete A User page)
    static let deleted: JSON = .object([("code", .int(0)), ("msg", .string("User successfully deleted."))])

    func respond(to r: VendorRequest) -> Response {
        let creds = state.withLock { $0.credentials }
        let route = r.components.joined(separator: "/")
        let known = ["users/delete", "users/search"]
        guard known.contains(route) else { return Reply.json(.notFound, Self.notFound) }
        guard r.method == .post else { return Reply.json(.methodNotAllowed, Self.methodNotAllowed) }

        guard Self.authorized(r.header(.authorization), creds) else { return Reply.json(.unauthorized, Self.unauthorized) }
        guard let program = r.header(.xProgramID), !program.isEmpty else { return Reply.json(.ok, Self.missingProgram) }
        guard program == creds.programId else { return Reply.json(.ok, Self.wrongProgram) }
        guard let id = r.jsonObject?["clientUserId"] as? String, !id.isEmpty else { return Reply.json(.ok, Self.badBody) }

        switch route {
        case "users/delete":
            let removed = state.withLock { $0.users.remove(id) }
            if removed != nil { r.noteEffect("deleted") }
            return Reply.json(.ok, removed == nil ? Self.userNotFound : Self.deleted)
        default:  // users/search (SECONDARY path; response shape ASSUMED: the envelope's `data` holds the user)
            guard let u = state.withLock({ $0.users[id] }) else { return Reply.json(.ok, Self.userNotFound) }
            return Reply.json(.ok, .object([("code", .int(0)), ("data", Self.userJSON(u))]))
        }
    }

    static func userJSON(_ u: DragonPassUser) -> JSON {
        .object([("clientUserId", .string(u.clientUserId)), ("firstName", .str(u.firstName)),
                 ("lastName", .str(u.lastName)), ("email", .str(u.email)),
                 ("phoneNumber", .str(u.phoneNumber)), ("callingCode", .str(u.callingCode))])
    }

    /// `Bearer <static token>` or `Bearer <HS256 JWT>` signed with the configured secret, `iss` equal
    /// to the configured issuer and `exp` in the future (CONFIRMED claims; scheme word SECONDARY).
    static func authorized(_ header: String?, _ creds: SandboxCredentials.DragonPass) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        if token.isEmpty { return false }
        if token == creds.token { return true }
        return verifyJWT(Substring(token), issuer: creds.jwtIssuer, secret: creds.jwtSecret,
                         now: Date().timeIntervalSince1970)
    }

    static func verifyJWT(_ token: Substring, issuer: String, secret: String, now: Double) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = base64URLDecode(parts[0]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              header["alg"] as? String == "HS256",
              let payloadData = base64URLDecode(parts[1]),
              let payload = (try? JSONSerialization.jsonObject(with: payloadData)) as? [String: Any],
              let signature = base64URLDecode(parts[2])
        else { return false }
        let signed = Data(token[token.startIndex..<parts[1].endIndex].utf8)
        let key = SymmetricKey(data: Data(secret.utf8))
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) else { return false }
        guard payload["iss"] as? String == issuer else { return false }
        guard let exp = payload["exp"] as? Double ?? (payload["exp"] as? Int).map(Double.init), exp > now else {
            return false
        }
        return true
    }
}

extension HTTPField.Name {
    static let xProgramID = HTTPField.Name("X-Program-ID")!
}

/// Base64url without padding (JWT segments).
private func base64URLDecode(_ s: Substring) -> Data? {
    var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while t.count % 4 != 0 { t += "=" }
    return Data(base64Encoded: t)
}

extension SeedPartNames {
    /// `seed.dragonpass` (`"dragonpass": {"users": […]}`) and `seed.credentials.dragonpass`
    public var dragonpass: SeedPartName<SeedUsers<DragonPassUser>, SandboxCredentials.DragonPass> {
        SeedPartName(DragonPassEmulator.self)
    }
}
