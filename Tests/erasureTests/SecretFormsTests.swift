import Foundation
import Sandbox
import XCTest

/// Secrets in the forms a vendor or a plugin may show them (issue 12, finding 17): the Basic pair
/// of a vendor whose plugin has not run in this process, and a secret echoed JSON-escaped.
final class SecretFormsTests: XCTestCase {
    func testEngageLabBasicPairAndEscapedSecretsNeverSurface() async throws {
        let e = try await E2E()
        let creds = SandboxCredentials.default
        let pair = Data("\(creds.engagelab.appKey):\(creds.engagelab.masterSecret)".utf8).base64EncodedString()
        let mixed = "\\u0073" + creds.engagelab.masterSecret.dropFirst()           // \u0073andbox-…
        let escaped = creds.cubicasa.apiKey.unicodeScalars.map { String(format: "\\u%04X", $0.value) }.joined()
        let leaks = [pair, String(pair.prefix(while: { $0 != "=" })), mixed, escaped]
        // CubiCasa (whose plugin never builds EngageLab's header) answers with every form, in two
        // answers (a failed outcome shows the first 300 characters of the answer).
        let journal = e.dir.appendingPathComponent("forms.sqlite").path
        var runs: [E2E.Result] = []
        for body in [#"{"error":"bad auth","seen":"Basic \#(pair)","echo":"\#(mixed)"}"#,
                     #"{"error":"bad auth","key":"\#(escaped)"}"#] {
            try await e.fault(["vendor": "cubicasa", "count": 1, "status": 500, "body": body])
            let run = try e.erasure(Ada.cubicasa + ["--json", "--journal", journal])
            XCTAssertEqual(run.status, 1, run.all)
            XCTAssertEqual(run.lines.first?["outcome"] as? String, "failed", run.all)
            XCTAssertTrue(run.stdout.contains("bad auth"), "the answer's excerpt is shown: \(run.all)")
            XCTAssertTrue(run.stdout.contains("***"), run.all)
            runs.append(run)
        }
        let export = try e.erasure(["journal", "export", "--journal", journal, "--format", "jsonl"])
        let csv = try e.erasure(["journal", "export", "--journal", journal, "--format", "csv"])
        let show = try e.erasure(["journal", "show", "--journal", journal])
        XCTAssertTrue(export.stdout.contains("***"), export.all)
        var file = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let d = FileManager.default.contents(atPath: journal + suffix) { file.append(d) }
        }
        XCTAssertGreaterThan(file.count, 0)

        let surfaces = ["output": runs.map(\.all).joined(), "export": export.all, "csv": csv.all, "show": show.all]
        for leak in leaks {
            for (name, text) in surfaces { XCTAssertFalse(text.contains(leak), "\(leak) in the \(name): \(text)") }
            XCTAssertNil(file.range(of: Data(leak.utf8)), "\(leak) in the journal file")
        }
        await e.shutdown()
    }
}
