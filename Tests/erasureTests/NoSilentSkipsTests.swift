import Foundation
import Sandbox
import XCTest

/// Issue 12, findings 13–15: nothing the operator gave is dropped without a word. A key that
/// reaches no vendor, two plugins claiming one name, an identity that is not clean text: each is
/// refused before anything is sent (or, for one CSV row, that row is refused and the batch goes on).
final class NoSilentSkipsTests: XCTestCase {
    static let adaGafaPay = SandboxSeed.Sample.adaGafaPayId
    static let graceGafaPay = "9a2c4e6f8b0d1e3f5a7c9e1b3d5f7a9c"

    /// Finding 13: a mistyped scope (`gafapy.id`), an unknown vendor (`acme.id`), an unknown key:
    /// exit 2 naming the column or argument, with a did-you-mean, and no request sent.
    func testAKeyNoConfiguredVendorTakesIsExit2AndNothingIsSent() async throws {
        let e = try await E2E()
        func csv(_ text: String) throws -> String {
            let path = e.dir.appendingPathComponent("people-\(UUID().uuidString).csv").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let cases: [(args: [String], names: [String])] = [
            (["run", "offboard", "--users", try csv("email,gafapy.id\nada@example.com,\(Self.adaGafaPay)\n")],
             ["column gafapy.id", "did you mean gafapay.id?"]),
            (["run", "offboard", "--users", try csv("email,acme.id\nada@example.com,42\n")],
             ["column acme.id", "there is no vendor acme"]),
            (["run", "offboard", "--users", try csv("emial,gafapay.id\nada@example.com,\(Self.adaGafaPay)\n")],
             ["column emial", "did you mean email?"]),
            (["run", "offboard", "--users", try csv("email,cubicasa.username\nada@example.com,ada\n")],
             ["column cubicasa.username", "cubicasa takes no identity key username"]),
            (["run", "offboard", "email=ada@example.com", "gafapy.id=\(Self.adaGafaPay)"],
             ["gafapy.id", "did you mean gafapay.id?"]),
            (["delete", "cubicasa", "email=ada@example.com", "username=ada.lovelace"],
             ["username", "no configured vendor takes an identity key username"]),
            (["delete", "cubicasa", "email=ada@example.com", "gafapay.id=\(Self.adaGafaPay)"],
             ["gafapay.id", "vendor gafapay is not one this command acts on"]),
        ]
        for c in cases {
            let r = try e.erasure(c.args + ["--json", "--no-journal"])
            XCTAssertEqual(r.status, 2, "\(c.args): \(r.all)")
            for name in c.names { XCTAssertTrue(r.stderr.contains(name), "\(c.args) should say \(name): \(r.all)") }
            XCTAssertEqual(r.stdout, "", "\(c.args): no outcome is reported")
        }
        let sent = try await e.requests().count
        XCTAssertEqual(sent, 0, "nothing may be sent")
        // The same columns spelled right go through.
        let right = try e.erasure(["run", "offboard", "--users", try csv("email,gafapay.id\nada@example.com,\(Self.adaGafaPay)\n"),
                                   "--json", "--no-journal"])
        XCTAssertEqual(right.status, 0, right.all)
        XCTAssertEqual(right.lines.first { $0["vendor"] as? String == "gafapay" }?["outcome"] as? String, "deleted", right.all)
        await e.shutdown()
    }

    /// Finding 14: two files of one plugin folder declaring one name is exit 2 naming both; a
    /// plugin earlier in the search path overriding a later one still runs, and `plugins list`
    /// says so.
    func testTwoPluginsOfOneFolderWithOneNameAreExit2() async throws {
        let e = try await E2E()
        let local = e.dir.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        let shipped = try String(contentsOfFile: E2E.repo + "/plugins/gafapay.lua", encoding: .utf8)
        try shipped.write(to: local.appendingPathComponent("gafapay.lua"), atomically: true, encoding: .utf8)
        let impostor = #"""
            return { name = "gafapay", version = "9.9.9", identity = { "id" },
                     config = { base_url = {}, company_id = {}, token = { secret = true } },
                     delete = function() return { outcome = "deleted", message = "nothing was sent" } end }
            """#
        try impostor.write(to: local.appendingPathComponent("a-gafapay.lua"), atomically: true, encoding: .utf8)

        for args in [["delete", "gafapay", "id=\(Self.adaGafaPay)"], ["run", "offboard", "id=\(Self.adaGafaPay)"]] {
            let r = try e.erasure(args + ["--json", "--no-journal"])
            XCTAssertEqual(r.status, 2, r.all)
            XCTAssertTrue(r.stderr.contains("plugins/a-gafapay.lua") && r.stderr.contains("plugins/gafapay.lua"),
                          "both files are named: \(r.all)")
            XCTAssertFalse(r.stdout.contains("deleted"), r.all)
        }
        let sent = try await e.requests().count
        XCTAssertEqual(sent, 0, "nothing may be sent")
        let check = try e.erasure(["plugins", "check"])
        XCTAssertEqual(check.status, 1, check.all)
        XCTAssertTrue(check.stdout.contains("both declare the plugin gafapay"), check.all)

        // Without the impostor, ./plugins/gafapay.lua overrides the shipped one: allowed, and visible.
        try FileManager.default.removeItem(at: local.appendingPathComponent("a-gafapay.lua"))
        let list = try e.erasure(["plugins", "list"])
        XCTAssertEqual(list.status, 0, list.all)
        XCTAssertTrue(list.stdout.contains("gafapay: plugins/gafapay.lua overrides"), list.all)
        XCTAssertTrue(list.stdout.contains(E2E.repo + "/plugins/gafapay.lua") || list.stdout.contains("/plugins/gafapay.lua"),
                      list.all)
        let r = try e.erasure(["delete", "gafapay", "id=\(Self.adaGafaPay)", "--json", "--no-journal"])
        XCTAssertEqual(r.status, 0, r.all)
        XCTAssertEqual(r.lines.last?["outcome"] as? String, "deleted", r.all)
        await e.shutdown()
    }

    /// Finding 15: an identity that is not valid UTF-8, or holds a control character, is not
    /// rewritten (U+FFFD) or sent: its CSV row is refused with its line and the batch goes on; on
    /// the command line it is exit 2.
    func testAnIdentityThatIsNotCleanTextIsRefused() async throws {
        let e = try await E2E()
        var bytes = Array("gafapay.id\n".utf8)
        bytes += Array(Self.adaGafaPay.utf8) + [0xFF, 0x0A]                   // line 2: invalid UTF-8
        bytes += Array(Self.adaGafaPay.utf8) + [0x00, 0x0A]                   // line 3: a NUL
        bytes += Array("\"\(Self.adaGafaPay)\u{1B}[2J\"\n".utf8)             // line 4: an escape sequence
        bytes += Array(Self.graceGafaPay.utf8) + [0x0A]                       // line 5: fine
        let path = e.dir.appendingPathComponent("dirty.csv").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let r = try e.erasure(["run", "offboard", "--users", path, "--json", "--no-journal"])
        XCTAssertEqual(r.status, 1, r.all)
        // --json writes outcomes as they finish, not in input order.
        let refused = r.lines.filter { $0["vendor"] as? String == "input" }
            .sorted { ($0["line"] as? Int ?? 0) < ($1["line"] as? Int ?? 0) }
        XCTAssertEqual(refused.map { $0["line"] as? Int }, [2, 3, 4], r.all)
        let why = refused.map { $0["message"] as? String ?? "" } + ["", "", ""]
        XCTAssertTrue(why[0].contains("not valid UTF-8"), r.all)
        XCTAssertTrue(why[1].contains("control character"), r.all)
        XCTAssertTrue(why[2].contains("control character"), r.all)
        XCTAssertFalse(r.lines.contains { $0["outcome"] as? String == "not_found" }, r.all)
        let grace = r.lines.first { $0["line"] as? Int == 5 && $0["vendor"] as? String == "gafapay" }
        XCTAssertEqual(grace?["outcome"] as? String, "deleted", "the batch goes on: \(r.all)")
        let gafapayPaths = try await e.requests().compactMap { $0["path"] as? String }.filter { $0.contains("user_detail") }
        XCTAssertTrue(gafapayPaths.allSatisfy { $0.hasSuffix(Self.graceGafaPay) }, "only Grace was sent: \(gafapayPaths)")

        // On the command line: invalid UTF-8 (through a shell: Process takes Strings), a control character.
        let sh = try E2E.exec(["-c", #"exec "$0" delete gafapay "$(printf 'id=6f1b82443e524459831de59d430a0c41\377')" --config "$1" --no-journal"#,
                               E2E.binary!, e.configPath], env: ["ERASURE_PLUGIN_PATH": E2E.repo + "/plugins"],
                              cwd: e.dir.path, executable: "/bin/sh")
        XCTAssertEqual(sh.status, 2, sh.all)
        XCTAssertTrue(sh.stderr.contains("not valid UTF-8"), sh.all)
        let control = try e.erasure(["delete", "gafapay", "id=\(Self.adaGafaPay)\u{7}", "--no-journal"])
        XCTAssertEqual(control.status, 2, control.all)
        XCTAssertTrue(control.stderr.contains("control character"), control.all)
        let after = try await e.requests().compactMap { $0["path"] as? String }.filter { $0.contains(Self.adaGafaPay) }
        XCTAssertEqual(after, [], "Ada was never sent")
        await e.shutdown()
    }
}
