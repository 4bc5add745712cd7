import AsyncHTTPClient
import Foundation
import Sandbox
import XCTest

/// Runs the built `erasure` binary (path in $ERASURE_BIN, set by scripts/test).
final class SandboxCommandTests: XCTestCase {
    func testPrintConfigServesAndStopsCleanlyOnSIGTERM() async throws {
        guard let bin = ProcessInfo.processInfo.environment["ERASURE_BIN"], !bin.isEmpty else {
            throw XCTSkip("ERASURE_BIN not set (scripts/test sets it)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["sandbox", "--port", "0", "--print-config"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()

        // read stdout until the whole config (its last key) has arrived
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !(text.contains("[vendors.cubicasa]") && text.hasSuffix("\n") && text.contains("api_key = \"\(SandboxCredentials.default.cubicasa.apiKey)\"")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty {
                XCTFail("erasure sandbox closed stdout early; got: \(text)")
                p.terminate()
                return
            }
            text += String(decoding: chunk, as: UTF8.self)
            if Date() > deadline { XCTFail("no config after 60 s"); p.terminate(); return }
        }
        let toml = try parseSimpleTOML(text)
        let base = try XCTUnwrap(toml["vendors.cubicasa"]?["base_url"])
        var req = HTTPClientRequest(url: base + "/users/ada@example.com")
        req.headers.add(name: "api-key", value: try XCTUnwrap(toml["vendors.cubicasa"]?["api_key"]))
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        XCTAssertEqual(resp.status.code, 200)

        p.terminate()  // SIGTERM
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains("sandbox listening on http://127.0.0.1:"), stderr)
        XCTAssertTrue(stderr.contains("sandbox stopped"), stderr)
    }

    func testBadSeedFileIsAUsageError() throws {
        guard let bin = ProcessInfo.processInfo.environment["ERASURE_BIN"], !bin.isEmpty else {
            throw XCTSkip("ERASURE_BIN not set (scripts/test sets it)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-seed-\(UUID()).json")
        try Data(#"{"cubicasa":{"users":[{"id":"x"}]}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["sandbox", "--port", "0", "--seed", file.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 2)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains(file.path) && stderr.contains("email"), stderr)
    }
}
