import Foundation
import NIOHTTP1
import XCTest

/// Issue 16 against an independent SCIM server (PyPI's scim2-server, lenient where the sandbox's
/// service is strict): users created through its own SCIM API, then the built binary looks them
/// up by each identity key, plans without sending, suspends, deletes and deletes again; a 429
/// with Retry-After (from a proxy in front of it) is waited; a wrong token is `failed` with the
/// server's SCIM `detail`.
final class SCIMInteropTests: XCTestCase {
    static let token = "interop-bearer-token-5e1f"

    /// The sandbox's config plus `[vendors.directory]` on scim2-server and `[vendors.throttled]`
    /// on the proxy in front of it.
    func start(proxy: ThrottlingProxy?, server: SCIM2Server) async throws -> E2E {
        try await E2E { toml in
            var out = toml + """

                [vendors.directory]
                plugin = "scim"
                base_url = "\(server.base)"
                token = "env:DIRECTORY_TOKEN"

                """
            if let proxy {
                out += """

                    [vendors.throttled]
                    plugin = "scim"
                    base_url = "http://127.0.0.1:\(proxy.port)/v2"
                    token = "env:DIRECTORY_TOKEN"

                    """
            }
            return out
        }
    }

    func testLookupDryRunSuspendDeleteAndDeleteAgainAgainstScim2Server() async throws {
        let server = try await SCIM2Server(token: Self.token)
        defer { server.stop() }
        let quoted = try await server.createUser(userName: #"o"brien"#, email: "ob@example.com", externalId: "ext-ob-1")
        let ada = try await server.createUser(userName: "ada.lovelace", email: "ada@example.com", externalId: "ext-ada-1")
        for i in 1...3 {
            _ = try await server.createUser(userName: "other\(i)", email: "other\(i)@example.com", externalId: "ext-o-\(i)")
        }
        let e = try await start(proxy: nil, server: server)
        let env = ["DIRECTORY_TOKEN": Self.token]
        func run(_ args: [String]) throws -> E2E.Result { try e.erasure(args + ["--json", "--no-journal"], env: env) }

        for (identity, id) in [("userName=o\"brien", quoted), ("email=OB@example.com", quoted), ("externalId=ext-ob-1", quoted),
                               ("id=\(quoted)", quoted), ("userName=ada.lovelace", ada)] {
            let r = try e.erasure(["lookup", "directory", identity, "--json"], env: env)
            XCTAssertEqual(r.status, 0, r.all)
            XCTAssertEqual(r.lines.last?["outcome"] as? String, "found", identity + "\n" + r.all)
            XCTAssertEqual((r.lines.last?["record"] as? [String: Any])?["id"] as? String, id, identity)
        }

        let plan = try run(["delete", "directory", "userName=o\"brien", "--dry-run"])
        XCTAssertEqual(plan.lines.last?["outcome"] as? String, "planned", plan.all)
        let pausePlan = try run(["suspend", "directory", "userName=o\"brien", "--dry-run"])
        XCTAssertEqual(pausePlan.lines.last?["outcome"] as? String, "planned", pausePlan.all)
        let (stillThere, record, _) = try await server.request(.GET, "/Users/\(quoted)")
        XCTAssertEqual(stillThere, 200, "a dry run deletes nothing")
        XCTAssertEqual(record?["active"] as? Bool, true, "a dry run suspends nobody")

        let pause = try run(["suspend", "directory", "email=ob@example.com"])
        XCTAssertEqual(pause.status, 0, pause.all)
        XCTAssertEqual(pause.lines.last?["outcome"] as? String, "suspended", pause.all)
        let (_, paused, _) = try await server.request(.GET, "/Users/\(quoted)")
        XCTAssertEqual(paused?["active"] as? Bool, false)

        let del = try run(["delete", "directory", "externalId=ext-ob-1"])
        XCTAssertEqual(del.status, 0, del.all)
        XCTAssertEqual(del.lines.last?["outcome"] as? String, "deleted", del.all)
        XCTAssertEqual(del.lines.last?["verified"] as? Bool, true, del.all)
        let (gone, _, _) = try await server.request(.GET, "/Users/\(quoted)")
        XCTAssertEqual(gone, 404)
        let again = try run(["delete", "directory", "externalId=ext-ob-1"])
        XCTAssertEqual(again.status, 0, again.all)
        XCTAssertEqual(again.lines.last?["outcome"] as? String, "not_found", again.all)
        let againById = try run(["delete", "directory", "id=\(quoted)"])
        XCTAssertEqual(againById.lines.last?["outcome"] as? String, "not_found", againById.all)

        let (adaStays, _, _) = try await server.request(.GET, "/Users/\(ada)")
        XCTAssertEqual(adaStays, 200, "only the person asked for was deleted")
        await e.shutdown()
    }

    func testA429IsWaitedAndA401IsFailedWithTheScimDetail() async throws {
        let server = try await SCIM2Server(token: Self.token)
        defer { server.stop() }
        let proxy = try await ThrottlingProxy(to: server.port, throttling: "DELETE", count: 1)
        defer { proxy.stop() }
        let ada = try await server.createUser(userName: "ada.lovelace", email: "ada@example.com", externalId: "ext-ada-1")
        let e = try await start(proxy: proxy, server: server)

        let started = Date()
        let r = try e.erasure(["delete", "throttled", "email=ada@example.com", "--json", "--no-journal"],
                              env: ["DIRECTORY_TOKEN": Self.token])
        XCTAssertEqual(r.status, 0, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.0, "Retry-After: 1 was waited")
        XCTAssertEqual(proxy.answered.filter { $0.hasPrefix("DELETE ") }, ["DELETE 429", "DELETE 204"])
        let (gone, _, _) = try await server.request(.GET, "/Users/\(ada)")
        XCTAssertEqual(gone, 404)

        let grace = try await server.createUser(userName: "grace.hopper", email: "grace@example.com", externalId: "ext-g-1")
        let denied = try e.erasure(["delete", "directory", "email=grace@example.com", "--json", "--no-journal"],
                                   env: ["DIRECTORY_TOKEN": "a-wrong-token-1234"])
        XCTAssertEqual(denied.status, 1, denied.all)
        XCTAssertEqual(denied.lines.last?["outcome"] as? String, "failed", denied.all)
        XCTAssertTrue((denied.lines.last?["message"] as? String ?? "").contains("SCIM error 401: Authorization failure"), denied.all)
        XCTAssertFalse(denied.all.contains("a-wrong-token-1234"))
        let (stays, _, _) = try await server.request(.GET, "/Users/\(grace)")
        XCTAssertEqual(stays, 200)
        await e.shutdown()
    }
}
