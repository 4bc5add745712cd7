import Foundation
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
@testable import ErasureRun
import ErasureTesting

/// No secret surfaces, in any encoding, in what a run produces: outcomes, logs, errors, the journal.
final class RunnerSecretsTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    // MARK: 9. Secrets never surface

    func testNoSecretSurfacesInAnyOutputLogJournalOrError() async throws {
        let secrets = [
            "token": "tok-ENV-Zq81xK3vP9",            // env:
            "api_key": "key/ENV+Hn27 wQ9&cM4=z",     // env: (characters that get encoded)
            "client_secret": "cs@FILE:Yb53r%T6uD1",   // file:
            "jwt_secret": "jwt-FILE-Lp94sA2eV7",      // file:
            "password": "lit-LIT-Wx18gF4nB2",         // literal (warned)
        ]
        try fx.write("secrets/client_secret.txt", secrets["client_secret"]! + "\n")
        try fx.write("secrets/jwt.txt", secrets["jwt_secret"]!)
        try fx.plugin("acme", config: """
            token = { required = true, secret = true }, api_key = { required = true, secret = true },
            client_secret = { required = true, secret = true }, jwt_secret = { required = true, secret = true },
            password = { required = true, secret = true }, client_id = { required = true },
            token_url = { required = true }, other_base = {}
            """, body: """
            local function src(ctx)
              return ctx.auth.oauth2{ token_url = ctx.config.token_url, client_id = ctx.config.client_id,
                                      client_secret = ctx.config.client_secret }
            end
            local function everything(ctx)
              local c = ctx.config
              return { token = c.token, api_key = c.api_key, client_secret = c.client_secret,
                       jwt_secret = c.jwt_secret, password = c.password }
            end
            local function headers(ctx)
              local h = ctx.auth.basic(ctx.config.client_id, ctx.config.password)
              h["X-Api-Key"] = ctx.config.api_key
              h["X-Token"] = ctx.config.token
              return h
            end
            function plugin.lookup(ctx, user)
              ctx.log.info("lookup with token", ctx.config.token, "and key", ctx.config.api_key)
              if user.id == "ok" then return nil end   -- deleted (the lookup that verifies it)
              return { id = user.id, secrets = everything(ctx) }
            end
            function plugin.delete(ctx, user)
              local c, base = ctx.config, ctx.config.base_url
              ctx.log.warn("delete", user.id, "token=" .. c.token, "secret=" .. c.client_secret,
                           "jwt=" .. c.jwt_secret, "pw=" .. c.password, "key=" .. c.api_key)
              ctx.log.error(ctx.json.encode(everything(ctx)))
              if user.id == "ok" then
                local r = ctx.http.post(base .. "/echo/ok", { headers = headers(ctx), json = everything(ctx),
                                                             query = { key = c.api_key } })
                return { outcome = "deleted", message = "vendor said " .. r.body, vendor_id = c.token }
              elseif user.id == "vendor-error" then
                local r = ctx.http.post(base .. "/echo/err", { headers = headers(ctx), json = everything(ctx),
                                                              query = { key = c.api_key, status = "400" } })
                error({ message = "vendor refused: " .. r.body, retryable = false })
              elseif user.id == "lua-error" then
                error("cannot use " .. c.token .. " / " .. c.client_secret .. " / " .. c.jwt_secret .. " / " .. c.password)
              elseif user.id == "host-refused" then
                ctx.http.get(c.other_base .. "/echo/x", { query = { key = c.api_key, token = c.token } })
              elseif user.id == "oauth" then
                local tok = ctx.auth.token(src(ctx))
                local r = ctx.http.get(base .. "/echo/oauth", { headers = ctx.auth.bearer(tok) })
                ctx.log.warn("got access token " .. tok)
                return { outcome = "failed", message = "echo: " .. r.body .. " token " .. tok }
              elseif user.id == "jwt" then
                local j = ctx.auth.jwt{ alg = "HS256", key = c.jwt_secret, claims = { sub = user.id }, lifetime = 60 }
                local r = ctx.http.get(base .. "/echo/jwt", { headers = ctx.auth.bearer(j), query = { status = "500" } })
                return { outcome = "failed", message = "jwt " .. j .. " answered " .. r.body }
              elseif user.id == "url-secret" then
                local r = ctx.http.delete(ctx.url(base, "echo", "users", c.token),
                                          { query = { status = "404", sig = c.jwt_secret } })
                error({ message = "no such user at " .. r.json().target })
              end
              return { outcome = "deleted", message = "nothing" }
            end
            """)
        try acmeConfig("""
            token = "env:ACME_TOKEN"
            api_key = "env:ACME_API_KEY"
            client_secret = "file:secrets/client_secret.txt"
            jwt_secret = "file:\(fx.dir.appendingPathComponent("secrets/jwt.txt").path)"
            password = "\(secrets["password"]!)"
            client_id = "acme-client"
            token_url = "\(server.base)/token"
            other_base = "\(server.otherHostBase)"
            """)
        let environment = ["ACME_TOKEN": secrets["token"]!, "ACME_API_KEY": secrets["api_key"]!]
        let journal = fx.dir.appendingPathComponent("journal.sqlite").path
        let ids = ["ok", "vendor-error", "lua-error", "host-refused", "oauth", "jwt", "url-secret"]

        var captured: [String] = []
        var outcomes: [Outcome] = []

        let (_, stderrText) = try await capturingStderr { () async throws -> Void in
            for dryRun in [false, true] {
                let engine = try await fx.start(dryRun: dryRun, environment: environment, logLevel: .debug)
                for id in ids {
                    switch await Runner(engine: engine).single(vendor: "acme", action: .delete, user: ["id": id],
                                                      journalPath: dryRun ? nil : journal, argv: ["delete", "acme", "id=\(id)"]) {
                    case .success(let o): outcomes.append(o)
                    case .failure(let e): captured.append("\(e)")
                    }
                }
                outcomes.append(try await engine.act(action: .lookup, ["id": "lookup"]))
                await engine.shutdown()
            }
        }
        for o in outcomes {
            captured += [o.jsonLine(), o.message, o.recordJSON ?? "", o.excerpt ?? "", o.vendorID ?? ""]
            captured += o.requests.map { "\($0.method) \($0.url) \($0.body ?? "") \($0.error ?? "")" }
        }
        // (The command line's rendering of these outcomes is checked for secrets end to end.)
        captured.append(stderrText)
        var journalBytes: [UInt8] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: fx.dir.path) where name.hasPrefix("journal.sqlite") {
            journalBytes += Array(try Data(contentsOf: fx.dir.appendingPathComponent(name)))
        }

        // The run really used every secret (so a redaction failure would show) ...
        let seen = await server.seen.requests
        let wire = seen.map { "\($0.target) \($0.headers) \($0.body)" }.joined(separator: "\n")
        for (name, value) in secrets where name != "password" {
            XCTAssertTrue(wire.contains(value), "\(name) was sent to the vendor")
        }
        XCTAssertTrue(wire.contains(Data("acme-client:\(secrets["password"]!)".utf8).base64EncodedString()))
        let accessTokens = seen.filter { $0.target.hasPrefix("/echo/oauth") }.compactMap { $0.headers["authorization"] }
            .map { String($0.dropFirst("Bearer ".count)) }
        let jwts = seen.filter { $0.target.hasPrefix("/echo/jwt") }.compactMap { $0.headers["authorization"] }
            .map { String($0.dropFirst("Bearer ".count)) }
        XCTAssertEqual(accessTokens.count, 2)
        XCTAssertEqual(jwts.count, 2)
        XCTAssertEqual(outcomes.count, 2 * (ids.count + 1))
        XCTAssertTrue(outcomes.contains { $0.kind == .planned }, "the dry run planned something")
        XCTAssertTrue(outcomes.contains { $0.kind == .deleted })
        XCTAssertTrue(outcomes.contains { $0.kind == .failed && $0.httpStatus == 400 })
        XCTAssertTrue(stderrText.contains("[acme]") && stderrText.contains("token=***"), "logs were captured: \(stderrText)")
        XCTAssertTrue(stderrText.contains("literal"), "the literal secret was warned about")
        XCTAssertGreaterThan(journalBytes.count, 0, "a journal was written")

        // ... and nothing that came out shows any of them.
        var forbidden = Array(secrets.values) + accessTokens + jwts
        forbidden.append(Data("acme-client:\(secrets["password"]!)".utf8).base64EncodedString())
        // Also the forms a secret takes on the wire, computed independently of the redactor.
        for secret in Array(secrets.values) {
            var unreserved = CharacterSet.alphanumerics
            unreserved.insert(charactersIn: "-._~")
            forbidden.append(secret.addingPercentEncoding(withAllowedCharacters: unreserved)!)
            let json = String(decoding: try JSONSerialization.data(withJSONObject: [secret]), as: UTF8.self)
            forbidden.append(String(json.dropFirst(2).dropLast(2)))  // ["…"] → …
            forbidden.append(Data(secret.utf8).base64EncodedString())
        }
        forbidden = Array(Set(forbidden))
        let everything = captured.joined(separator: "\n")
        for secret in forbidden {
            XCTAssertFalse(everything.contains(secret), "secret \(secret) surfaced:\n" +
                           captured.filter { $0.contains(secret) }.joined(separator: "\n---\n"))
            XCTAssertNil(journalBytes.firstRange(of: Array(secret.utf8)), "secret \(secret) is in the journal")
        }
    }
}
