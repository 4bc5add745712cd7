import Foundation
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
import ErasureTesting

/// `Engine.start`: config and plugin problems are named (file, table, key) and nothing is sent.
final class EngineStartTests: XCTestCase, PluginHostCase {
    var server: TestServer!
    var fx: LuaFixture!

    override func setUp() async throws { (server, fx) = try await startPluginHost() }
    override func tearDown() async throws { await stopPluginHost() }

    // MARK: 10. Config errors

    func configPlugin() throws {
        try fx.plugin("acme", config: """
            api_key = { required = true, secret = true }, site_id = { type = "integer", default = 1 }
            """, extra: """
            validate = function(config)
                if config.site_id < 0 then return "site_id must not be negative" end
              end,
            """, body: """
            function plugin.delete(ctx, user)
              ctx.http.delete(ctx.url(ctx.config.base_url, "echo", user.id))
              return { outcome = "deleted", message = "sent" }
            end
            """)
    }

    func startError(_ toml: String, needed: [String]? = ["acme"], environment: [String: String] = [:],
                    file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        try fx.config(toml)
        do {
            let engine = try await fx.start(needed, environment: environment)
            _ = try? await engine.act(["id": "should-not-run"])
            await engine.shutdown()
            XCTFail("Engine.start accepted:\n\(toml)", file: file, line: line)
            return ""
        } catch let e as SetupError {
            return e.description
        } catch {
            XCTFail("not a SetupError (exit 2): \(type(of: error)) \(error)", file: file, line: line)
            return "\(error)"
        }
    }

    func testConfigErrorsNameFileTableAndKeyAndSendNothing() async throws {
        try configPlugin()
        let path = fx.configPath
        let base = "base_url = \"\(server.base)\""

        let missing = try await startError("[vendors.acme]\n\(base)\n")
        XCTAssertTrue(missing.contains(path), missing)
        XCTAssertTrue(missing.contains("[vendors.acme] api_key: required key is missing"), missing)

        let wrongType = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\nsite_id = \"one\"\n",
                                             environment: ["K": "v"])
        XCTAssertTrue(wrongType.contains(path), wrongType)
        XCTAssertTrue(wrongType.contains("[vendors.acme] site_id: expected integer"), wrongType)

        let unknownKey = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\napi_kye = 1\n",
                                              environment: ["K": "v"])
        XCTAssertTrue(unknownKey.contains("[vendors.acme] api_kye: unknown key"), unknownKey)

        let unknownVendor = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\n[vendors.acmee]\nx = 1\n",
                                                 needed: nil, environment: ["K": "v"])
        XCTAssertTrue(unknownVendor.contains(path), unknownVendor)
        XCTAssertTrue(unknownVendor.contains("[vendors.acmee]"), unknownVendor)

        let notConfigured = try await startError("[vendors.other]\nx = 1\n")
        XCTAssertTrue(notConfigured.contains("[vendors.acme]") && notConfigured.contains("api_key"), notConfigured)

        let unsetEnv = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:ACME_KEY_UNSET\"\n")
        XCTAssertTrue(unsetEnv.contains("[vendors.acme] api_key: environment variable ACME_KEY_UNSET is not set"), unsetEnv)

        let unreadable = try await startError("[vendors.acme]\n\(base)\napi_key = \"file:nope/key.txt\"\n")
        XCTAssertTrue(unreadable.contains("[vendors.acme] api_key: cannot read file 'nope/key.txt'"), unreadable)

        let invalid = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\nsite_id = -3\n",
                                           environment: ["K": "v"])
        XCTAssertTrue(invalid.contains(path) && invalid.contains("[vendors.acme]"), invalid)
        XCTAssertTrue(invalid.contains("site_id must not be negative"), invalid)

        // Numbers TOML allows but no duration or rate can be (inf, nan, absurdly large/small).
        for (key, value) in [("timeout", "inf"), ("timeout", "nan"), ("timeout", "1e12"),
                             ("rate_limit", "nan"), ("rate_limit", "inf"), ("rate_limit", "1e-12")] {
            let text = try await startError("[vendors.acme]\n\(base)\napi_key = \"env:K\"\n\(key) = \(value)\n",
                                            environment: ["K": "v"])
            XCTAssertTrue(text.contains("[vendors.acme] \(key):"), "\(key) = \(value): \(text)")
        }

        do { let v = await seenCount(); XCTAssertEqual(v, 0, "no request for a bad config") }

        // The same plugin with a good config does send: the checks above are not vacuous.
        try fx.config("[vendors.acme]\n\(base)\napi_key = \"env:K\"\n")
        let engine = try await fx.start(environment: ["K": "v"])
        let o = try await engine.act(["id": "ok"])
        await engine.shutdown()
        XCTAssertEqual(o.kind, .deleted, o.message)
        do { let v = await seenCount(); XCTAssertEqual(v, 1) }
    }

    /// `hosts` entries, in the plugin or the config, must each name an origin (docs/security.md).
    func testHostsEntriesThatNameNoOriginAreRefused() async throws {
        try configPlugin()
        let base = "base_url = \"\(server.base)\"\napi_key = \"env:K\"\n"
        let config = try await startError("[vendors.acme]\n\(base)hosts = [\"auth.example\", \"ftp://files.example\"]\n",
                                          environment: ["K": "v"])
        XCTAssertTrue(config.contains("[vendors.acme] hosts: 'ftp://files.example' is not a host"), config)

        try fx.plugin("wide", hosts: #"{ "user@auth.example" }"#,
                      body: #"function plugin.delete(ctx, user) return { outcome = "deleted" } end"#)
        let plugin = try await startError("[vendors.wide]\nbase_url = \"\(server.base)\"\n", needed: ["wide"])
        XCTAssertTrue(plugin.contains("wide.lua: hosts: 'user@auth.example' is not a host"), plugin)
    }

    /// An action's deadline: a minute unless its vendor's table sets `action_timeout`.
    func testActionDeadlineIsAMinuteUnlessConfigured() async throws {
        try configPlugin()
        try fx.config("[vendors.acme]\nbase_url = \"\(server.base)\"\napi_key = \"env:K\"")
        let engine = try await fx.start(["acme"], environment: ["K": "key"])
        XCTAssertEqual(engine.actionTimeout("acme"), .seconds(60))
        await engine.shutdown()
        try fx.config("[vendors.acme]\nbase_url = \"\(server.base)\"\napi_key = \"env:K\"\naction_timeout = 2.5")
        let configured = try await fx.start(["acme"], environment: ["K": "key"])
        XCTAssertEqual(configured.actionTimeout("acme"), .milliseconds(2500))
        await configured.shutdown()
    }
}
