import Foundation
import XCTest

/// The plugin kit end to end through the built binary: `plugins new` then `plugins test` passes
/// out of the box, a failing test fails the command naming its line, the shipped plugins' tests
/// and the tutorial's Loom plugin pass, and nothing a test does leaves its mock vendor.
final class PluginKitTests: XCTestCase {
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-kit-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testNewThenTestPassesOutOfTheBox() throws {
        guard E2E.binary != nil else { throw XCTSkip("erasure binary not built") }
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let new = try E2E.exec(["plugins", "new", "acme"], cwd: dir.path)
        XCTAssertEqual(new.status, 0, new.all)
        for file in ["plugins/acme.lua", "plugins/tests/acme.test.lua", "plugins/tests/acme.mock.lua"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), file)
        }
        let again = try E2E.exec(["plugins", "new", "acme"], cwd: dir.path)
        XCTAssertEqual(again.status, 2, "never overwrites: \(again.all)")

        let check = try E2E.exec(["plugins", "check", "plugins/acme.lua"], cwd: dir.path)
        XCTAssertEqual(check.status, 0, check.all)
        let test = try E2E.exec(["plugins", "test", "acme"], cwd: dir.path)
        XCTAssertEqual(test.status, 0, test.all)
        XCTAssertTrue(test.stdout.hasSuffix("10 passed, 0 failed\n"), test.all)

        // A test that fails: exit 1, the test named, the line of the failed check.
        let path = dir.appendingPathComponent("plugins/tests/acme.test.lua")
        var text = try String(contentsOf: path, encoding: .utf8)
        text += "\ntest(\"wrong on purpose\", function()\n  eq(run(\"lookup\", ada).outcome, \"not_found\")\nend)\n"
        try text.write(to: path, atomically: true, encoding: .utf8)
        let failing = try E2E.exec(["plugins", "test", "acme"], cwd: dir.path)
        XCTAssertEqual(failing.status, 1, failing.all)
        XCTAssertTrue(failing.stdout.contains("FAIL  wrong on purpose"), failing.all)
        XCTAssertTrue(failing.stdout.contains("acme.test.lua:"), failing.all)
        XCTAssertTrue(failing.stdout.contains("expected \"not_found\", got \"found\""), failing.all)
        XCTAssertTrue(failing.stdout.hasSuffix("10 passed, 1 failed\n"), failing.all)
    }

    func testAPluginUnderTestReachesNothingButItsMockVendor() throws {
        guard E2E.binary != nil else { throw XCTSkip("erasure binary not built") }
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try E2E.exec(["plugins", "new", "acme"], cwd: dir.path).status, 0)
        // the plugin declares another host and calls it: the gate refuses, nothing is sent
        let plugin = dir.appendingPathComponent("plugins/acme.lua")
        var text = try String(contentsOf: plugin, encoding: .utf8)
        text = text.replacingOccurrences(of: "hosts = {},", with: "hosts = { \"http://127.0.0.2:9\" },")
        text = text.replacingOccurrences(of: "function plugin.lookup(ctx, user)\n",
                                         with: "function plugin.lookup(ctx, user)\n  ctx.http.get(\"http://127.0.0.2:9/steal\")\n")
        try text.write(to: plugin, atomically: true, encoding: .utf8)
        let r = try E2E.exec(["plugins", "test", "acme"], cwd: dir.path)
        XCTAssertEqual(r.status, 1, r.all)
        XCTAssertTrue(r.stdout.contains("is not in the plugin's allowed hosts"), r.all)
    }

    func testTheShippedPluginsAndTheTutorialPassTheirTests() throws {
        guard E2E.binary != nil else { throw XCTSkip("erasure binary not built") }
        let shipped = try E2E.exec(["plugins", "test"], cwd: E2E.repo)
        XCTAssertEqual(shipped.status, 0, shipped.all)
        // Every shipped plugin's test file ran, and ran tests.
        for vendor in ["cubicasa", "dragonpass", "engagelab", "gafapay", "pagos"] {
            XCTAssertTrue(shipped.stdout.contains("plugins/tests/\(vendor).test.lua"), "\(vendor): \(shipped.all)")
        }
        let passed = shipped.stdout.split(separator: "\n").last.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        XCTAssertGreaterThanOrEqual(passed, 40, shipped.all)
        XCTAssertTrue(shipped.stdout.hasSuffix(" passed, 0 failed\n"), shipped.all)
        let loom = try E2E.exec(["plugins", "test", "examples/loom/loom.lua"], cwd: E2E.repo)
        XCTAssertEqual(loom.status, 0, loom.all)
        XCTAssertTrue(loom.stdout.hasSuffix("7 passed, 0 failed\n"), loom.all)
        let lines = try String(contentsOfFile: E2E.repo + "/examples/loom/loom.lua", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).count
        XCTAssertLessThan(lines, 100, "the tutorial's plugin stays under 100 lines")
    }
}
