import Foundation
import Sandbox
import XCTest

/// `--record DIR` then `erasure plugins test` replaying it (issue 13, item 3), end to end: the
/// built binary records a real run against the sandbox over loopback, the fixtures hold the pairs
/// and no secret in any form, and a test file replays them — passing when the plugin sends what
/// was recorded, failing with the request named when it sends something else.
final class RecordReplayTests: XCTestCase {
    static let ada = "6f1b82443e524459831de59d430a0c41"

    /// Each line of a recording, parsed.
    func pairs(_ file: URL) throws -> [[String: Any]] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0))
        }
    }

    /// Every written form of a secret the redactor knows: as is, base64 (padded or not, URL-safe),
    /// percent-encoded, JSON-escaped.
    static func forms(of secret: String) -> [String] {
        let b64 = Data(secret.utf8).base64EncodedString()
        let unpadded = b64.replacingOccurrences(of: "=", with: "")
        return [secret, b64, unpadded,
                unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"),
                secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret,
                secret.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()]
    }

    func testRecordedRunReplaysInAPluginTest() async throws {
        let e = try await E2E()
        let work = e.dir.appendingPathComponent("kit")
        let tests = work.appendingPathComponent("plugins/tests")
        try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: E2E.repo + "/plugins/gafapay.lua",
                                         toPath: work.appendingPathComponent("plugins/gafapay.lua").path)
        let recording = tests.appendingPathComponent("recorded")

        // A real run over every vendor (the plan pass's reads, then the sends), recorded.
        let run = try e.erasure(["run", "offboard"] + RunCommandTests.ada
                                + ["--yes", "--max-deletions", "10", "--json", "--no-journal", "--record", recording.path])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertEqual(run.lines.filter { $0["outcome"] as? String == "deleted" }.count, e.vendorCount, run.all)

        // One file per vendor; GafaPay's (the sandbox serves it under /gafapay): the plan's lookup,
        // then the run's lookup, DELETE and confirming lookup.
        let files = try FileManager.default.contentsOfDirectory(atPath: recording.path).sorted()
        XCTAssertEqual(files, ["cubicasa", "dragonpass", "engagelab", "gafapay", "pagos", "scim"].map { $0 + ".jsonl" })
        let gafapay = try pairs(recording.appendingPathComponent("gafapay.jsonl"))
        XCTAssertEqual(gafapay.map { "\($0["method"] ?? "") \($0["target"] ?? "") \($0["status"] ?? "")" },
                       ["GET", "GET", "DELETE", "GET"].map { "\($0) /gafapay/gafapay/v3/user/user_detail/\(Self.ada) 200" })
        let deleted = try XCTUnwrap((gafapay[2]["body"] as? [String: Any])?["text"] as? String)
        XCTAssertTrue(deleted.contains("USER_REMOVE_USER_DETAIL_SUCCESSFULLY"), deleted)
        XCTAssertTrue((gafapay[2]["headers"] as? [[String]] ?? []).contains { $0.first?.lowercased() == "content-type" })

        // No secret, in any form, in any file; OAuth2 tokens (issued at run time) masked too.
        let creds = SandboxCredentials.default
        var secrets = e.secrets
        secrets.append(Data("\(creds.engagelab.appKey):\(creds.engagelab.masterSecret)".utf8).base64EncodedString())
        XCTAssertGreaterThanOrEqual(secrets.count, 5)
        var tokens = 0
        for file in files {
            let text = try String(contentsOf: recording.appendingPathComponent(file), encoding: .utf8)
            for secret in secrets {
                for form in Self.forms(of: secret) { XCTAssertFalse(text.contains(form), "\(form) (of \(secret)) in \(file)") }
            }
            for pair in try pairs(recording.appendingPathComponent(file)) {
                guard let body = (pair["body"] as? [String: Any])?["text"] as? String,
                      let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                      let token = json["access_token"] else { continue }
                XCTAssertEqual(token as? String, "***", "an access token in \(file)")
                tokens += 1
            }
        }
        XCTAssertGreaterThan(tokens, 0, "a vendor of the run gets an OAuth2 token")

        // A test file replaying GafaPay's recording: the deletion passes as recorded; a request that
        // was not recorded fails its test, named.
        try """
        local vendor = replay("recorded", { config = { base_url = "/gafapay/gafapay/v3", company_id = "c0ffee", token = "replay-token" } })
        local ada = { id = "\(Self.ada)" }

        test("the recorded deletion", function()
          local o = run("delete", ada)
          eq(o.outcome, "deleted", o.message)
          eq(o.verified, true)
          eq(#vendor.seen("DELETE /gafapay/gafapay/v3/user/user_detail/:id"), 1)
        end)

        test("a suspension, never recorded", function()
          eq(run("suspend", ada).outcome, "suspended")
        end)
        """.write(to: tests.appendingPathComponent("gafapay.test.lua"), atomically: true, encoding: .utf8)
        let replay = try E2E.exec(["plugins", "test", "gafapay"], cwd: work.path)
        XCTAssertEqual(replay.status, 1, replay.all)
        XCTAssertTrue(replay.stdout.contains("ok    the recorded deletion"), replay.all)
        XCTAssertTrue(replay.stdout.contains("FAIL  a suspension, never recorded"), replay.all)
        XCTAssertTrue(replay.stdout.contains("replay: PUT /gafapay/gafapay/v3/user/user_detail is not in recorded/gafapay.jsonl"), replay.all)
        XCTAssertTrue(replay.stdout.hasSuffix("1 passed, 1 failed\n"), replay.all)
        await e.shutdown()
    }

    func testHeldBackAndRefusedRequestsAreNotRecorded() async throws {
        let e = try await E2E()
        let recording = e.dir.appendingPathComponent("dry")
        let dry = try e.erasure(Ada.gafapay + ["--dry-run", "--json", "--no-journal", "--record", recording.path])
        XCTAssertEqual(dry.status, 0, dry.all)
        XCTAssertEqual(dry.lines.first?["outcome"] as? String, "planned", dry.all)
        let gafapay = try pairs(recording.appendingPathComponent("gafapay.jsonl"))
        XCTAssertEqual(gafapay.map { $0["method"] as? String ?? "" }, ["GET"], "only the lookup was answered")

        // A redirect to a host the plugin may not reach: the 302 was answered and is saved; the
        // hop the gate refused was never sent and is not.
        let refused = e.dir.appendingPathComponent("refused")
        try await e.fault(["vendor": "gafapay", "count": 1, "status": 302, "headers": ["Location": "http://127.0.0.2:9/steal"]])
        let run = try e.erasure(Ada.gafapay + ["--json", "--no-journal", "--record", refused.path])
        XCTAssertEqual(run.status, 1, run.all)
        XCTAssertTrue(run.stdout.contains("127.0.0.2"), run.all)
        let saved = try pairs(refused.appendingPathComponent("gafapay.jsonl"))
        XCTAssertEqual(saved.map { "\($0["method"] ?? "") \($0["status"] ?? "")" }, ["GET 302"], "\(saved)")
        XCTAssertFalse(saved.contains { ($0["target"] as? String ?? "").contains("steal") })

        // A folder that cannot be made: exit 2, nothing sent.
        try await e.clearRequests()
        let blocked = e.dir.appendingPathComponent("a-file")
        try "".write(to: blocked, atomically: true, encoding: .utf8)
        let bad = try e.erasure(Ada.gafapay + ["--no-journal", "--record", blocked.appendingPathComponent("rec").path])
        XCTAssertEqual(bad.status, 2, bad.all)
        XCTAssertTrue(bad.stderr.contains("--record"), bad.all)
        let sent = try await e.requests()
        XCTAssertEqual(sent.count, 0, "\(sent)")
        await e.shutdown()
    }
}
