import Foundation
import HTTPTypes
import Hummingbird

/// CubiCasa Integrate API v3 emulator, under `/cubicasa/api/integrate/v3` (docs/vendors.md, cubicasa).
///
/// CONFIRMED: `api-key` header; `GET /users` items `{id, email, name, surname, role, email_confirmed,
///   created_at}` inside `{"pagination":{"has_more","limit","next_offset","previous_offset"},"items"}`,
///   `limit` default 20, `offset`; the documented `next_offset` literal (offset 0, limit 20 → 21);
///   `DELETE /users/{user_id}` → 200 `{"message":"User <email> was deleted successfully"}`.
/// ASSUMED: offsets are 1-based when > 0 (start index = max(offset-1, 0)). That is the reading of the
///   CONFIRMED literal that skips nobody: page 1 = offset 0 → items 0…19, next_offset 21 → items 20…39.
///   `previous_offset` follows the same rule (0 for the first page). `pagination.limit` echoes the
///   effective limit: the `"limit": 0` of the users sample is NOT reproduced (plugins must not rely on it).
///   Error bodies in FastAPI style: 404 `{"detail":"Not Found"}`, 401 `{"detail":"Not authenticated"}`,
///   405 `{"detail":"Method Not Allowed"}`, 422 for a bad limit/offset. `GET /users/{email}` (the
///   "Get user by email" page was not retrievable: path ASSUMED) returns one user object.
struct CubiCasaEmulator: VendorEmulator {
    static let prefix = "/cubicasa/api/integrate/v3"
    static let endpoints = "GET users[?limit&offset], GET users/{email}, DELETE users/{id}"

    let state: LockedState<State>

    /// Its users, also by email.
    struct State: EmulatorState {
        var table: UserTable<SandboxCredentials.CubiCasa, CubiCasaUser>
        /// lower-cased email → id
        var idByEmail: [String: String] = [:]

        init(records: SeedUsers<CubiCasaUser>, credentials: SandboxCredentials.CubiCasa, settings: NoSettings) {
            table = UserTable(records: records, credentials: credentials, settings: settings)
            for u in records.users { idByEmail[u.email.lowercased()] = u.id }
        }

        func records() -> SeedUsers<CubiCasaUser> { table.records() }
    }

    var outsidePrefix: Response { Self.notFound }

    static func detail(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Reply.json(status, .object([("detail", .string(text))]))
    }
    static let notFoundC = Canned(.notFound, .object([("detail", .string("Not Found"))]))
    static let unauthenticatedC = Canned(.unauthorized, .object([("detail", .string("Not authenticated"))]))
    static var notFound: Response { notFoundC.response }

    func respond(to r: VendorRequest) -> Response {
        let c = r.components
        guard c.first == "users", c.count <= 2 else { return Self.notFound }
        if c.count == 1 || (c.count == 2 && c[1].isEmpty) {
            guard r.method == .get else { return Self.detail(.methodNotAllowed, "Method Not Allowed") }
        } else {
            guard r.method == .get || r.method == .delete else { return Self.detail(.methodNotAllowed, "Method Not Allowed") }
        }
        let key = r.header(.apiKey)
        guard state.withLock({ key == $0.table.credentials.apiKey }) else { return Self.unauthenticatedC.response }
        if c.count == 1 || c[1].isEmpty { return list(r) }
        let id = c[1]
        if r.method == .delete {
            guard let removed: CubiCasaUser = state.withLock({ s in
                guard let u = s.table.users.remove(id) else { return nil }
                s.idByEmail.removeValue(forKey: u.email.lowercased())
                return u
            }) else { return Self.notFound }
            r.noteEffect("deleted")
            return Reply.json(.ok, .object([("message", .string("User \(removed.email) was deleted successfully"))]))
        }
        // GET /users/{email} (ASSUMED path)
        guard let u = state.withLock({ s in s.idByEmail[id.lowercased()].flatMap { s.table.users[$0] } }) else { return Self.notFound }
        return Reply.json(.ok, Self.userJSON(u))
    }

    func list(_ r: VendorRequest) -> Response {
        let q = r.query
        var limit = 20, offset = 0
        if let l = q.get("limit") {
            guard let v = Int(l), v >= 1 else { return Self.detail(.unprocessableContent, "limit must be a positive integer") }
            limit = v
        }
        if let o = q.get("offset") {
            guard let v = Int(o), v >= 0 else { return Self.detail(.unprocessableContent, "offset must be a non-negative integer") }
            offset = v
        }
        let start = max(offset - 1, 0)
        let (items, total) = state.withLock { s in (s.table.users.slice(from: start, count: limit), s.table.users.count) }
        let offsetOf: (Int) -> Int = { $0 == 0 ? 0 : $0 + 1 }  // start index → 1-based offset (0 = first page)
        let pagination: JSON = .object([
            ("has_more", .bool(start + limit < total)),
            ("limit", .int(limit)),
            ("next_offset", .int(offsetOf(start + limit))),
            ("previous_offset", .int(offsetOf(max(start - limit, 0)))),
        ])
        return Reply.json(.ok, .object([("pagination", pagination), ("items", .array(items.map(Self.userJSON)))]))
    }

    static func userJSON(_ u: CubiCasaUser) -> JSON {
        .object([("id", .string(u.id)), ("email", .string(u.email)), ("name", .str(u.name)),
                 ("surname", .str(u.surname)), ("role", .string(u.role)),
                 ("email_confirmed", .bool(u.emailConfirmed)), ("created_at", .double(u.createdAt))])
    }
}

extension HTTPField.Name {
    static let apiKey = HTTPField.Name("api-key")!
}

extension SeedPartNames {
    /// `seed.cubicasa` (`"cubicasa": {"users": […]}`) and `seed.credentials.cubicasa`
    public var cubicasa: SeedPartName<SeedUsers<CubiCasaUser>, SandboxCredentials.CubiCasa> {
        SeedPartName(CubiCasaEmulator.self)
    }
}
