import HTTPTypes
import Hummingbird

/// A toy vendor under `/toy/api/v1`: `GET users[?email=]`, `GET`/`DELETE users/{id}`, key in `x-toy-key`.
struct ToyEmulator: VendorEmulator {
    static let prefix = "/toy/api/v1"
    static let endpoints = "GET users[?email=], GET|DELETE users/{id}"
    static let defaultCredentials = SandboxCredentials.Toy(key: "sandbox-toy-key")
    static var defaultRecords: SeedUsers<ToyUser> {
        SeedUsers(users: [ToyUser(id: "ada", email: SandboxSeed.Sample.adaEmail),
                          ToyUser(id: "grace", email: SandboxSeed.Sample.graceEmail)])
    }
    let state: LockedState<UserTable<SandboxCredentials.Toy, ToyUser>>

    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SeedUsers<ToyUser>) {
        for i in people { records.users.append(ToyUser(id: "toy-\(i)", email: SandboxSeed.GeneratedPerson(index: i).email)) }
    }

    static func config(baseURL: String, credentials: SandboxCredentials.Toy) -> String {
        "base_url = \(toml(baseURL + prefix))\nkey = \(toml(credentials.key))"
    }

    var outsidePrefix: Response { Reply.json(.notFound, .object([("error", .string("not found"))])) }

    func respond(to r: VendorRequest) -> Response {
        let c = r.components
        guard c.first == "users", c.count <= 2 else { return outsidePrefix }
        let key = r.header(HTTPField.Name("x-toy-key")!)
        guard state.withLock({ key == $0.credentials.key }) else {
            return Reply.json(.unauthorized, .object([("error", .string("bad key"))]))
        }
        switch (c.count, r.method) {
        case (1, .get):
            let email = r.query.get("email")
            let users = state.withLock { $0.users.values }.filter { email == nil || $0.email == email }
            return Reply.json(.ok, .array(users.map { .object([("id", .string($0.id)), ("email", .string($0.email))]) }))
        case (2, .get):
            guard let u = state.withLock({ $0.users[c[1]] }) else { return outsidePrefix }
            return Reply.json(.ok, .object([("id", .string(u.id)), ("email", .string(u.email))]))
        case (2, .delete):
            guard state.withLock({ $0.users.remove(c[1]) }) != nil else { return outsidePrefix }
            r.noteEffect("deleted")
            return Reply.json(.ok, .object([("deleted", .bool(true))]))
        default:
            return Reply.json(.methodNotAllowed, .object([("error", .string("method not allowed"))]))
        }
    }
}

public struct ToyUser: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var email: String
}

extension SandboxCredentials {
    public struct Toy: Codable, Sendable, Equatable, SeedPart {
        public var key: String
    }
}

extension SeedPartNames {
    /// `seed.toy` (`"toy": {"users": […]}`) and `seed.credentials.toy`
    public var toy: SeedPartName<SeedUsers<ToyUser>, SandboxCredentials.Toy> {
        SeedPartName(ToyEmulator.self)
    }
}
