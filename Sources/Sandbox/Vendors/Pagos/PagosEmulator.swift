import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// SpreadsheetWEB ("Pagos") site-level API emulator, under `/pagos` (docs/vendors.md, pagos).
///
/// CONFIRMED (the vendor's DeleteUser page): `POST /Api/Sites/DeleteUser` `{UserName, SiteId}`; HTTP 200 for
///   every answer with `Cache-Control: no-cache, no-store` and `Content-Type: application/json; charset=utf-8`;
///   the three sample bodies (success with the "successfuly" typo, authentication failure with
///   `InvalidToken: false`, method failure with `Success: true`); `Authorization: Bearer <token>`.
///   `POST /Api/Sites/CreateUser` fields (kb/createuser-site-level).
/// SECONDARY: `POST /connect/token` (Hub identity server shape, form-encoded client credentials,
///   `{access_token, token_type, expires_in}`).
/// ASSUMED: the unknown-user, unknown-site, expired-token and duplicate-user answers; Api/Sites paths
///   matched case-insensitively (ASP.NET routing); OAuth error bodies (`invalid_request` too for a
///   token form naming a field twice or badly percent-encoded, as RFC 6749 §3.2 has it).
struct PagosEmulator: VendorEmulator {
    static let prefix = "/pagos"
    static let endpoints = "POST Api/Sites/DeleteUser, POST Api/Sites/CreateUser, POST connect/token"

    struct Settings: SeedSettings {
        /// Lifetime in seconds of the tokens `POST /pagos/connect/token` issues (`expires_in`).
        var tokenLifetime = 3600
        enum CodingKeys: String, CodingKey { case tokenLifetime = "pagos_token_lifetime" }
        init() {}
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tokenLifetime = try c.decodeIfPresent(Int.self, forKey: .tokenLifetime) ?? Self().tokenLifetime
        }
    }

    struct State: EmulatorState {
        var credentials: SandboxCredentials.Pagos
        var settings: Settings
        /// site id → users by UserName
        var sites: [Int: Table<PagosUser>] = [:]
        var siteOrder: [Int] = []
        /// issued access tokens → expiry (epoch s)
        var tokens: [String: Double] = [:]
        var tokenCounter = 0

        init(records: SandboxSeed.PagosData, credentials: SandboxCredentials.Pagos, settings: Settings) {
            self.credentials = credentials
            self.settings = settings
            for site in records.sites {
                if sites[site.siteId] == nil { siteOrder.append(site.siteId) }
                for u in site.users { sites[site.siteId, default: Table()].insert(u, key: u.userName) }
            }
        }

        /// Issued tokens survive a reset (client-side caches do).
        mutating func reset(to fresh: State) {
            let (tokens, counter) = (tokens, tokenCounter)
            self = fresh
            (self.tokens, tokenCounter) = (tokens, counter)
        }

        func records() -> SandboxSeed.PagosData {
            SandboxSeed.PagosData(sites: siteOrder.map { PagosSite(siteId: $0, users: sites[$0]?.values ?? []) })
        }
    }
    let state: LockedState<State>

    /// ASSUMED: ASP.NET Web API's default 404 body (without the URI: it is not a Pagos path)
    var outsidePrefix: Response {
        Reply.json(.notFound, .object([("Message", .string("No HTTP resource was found that matches the request URI."))]),
                   contentType: Self.contentType, extra: Self.headers)
    }

    static let headers: [(HTTPField.Name, String)] = [(.cacheControl, "no-cache, no-store")]
    static let contentType = "application/json; charset=utf-8"

    static func answer(userId: String? = nil, methodResponse: String?, success: Bool, invalidToken: Bool,
                       messages: [String]) -> Response {
        let body: JSON = .object([("UserId", .str(userId)), ("MethodResponse", .str(methodResponse)),
                                  ("Success", .bool(success)), ("InvalidToken", .bool(invalidToken)),
                                  ("Messages", .strings(messages))])
        return Reply.json(.ok, body, contentType: contentType, extra: headers)
    }

    // CONFIRMED samples
    static var removed: Response { answer(methodResponse: "User removed successfuly.", success: true, invalidToken: false, messages: []) }
    static var authFailure: Response {
        answer(methodResponse: nil, success: false, invalidToken: false,
               messages: ["The requested resource is restricted and your request did not provide a valid token."])
    }
    static func methodFailure(_ reason: String = "An error has occurred. Please try again!") -> Response {
        answer(methodResponse: reason, success: true, invalidToken: false, messages: [])
    }
    // ASSUMED
    static var expired: Response { answer(methodResponse: nil, success: false, invalidToken: true, messages: ["Token expired"]) }
    static var unknownSite: Response {
        answer(methodResponse: nil, success: false, invalidToken: false, messages: ["The requested site does not exist."])
    }

    func respond(to r: VendorRequest) -> Response {
        let route = r.components.joined(separator: "/")
        if route == "connect/token" {
            guard r.method == .post else { return Self.webApiNotAllowed(r) }
            return token(r)
        }
        let lower = route.lowercased()
        guard lower == "api/sites/deleteuser" || lower == "api/sites/createuser" else {
            // ASSUMED: ASP.NET Web API's default 404 body
            return Reply.json(.notFound, .object([("Message", .string("No HTTP resource was found that matches the request URI '\(r.path)'."))]),
                              contentType: Self.contentType, extra: Self.headers)
        }
        guard r.method == .post else { return Self.webApiNotAllowed(r) }

        // token: static, or issued by connect/token and not expired
        guard let auth = r.header(.authorization), auth.hasPrefix("Bearer ") else { return Self.authFailure }
        let token = String(auth.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        let now = Date().timeIntervalSince1970
        let (isStatic, expiry) = state.withLock { s in (token == s.credentials.token, s.tokens[token]) }
        if !isStatic {
            guard let expiry else { return Self.authFailure }
            if expiry <= now { return Self.expired }
        }

        guard let body = r.jsonObject, let siteId = intValue(body["SiteId"]) ?? (body["SiteId"] as? String).flatMap({ Int($0) })
        else { return Self.methodFailure() }
        guard let userName = body["UserName"] as? String, !userName.isEmpty else { return Self.methodFailure() }

        if lower == "api/sites/deleteuser" {
            enum Outcome { case site, user, ok }
            let outcome: Outcome = state.withLock { s in
                guard s.sites[siteId] != nil else { return .site }
                return s.sites[siteId]!.remove(userName) == nil ? .user : .ok
            }
            if outcome == .ok { r.noteEffect("deleted") }
            switch outcome {
            case .site: return Self.unknownSite
            case .user: return Self.methodFailure("User does not exist.")  // ASSUMED text, CONFIRMED shape
            case .ok: return Self.removed
            }
        }

        // CreateUser: all fields required (CONFIRMED list); the answer carries the new UserId.
        guard let first = body["FirstName"] as? String, let last = body["LastName"] as? String,
              let email = body["EmailAddress"] as? String, let role = intValue(body["RoleId"]),
              let groups = body["GroupId"] as? [Any], let password = body["Password"] as? String, !password.isEmpty
        else { return Self.methodFailure() }
        let groupIds = groups.compactMap { intValue($0) }
        let user = PagosUser(userName: userName, firstName: first, lastName: last, emailAddress: email,
                             roleId: role, groupId: groupIds)
        enum Created { case site, exists, ok }
        let created: Created = state.withLock { s in
            guard s.sites[siteId] != nil else { return .site }
            if s.sites[siteId]![userName] != nil { return .exists }
            s.sites[siteId]!.insert(user, key: userName)
            return .ok
        }
        switch created {
        case .site: return Self.unknownSite
        case .exists: return Self.methodFailure("User already exists.")  // ASSUMED
        case .ok:
            let id = String(SampleNames.hex("pagos:\(siteId):\(userName)").prefix(8))
            return Self.answer(userId: String(Int(id, radix: 16)! % 900_000 + 100_000), methodResponse: nil,
                               success: true, invalidToken: false, messages: [])
        }
    }

    static func webApiNotAllowed(_ r: VendorRequest) -> Response {
        // ASSUMED: ASP.NET Web API's default 405 body
        Reply.json(.methodNotAllowed,
                   .object([("Message", .string("The requested resource does not support http method '\(r.method.rawValue)'."))]),
                   contentType: contentType, extra: headers)
    }

    /// The form `connect/token` reads (each field at most once: RFC 6749 §3.2).
    struct TokenForm: Decodable {
        var grant_type: String?
        var client_id: String?
        var client_secret: String?
    }

    /// SECONDARY (Hub identity server): form `grant_type=client_credentials&client_id=…&client_secret=…`
    /// (client credentials in HTTP Basic are accepted too, as OAuth2 allows).
    func token(_ r: VendorRequest) -> Response {
        let oauthError: (String) -> Response = { code in
            Reply.json(.badRequest, .object([("error", .string(code))]), extra: Self.headers)  // ASSUMED (RFC 6749 §5.2)
        }
        guard let form = r.form(as: TokenForm.self) else { return oauthError("invalid_request") }
        var clientId = form.client_id, secret = form.client_secret
        if clientId == nil, let auth = r.header(.authorization), auth.hasPrefix("Basic "),
           let data = Data(base64Encoded: String(auth.dropFirst(6))), let pair = String(data: data, encoding: .utf8),
           let colon = pair.firstIndex(of: ":") {
            clientId = String(pair[..<colon]).removingPercentEncoding
            secret = String(pair[pair.index(after: colon)...]).removingPercentEncoding
        }
        guard let grant = form.grant_type, !grant.isEmpty else { return oauthError("invalid_request") }
        guard grant == "client_credentials" else { return oauthError("unsupported_grant_type") }
        let now = Date().timeIntervalSince1970
        let issued: (String, Int)? = state.withLock { s in
            guard clientId == s.credentials.clientId, secret == s.credentials.clientSecret else { return nil }
            s.tokenCounter += 1
            // deterministic, opaque-looking (the CONFIRMED sample token is opaque, 44 chars)
            let t = Data(SHA256.hash(data: Data("pagos-token:\(s.tokenCounter):\(s.credentials.clientSecret)".utf8)))
                .base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let lifetime = s.settings.tokenLifetime
            s.tokens[t] = now + Double(lifetime)
            return (t, lifetime)
        }
        guard let (tok, lifetime) = issued else { return oauthError("invalid_client") }
        return Reply.json(.ok, .object([("access_token", .string(tok)), ("expires_in", .int(lifetime)),
                                        ("token_type", .string("Bearer"))]), extra: Self.headers)
    }
}

extension SeedPartNames {
    /// `seed.pagos` (`"pagos": {"sites": [{"site_id": 1, "users": […]}]}`) and `seed.credentials.pagos`
    public var pagos: SeedPartName<SandboxSeed.PagosData, SandboxCredentials.Pagos> {
        SeedPartName(PagosEmulator.self)
    }
}
