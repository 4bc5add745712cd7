import Foundation
import XCTest

/// `scripts/install`, then erasure from another folder: the shipped plugins and workflows are
/// found beside the executable (PREFIX/share/erasure/plugins), a local plugin overriding a shipped
/// one is named as such, and a run works. The test installs the binary under test (`--binary`)
/// rather than building a release.
final class InstallTests: XCTestCase {
    func install() throws -> URL {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-prefix-\(UUID().uuidString)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: E2E.repo + "/scripts/install")
        p.arguments = ["--prefix", prefix.path, "--binary", try XCTUnwrap(E2E.binary)]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "scripts/install")
        return prefix
    }

    func testInstalledErasureFindsItsShippedPluginsAndWorkflowsFromAnyFolder() async throws {
        let e = try await E2E()
        let prefix = try install()
        defer { try? FileManager.default.removeItem(at: prefix) }
        let installed = prefix.appendingPathComponent("bin/erasure").path
        let elsewhere = e.dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        func erasure(_ args: [String]) throws -> E2E.Result {
            try E2E.exec(args + ["--config", e.configPath], cwd: elsewhere.path, executable: installed)
        }

        let list = try erasure(["plugins", "list"])
        XCTAssertEqual(list.status, 0, list.all)
        for name in ["cubicasa", "dragonpass", "engagelab", "gafapay", "pagos", "scim"] {
            let row = list.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            XCTAssertTrue(row?.hasSuffix("shipped") == true, "\(name): \(list.all)")
        }

        let run = try erasure(["run", "offboard"] + RunCommandTests.ada + ["--dry-run", "--json", "--no-journal"])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertEqual(run.lines.filter { $0["outcome"] as? String == "planned" }.count, e.vendorCount, run.all)
        let sent = try await E2E.mutating(e.requests())
        XCTAssertEqual(sent.count, 0, "a dry run sends no mutation")

        // ./plugins of the folder erasure runs in comes first, and says what it overrides.
        let local = elsewhere.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: E2E.repo + "/plugins/gafapay.lua", toPath: local.appendingPathComponent("gafapay.lua").path)
        let overridden = try erasure(["plugins", "list"])
        XCTAssertEqual(overridden.status, 0, overridden.all)
        XCTAssertTrue(overridden.stdout.split(separator: "\n").contains { $0.hasPrefix("gafapay ") && $0.hasSuffix("./plugins") },
                      overridden.all)
        XCTAssertTrue(overridden.stdout.contains("gafapay: plugins/gafapay.lua overrides the shipped plugin "), overridden.all)
        await e.shutdown()
    }
}
