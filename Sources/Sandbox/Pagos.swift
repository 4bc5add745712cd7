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
///   matched case-insensitively (ASP.NET routing); OAuth error bodies.
enum Pagos {
    static let prefix = "/pagos"
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

    static func handle(_ r: VendorRequest, state: SandboxState) -> Response {
        let route = r.components.joined(separator: "/")
        if route == "connect/token" {
            guard r.method == .post else { return webApiNotAllowed(r) }
            return token(r, state: state)
        }
        let lower = route.lowercased()
        guard lower == "api/sites/deleteuser" || lower == "api/sites/createuser" else {
            // ASSUMED: ASP.NET Web API's default 404 body
            return Reply.json(.notFound, .object([("Message", .string("No HTTP resource was found that matches the request URI '\(r.path)'."))]),
                              contentType: contentType, extra: headers)
        }
        guard r.method == .post else { return webApiNotAllowed(r) }

        // token: static, or issued by connect/token and not expired
        guard let auth = r.header(.authorization), auth.hasPrefix("Bearer ") else { return authFailure }
        let token = String(auth.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        let now = Date().timeIntervalSince1970
        let (static_, expiry) = state.core.withLock { c in (c.seed.credentials.pagos.token, c.pagosTokens[token]) }
        if token != static_ {
            guard let expiry else { return authFailure }
            if expiry <= now { return expired }
        }

        guard let body = r.jsonObject, let siteId = intValue(body["SiteId"]) ?? (body["SiteId"] as? String).flatMap({ Int($0) })
        else { return methodFailure() }
        guard let userName = body["UserName"] as? String, !userName.isEmpty else { return methodFailure() }

        if lower == "api/sites/deleteuser" {
            enum Outcome { case site, user, ok }
            let outcome: Outcome = state.core.withLock { c in
                guard c.vendors.pagos[siteId] != nil else { return .site }
                return c.vendors.pagos[siteId]!.remove(userName) == nil ? .user : .ok
            }
            if outcome == .ok { state.noteEffect("deleted") }
            switch outcome {
            case .site: return unknownSite
            case .user: return methodFailure("User does not exist.")  // ASSUMED text, CONFIRMED shape
            case .ok: return removed
            }
        }

        // CreateUser: all fields required (CONFIRMED list); the answer carries the new UserId.
        guard let first = body["FirstName"] as? String, let last = body["LastName"] as? String,
              let email = body["EmailAddress"] as? String, let role = intValue(body["RoleId"]),
              let groups = body["GroupId"] as? [Any], let password = body["Password"] as? String, !password.isEmpty
        else { return methodFailure() }
        let groupIds = groups.compactMap { intValue($0) }
        let user = PagosUser(userName: userName, firstName: first, lastName: last, emailAddress: email,
                             roleId: role, groupId: groupIds)
        enum Created { case site, exists, ok }
        let created: Created = state.core.withLock { c in
            guard c.vendors.pagos[siteId] != nil else { return .site }
            if c.vendors.pagos[siteId]![userName] != nil { return .exists }
            c.vendors.pagos[siteId]!.insert(user, key: userName)
            return .ok
        }
        switch created {
        case .site: return unknownSite
        case .exists: return methodFailure("User already exists.")  // ASSUMED
        case .ok:
            let id = String(SandboxSeed.hex("pagos:\(siteId):\(userName)").prefix(8))
            return answer(userId: String(Int(id, radix: 16)! % 900_000 + 100_000), methodResponse: nil,
                          success: true, invalidToken: false, messages: [])
        }
    }

    static func webApiNotAllowed(_ r: VendorRequest) -> Response {
        // ASSUMED: ASP.NET Web API's default 405 body
        Reply.json(.methodNotAllowed,
                   .object([("Message", .string("The requested resource does not support http method '\(r.method.rawValue)'."))]),
                   contentType: contentType, extra: headers)
    }

    /// SECONDARY (Hub identity server): form `grant_type=client_credentials&client_id=…&client_secret=…`
    /// (client credentials in HTTP Basic are accepted too, as OAuth2 allows).
    static func token(_ r: VendorRequest, state: SandboxState) -> Response {
        let form = parseFormEncoded(String(decoding: r.body.readableBytesView, as: UTF8.self))
        var clientId = form["client_id"], secret = form["client_secret"]
        if clientId == nil, let auth = r.header(.authorization), auth.hasPrefix("Basic "),
           let data = Data(base64Encoded: String(auth.dropFirst(6))), let pair = String(data: data, encoding: .utf8),
           let colon = pair.firstIndex(of: ":") {
            clientId = String(pair[..<colon]).removingPercentEncoding
            secret = String(pair[pair.index(after: colon)...]).removingPercentEncoding
        }
        let oauthError: (String) -> Response = { code in
            Reply.json(.badRequest, .object([("error", .string(code))]), extra: headers)  // ASSUMED (RFC 6749 §5.2)
        }
        guard let grant = form["grant_type"], !grant.isEmpty else { return oauthError("invalid_request") }
        guard grant == "client_credentials" else { return oauthError("unsupported_grant_type") }
        let now = Date().timeIntervalSince1970
        let issued: (String, Int)? = state.core.withLock { c in
            let creds = c.seed.credentials.pagos
            guard clientId == creds.clientId, secret == creds.clientSecret else { return nil }
            c.pagosTokenCounter += 1
            // deterministic, opaque-looking (the CONFIRMED sample token is opaque, 44 chars)
            let t = Data(SHA256.hash(data: Data("pagos-token:\(c.pagosTokenCounter):\(creds.clientSecret)".utf8)))
                .base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let lifetime = c.seed.settings.pagosTokenLifetime
            c.pagosTokens[t] = now + Double(lifetime)
            return (t, lifetime)
        }
        guard let (tok, lifetime) = issued else { return oauthError("invalid_client") }
        return Reply.json(.ok, .object([("access_token", .string(tok)), ("expires_in", .int(lifetime)),
                                        ("token_type", .string("Bearer"))]), extra: headers)
    }
}
