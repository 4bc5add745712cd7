import Foundation
import HTTPTypes
import Hummingbird

/// A SCIM 2.0 service (RFC 7643 / RFC 7644), under `/scim/v2`: what `plugins/scim.lua` talks to
/// in rehearsals and tests, strict where the RFC is, so a client that passes here is not merely
/// tolerated. (PyPI's scim2-server is the independent, lenient one the tests also run against.)
///
/// From RFC 7644: Bearer auth, else 401 with a SCIM error body (§3.12: `schemas`, `status` as a
///   string, `scimType`, `detail`) and `WWW-Authenticate`; `GET Users` with `filter`, `startIndex`
///   (1-based; below 1 is 1) and `count` (negative is 0; at most `maxResults`) → a ListResponse
///   (§3.4.2); one `eq` comparison on userName, emails.value, externalId or id, the value a JSON
///   string, anything else 400 invalidFilter (`SCIMFilter`); `GET`/`DELETE`/`PATCH Users/{id}`,
///   404 for an unknown or deleted id; DELETE 204 (§3.6); PATCH a PatchOp or 400 invalidSyntax,
///   answered 200 with the resource (§3.5.2; `SCIMPatch`); ETags: `meta.version` and an `ETag`
///   header on every resource, `If-Match` on DELETE and PATCH, 412 when it is not the current one
///   (§3.14); `GET ServiceProviderConfig` (§4: patch and etag supported, filter maxResults 200);
///   every answer `application/scim+json`. 429 with `Retry-After` comes from fault injection.
struct SCIMEmulator: VendorEmulator {
    static let prefix = "/scim/v2"
    static let endpoints = "GET Users[?filter&startIndex&count], GET|PATCH|DELETE Users/{id}, GET ServiceProviderConfig"
    static let maxResults = 200
    static let contentType = "application/scim+json"
    static let errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
    static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"

    let state: LockedState<UserTable<SandboxCredentials.SCIM, SCIMUser>>

    var outsidePrefix: Response { Self.error(.notFound, nil, "no SCIM endpoint here: the service is under \(Self.prefix)") }

    static func error(_ status: HTTPResponse.Status, _ scimType: String?, _ detail: String,
                      extra: [(HTTPField.Name, String)] = []) -> Response {
        var fields: [(String, JSON)] = [("schemas", .strings([errorSchema])), ("status", .string(String(status.code)))]
        if let scimType { fields.append(("scimType", .string(scimType))) }
        fields.append(("detail", .string(detail)))
        return Reply.json(status, .object(fields), contentType: contentType, extra: extra)
    }

    func respond(to r: VendorRequest) -> Response {
        let c = r.components
        enum Route { case users, user(String), config }
        let route: Route
        switch (c.count, c.first) {
        case (1, "Users"): route = .users
        case (2, "Users") where !c[1].isEmpty: route = .user(c[1])
        case (1, "ServiceProviderConfig"): route = .config
        default: return Self.error(.notFound, nil, "no SCIM endpoint at \(r.path)")
        }
        switch (route, r.method) {
        case (.users, .get), (.config, .get), (.user, .get), (.user, .delete), (.user, .patch): break
        default: return Self.error(.methodNotAllowed, nil, "\(r.method.rawValue) is not supported at \(r.path)")
        }
        let authorized = state.withLock { s in r.header(.authorization) == "Bearer " + s.credentials.token }
        guard authorized else {
            return Self.error(.unauthorized, nil, "Authorization failure: the bearer token is missing or invalid",
                              extra: [(.wwwAuthenticate, "Bearer realm=\"scim\"")])
        }
        switch route {
        case .config: return Self.serviceProviderConfig
        case .users: return list(r)
        case .user(let id):
            switch r.method {
            case .get:
                guard let u = state.withLock({ $0.users[id] }) else { return Self.unknown(id) }
                return Self.resource(.ok, u)
            case .delete: return delete(id, r)
            default: return patch(id, r)
            }
        }
    }

    static func unknown(_ id: String) -> Response { error(.notFound, nil, "User \(id) not found") }

    static func resource(_ status: HTTPResponse.Status, _ u: SCIMUser) -> Response {
        Reply.json(status, userJSON(u), contentType: contentType, extra: [(.eTag, u.etag)])
    }

    func list(_ r: VendorRequest) -> Response {
        let q = r.query
        var filter: SCIMFilter?
        if let text = q.get("filter") {
            do { filter = try SCIMFilter(parsing: text) } catch let e as SCIMFilter.Invalid {
                return Self.error(.badRequest, "invalidFilter", e.detail)
            } catch { return Self.error(.badRequest, "invalidFilter", "\(error)") }
        }
        var start = 1, count = Self.maxResults
        if let s = q.get("startIndex") {
            guard let v = Int(s) else { return Self.error(.badRequest, "invalidValue", "startIndex must be an integer") }
            start = max(v, 1)                         // §3.4.2.4: below 1 is 1
        }
        if let n = q.get("count") {
            guard let v = Int(n) else { return Self.error(.badRequest, "invalidValue", "count must be an integer") }
            count = min(max(v, 0), Self.maxResults)   // §3.4.2.4: negative is 0
        }
        let (page, total): ([SCIMUser], Int) = state.withLock { s in
            guard let filter else { return (s.users.slice(from: start - 1, count: count), s.users.count) }
            let matching = s.users.values.filter(filter.matches)
            return (Array(matching.dropFirst(start - 1).prefix(count)), matching.count)
        }
        return Reply.json(.ok, .object([
            ("schemas", .strings(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])),
            ("totalResults", .int(total)), ("startIndex", .int(start)), ("itemsPerPage", .int(page.count)),
            ("Resources", .array(page.map(Self.userJSON))),
        ]), contentType: Self.contentType)
    }

    /// nil when `If-Match` is absent, `*`, or the user's current ETag; else the 412.
    static func precondition(_ r: VendorRequest, _ u: SCIMUser) -> Response? {
        guard let wanted = r.header(.ifMatch), wanted != "*", wanted != u.etag else { return nil }
        return error(.preconditionFailed, nil, "If-Match \(wanted) is not the current version \(u.etag) of User \(u.id)")
    }

    func delete(_ id: String, _ r: VendorRequest) -> Response {
        let refused: Response? = state.withLock { s in
            guard let u = s.users[id] else { return Self.unknown(id) }
            if let failed = Self.precondition(r, u) { return failed }
            s.users.remove(id)
            return nil
        }
        if let refused { return refused }
        r.noteEffect("deleted")
        return Response(status: .noContent)
    }

    func patch(_ id: String, _ r: VendorRequest) -> Response {
        let change: SCIMPatch
        do { change = try SCIMPatch(Data(r.body.readableBytesView)) } catch let e as SCIMPatch.Invalid {
            return Self.error(.badRequest, e.scimType, e.detail)
        } catch { return Self.error(.badRequest, "invalidSyntax", "\(error)") }
        let result: Result<SCIMUser, Refusal> = state.withLock { s in
            guard var u = s.users[id] else { return .failure(Refusal(Self.unknown(id))) }
            if let failed = Self.precondition(r, u) { return .failure(Refusal(failed)) }
            u.active = change.active
            u.version += 1
            s.users[id] = u
            return .success(u)
        }
        switch result {
        case .failure(let refusal): return refusal.response
        case .success(let u):
            r.noteEffect(u.active ? "activated" : "deactivated")
            return Self.resource(.ok, u)
        }
    }

    struct Refusal: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    static var serviceProviderConfig: Response {
        Reply.json(.ok, .object([
            ("schemas", .strings(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])),
            ("patch", .object([("supported", .bool(true))])),
            ("bulk", .object([("supported", .bool(false)), ("maxOperations", .int(0)), ("maxPayloadSize", .int(0))])),
            ("filter", .object([("supported", .bool(true)), ("maxResults", .int(maxResults))])),
            ("changePassword", .object([("supported", .bool(false))])),
            ("sort", .object([("supported", .bool(false))])),
            ("etag", .object([("supported", .bool(true))])),
            ("authenticationSchemes", .array([.object([
                ("type", .string("oauthbearertoken")), ("name", .string("OAuth Bearer Token")),
                ("description", .string("Authentication with a static bearer token")),
            ])])),
        ]), contentType: contentType)
    }

    static func userJSON(_ u: SCIMUser) -> JSON {
        var fields: [(String, JSON)] = [("schemas", .strings([userSchema])), ("id", .string(u.id))]
        if let e = u.externalId { fields.append(("externalId", .string(e))) }
        fields.append(("userName", .string(u.userName)))
        if u.givenName != nil || u.familyName != nil {
            fields.append(("name", .object([("givenName", .str(u.givenName)), ("familyName", .str(u.familyName))])))
        }
        fields.append(("emails", .array(u.emails.enumerated().map { i, e in
            .object([("value", .string(e)), ("primary", .bool(i == 0))])
        })))
        fields.append(("active", .bool(u.active)))
        fields.append(("meta", .object([("resourceType", .string("User")), ("version", .string(u.etag))])))
        return .object(fields)
    }
}

extension SeedPartNames {
    /// `seed.scim` (`"scim": {"users": […]}`) and `seed.credentials.scim`
    public var scim: SeedPartName<SeedUsers<SCIMUser>, SandboxCredentials.SCIM> {
        SeedPartName(SCIMEmulator.self)
    }
}
