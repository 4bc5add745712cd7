import Foundation
import XCTest

/// Issue 14: every usage error exits 2, the argument parser's included — each case of the
/// README's exit-code table — and nothing is sent.
final class UsageErrorTests: XCTestCase {
    func testEveryUsageErrorExits2() async throws {
        let e = try await E2E()
        let csv = e.dir.appendingPathComponent("people.csv").path
        try "emial\nada@example.com\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let cases: [(String, [String], String)] = [
            ("unknown command", ["delet", "cubicasa", "email=ada@example.com"], "delet"),
            ("unknown flag", ["run", "offboard", "email=ada@example.com", "--dry-rn"], "--dry-rn"),
            ("--concurrency 0", ["run", "offboard", "email=ada@example.com", "--concurrency", "0"], "--concurrency"),
            ("--max-deletions -1", ["run", "offboard", "email=ada@example.com", "--max-deletions", "-1"], "--max-deletions"),
            ("no people given", ["run", "offboard"], "say who"),
            ("help for an unknown command", ["help", "delet"], "did you mean delete?"),
            ("an unknown workflow", ["run", "ofboard", "email=ada@example.com"], "did you mean offboard?"),
            ("a CSV column no vendor takes", ["run", "offboard", "--users", csv], "did you mean email?"),
            ("a bad --log-level", ["lookup", "cubicasa", "email=ada@example.com", "--log-level", "loud"], "--log-level"),
            ("apply without a plan file", ["apply", e.dir.appendingPathComponent("none.plan").path], "cannot read the plan"),
            ("plan without --out", ["plan", "offboard", "email=ada@example.com"], "--out"),
        ]
        for (what, args, says) in cases {
            let r = try e.erasure(args)
            XCTAssertEqual(r.status, 2, "\(what): \(r.all)")
            XCTAssertTrue(r.stderr.contains(says), "\(what) should say \(says): \(r.stderr)")
        }
        let sent = E2E.mutating(try await e.requests())
        XCTAssertEqual(sent.count, 0, "a usage error sends nothing")

        let version = try e.erasure(["--version"])
        XCTAssertEqual(version.status, 0, version.all)
        XCTAssertTrue(version.stdout.hasPrefix("1."), version.stdout)
        let help = try e.erasure(["help", "plan", "show"])
        XCTAssertEqual(help.status, 0, help.all)
        XCTAssertTrue(help.stdout.contains("summary"), help.stdout)
        await e.shutdown()
    }

    /// The generated completion scripts ask the binary for workflow and vendor names.
    func testShellCompletionOffersWorkflowsAndVendors() async throws {
        let e = try await E2E()
        let script = try e.erasure(["--generate-completion-script", "bash"])
        XCTAssertEqual(script.status, 0, script.all)
        XCTAssertTrue(script.stdout.contains("---completion run -- positional@0"), String(script.stdout.prefix(500)))
        let workflows = try e.erasure(["---completion", "run", "--", "positional@0", "1", "0", "erasure", "run"])
        XCTAssertEqual(workflows.stdout.split(separator: "\n"), ["offboard", "query-then-delete", "suspend-instead"], workflows.all)
        let vendors = try e.erasure(["---completion", "delete", "--", "positional@0", "1", "0", "erasure", "delete"])
        XCTAssertEqual(vendors.stdout.split(separator: "\n"), ["cubicasa", "dragonpass", "engagelab", "gafapay", "pagos", "scim"], vendors.all)
        await e.shutdown()
    }

    /// -v and ERASURE_LOG show a plugin's ctx.log lines and the host's on standard error.
    func testVerboseShowsHostAndPluginLogs() async throws {
        let e = try await E2E()
        let quiet = try e.erasure(["delete", "cubicasa", "email=ada@example.com", "--dry-run", "--no-journal"])
        XCTAssertFalse(quiet.stderr.contains("dry-run: DELETE"), quiet.stderr)
        XCTAssertFalse(quiet.stderr.contains("written as literals"), "the sandbox's config is not warned about: \(quiet.stderr)")
        // The same credentials in a config not marked as the sandbox's are.
        let unmarked = e.dir.appendingPathComponent("unmarked.toml").path
        try (try String(contentsOfFile: e.configPath, encoding: .utf8)).replacingOccurrences(of: "sandbox = true", with: "")
            .write(toFile: unmarked, atomically: true, encoding: .utf8)
        let warned = try e.erasure(["lookup", "cubicasa", "email=ada@example.com", "--config", unmarked])
        XCTAssertTrue(warned.stderr.contains("secrets written as literals"), warned.stderr)
        let verbose = try e.erasure(["delete", "cubicasa", "email=ada@example.com", "--dry-run", "--no-journal", "-v"])
        XCTAssertEqual(verbose.status, 0, verbose.all)
        XCTAssertTrue(verbose.stderr.contains("info [cubicasa] dry-run: DELETE"), verbose.stderr)
        XCTAssertFalse(verbose.stdout.contains("dry-run: DELETE"), "logs only on stderr")
        let env = try e.erasure(["delete", "cubicasa", "email=ada@example.com", "--dry-run", "--no-journal"],
                                env: ["ERASURE_LOG": "info"])
        XCTAssertTrue(env.stderr.contains("info [cubicasa] dry-run: DELETE"), env.stderr)
        await e.shutdown()
    }
}
