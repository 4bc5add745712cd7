import Foundation
import Hummingbird
import XCTest

/// A sixth, made-up vendor: a plugin written in a temporary folder, found through
/// $ERASURE_PLUGIN_PATH, talking to a small server of this test. Nothing is rebuilt.
final class PluginsCommandTests: XCTestCase {
    static let acmePlugin = #"""
    -- ACME Accounts: a made-up vendor for erasure's tests.
    return {
      name = "acme",
      version = "0.1.0",
      description = "ACME Accounts (test vendor)",
      config = {
        base_url = { required = true },
        api_key = { required = true, secret = true },
      },
      identity = { "id" },
      lookup = function(ctx, user)
        local r = ctx.http.get(ctx.url(ctx.config.base_url, "accounts", user.id), { headers = { ["x-key"] = ctx.config.api_key } })
        if r.status == 404 then return nil end
        return r.json()
      end,
      delete = function(ctx, user, record)
        local r = ctx.http.delete(ctx.url(ctx.config.base_url, "accounts", user.id), { headers = { ["x-key"] = ctx.config.api_key } })
        if r.planned then return { outcome = "planned" } end
        if r.status == 404 then return { outcome = "not_found", message = "no such account" } end
        if r.status == 204 then return { outcome = "deleted", message = "account closed", vendor_id = user.id } end
        return { outcome = "failed", message = "ACME answered " .. r.status }
      end,
    }
    """#

    actor Accounts {
        var ids: Set<String> = ["42", "43"]
        func remove(_ id: String) -> Bool { ids.remove(id) != nil }
        func has(_ id: String) -> Bool { ids.contains(id) }
    }

    func testSixthVendorThroughPluginPath() async throws {
        let accounts = Accounts()
        let router = Router()
        router.get("/acme/accounts/:id") { req, ctx -> Response in
            let id = ctx.parameters.get("id") ?? ""
            guard req.headers[.init("x-key")!] == "acme-secret-key-123", await accounts.has(id) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"id":"\#(id)","plan":"gold"}"#)))
        }
        router.delete("/acme/accounts/:id") { req, ctx -> Response in
            let id = ctx.parameters.get("id") ?? ""
            guard req.headers[.init("x-key")!] == "acme-secret-key-123" else { return Response(status: .unauthorized) }
            return Response(status: await accounts.remove(id) ? .noContent : .notFound)
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) })
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        XCTAssertGreaterThan(port, 0)

        let e = try await E2E()
        let folder = e.dir.appendingPathComponent("more-plugins")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try PluginsCommandTests.acmePlugin.write(to: folder.appendingPathComponent("acme.lua"), atomically: true, encoding: .utf8)
        var toml = try String(contentsOfFile: e.configPath, encoding: .utf8)
        toml += "\n[vendors.acme]\nbase_url = \"http://127.0.0.1:\(port)/acme\"\napi_key = \"env:ACME_KEY\"\n"
        try toml.write(toFile: e.configPath, atomically: true, encoding: .utf8)
        let env = ["ERASURE_PLUGIN_PATH": folder.path, "ACME_KEY": "acme-secret-key-123"]

        let list = try e.erasure(["plugins", "list"], env: env)
        XCTAssertEqual(list.status, 0, list.all)
        XCTAssertTrue(list.stdout.contains("acme"), list.stdout)
        let check = try e.erasure(["plugins", "check", folder.appendingPathComponent("acme.lua").path], env: env)
        XCTAssertEqual(check.status, 0, check.all)

        let plan = try e.erasure(["delete", "acme", "id=42", "--dry-run", "--json"], env: env)
        XCTAssertEqual(plan.lines.last?["outcome"] as? String, "planned", plan.all)
        let del = try e.erasure(["delete", "acme", "id=42", "--json"], env: env)
        XCTAssertEqual(del.status, 0, del.all)
        XCTAssertEqual(del.lines.last?["outcome"] as? String, "deleted", del.all)
        let again = try e.erasure(["delete", "acme", "id=42", "--json"], env: env)
        XCTAssertEqual(again.lines.last?["outcome"] as? String, "not_found", again.all)
        let found = try e.erasure(["lookup", "acme", "id=43", "--json"], env: env)
        XCTAssertEqual(found.lines.last?["outcome"] as? String, "found", found.all)
        for output in [list, check, plan, del, again, found] {
            XCTAssertFalse(output.all.contains("acme-secret-key-123"), output.all)
        }
        server.cancel()
        await e.shutdown()
    }

    func testPluginsCheckNamesFileAndLine() async throws {
        let e = try await E2E()
        let folder = e.dir.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let syntax = folder.appendingPathComponent("syntax.lua")
        try "return {\n  name = \"syntax\",\n  version = \"1\" +,\n}\n".write(to: syntax, atomically: true, encoding: .utf8)
        let meta = folder.appendingPathComponent("meta.lua")
        try "return {\n  name = \"meta\",\n  version = \"1.0.0\",\n  identity = \"id\",\n  delete = 42,\n}\n"
            .write(to: meta, atomically: true, encoding: .utf8)
        let r = try e.erasure(["plugins", "check", syntax.path, meta.path])
        XCTAssertEqual(r.status, 1, r.all)
        XCTAssertTrue(r.all.contains("syntax.lua:3"), r.all)
        XCTAssertTrue(r.all.contains("meta.lua:4"), "identity problem must name its line: \(r.all)")
        XCTAssertTrue(r.all.contains("meta.lua:5"), "delete problem must name its line: \(r.all)")
        // The built-in plugins all pass.
        let ok = try e.erasure(["plugins", "check"])
        XCTAssertEqual(ok.status, 0, ok.all)
        let show = try e.erasure(["plugins", "show", "gafapay"])
        XCTAssertEqual(show.status, 0, show.all)
        XCTAssertTrue(show.stdout.contains("suspend") && show.stdout.contains("company_id"), show.stdout)
        await e.shutdown()
    }

    func testRuntimeErrorInPluginIsAFailedOutcomeNamingTheLine() async throws {
        let e = try await E2E()
        let folder = e.dir.appendingPathComponent("buggy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
        return {
          name = "buggy", version = "1.0.0", description = "a plugin with a bug",
          config = { base_url = { default = "http://127.0.0.1:9" } },
          identity = { "id" },
          delete = function(ctx, user)
            local t = nil
            return t.field
          end,
        }
        """.write(to: folder.appendingPathComponent("buggy.lua"), atomically: true, encoding: .utf8)
        var toml = try String(contentsOfFile: e.configPath, encoding: .utf8)
        toml += "\n[vendors.buggy]\n"
        try toml.write(toFile: e.configPath, atomically: true, encoding: .utf8)
        let r = try e.erasure(["delete", "buggy", "id=1", "--json"], env: ["ERASURE_PLUGIN_PATH": folder.path])
        XCTAssertEqual(r.status, 1, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "failed", r.all)
        XCTAssertTrue((r.lines.last?["message"] as? String ?? "").contains("buggy.lua:7"), r.all)
        await e.shutdown()
    }

    func testPluginSeesOnlyCtxAndTheSafeLibrary() async throws {
        let e = try await E2E()
        let folder = e.dir.appendingPathComponent("probe")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
        return {
          name = "probe", version = "1.0.0", description = "reports what it can see",
          config = { base_url = { default = "http://127.0.0.1:9" } },
          identity = { "id" },
          delete = function(ctx, user)
            local seen = {}
            for _, name in ipairs({ "__erasure", "io", "os", "require", "debug", "dofile", "package" }) do
              seen[#seen + 1] = name .. "=" .. type(_ENV[name])
            end
            return { outcome = "skipped", message = table.concat(seen, " ") .. " ctx.http=" .. type(ctx.http) }
          end,
        }
        """.write(to: folder.appendingPathComponent("probe.lua"), atomically: true, encoding: .utf8)
        var toml = try String(contentsOfFile: e.configPath, encoding: .utf8)
        toml += "\n[vendors.probe]\n"
        try toml.write(toFile: e.configPath, atomically: true, encoding: .utf8)
        let r = try e.erasure(["delete", "probe", "id=1", "--json", "--no-journal"], env: ["ERASURE_PLUGIN_PATH": folder.path])
        let message = r.lines.last?["message"] as? String ?? ""
        XCTAssertEqual(message, "__erasure=nil io=nil os=table require=nil debug=nil dofile=nil package=nil ctx.http=table", r.all)
        await e.shutdown()
    }
}
