import AsyncHTTPClient
import Foundation
import Sandbox
import XCTest

/// Minimal TOML reader for the subset configTOML() prints: [tables], key = "string" | integer, # comments.
func parseSimpleTOML(_ text: String) throws -> [String: [String: String]] {
    var out: [String: [String: String]] = [:]
    var table: String?
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { continue }
        if line.hasPrefix("[") {
            guard line.hasSuffix("]") else { throw SandboxError("line \(n + 1): bad table header") }
            table = String(line.dropFirst().dropLast())
            out[table!] = [:]
            continue
        }
        guard let t = table, let eq = line.firstIndex(of: "=") else { throw SandboxError("line \(n + 1): not key = value") }
        let key = line[..<eq].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("\"") {
            guard value.count >= 2, value.hasSuffix("\""), !value.dropFirst().dropLast().contains("\"") else {
                throw SandboxError("line \(n + 1): bad string")
            }
            out[t]![key] = String(value.dropFirst().dropLast())
        } else if Int(value) != nil {
            out[t]![key] = value
        } else {
            throw SandboxError("line \(n + 1): unsupported value \(value)")
        }
    }
    return out
}

final class ConfigTests: SandboxTestCase {
    func testConfigTOMLPointsEveryVendorAtThisSandbox() async throws {
        let toml = try parseSimpleTOML(sandbox.configTOML())
        XCTAssertEqual(Set(toml.keys), Set(["vendors.dragonpass", "vendors.pagos", "vendors.engagelab", "vendors.gafapay", "vendors.cubicasa"]))
        for (_, table) in toml {
            let url = try XCTUnwrap(table["base_url"])
            XCTAssertTrue(url.hasPrefix("http://127.0.0.1:\(sandbox.port)/"), url)
        }
        XCTAssertEqual(toml["vendors.dragonpass"]?["base_url"], "\(sandbox.baseURL)/dragonpass/api/v2")
        XCTAssertEqual(toml["vendors.dragonpass"]?["program_id"], creds.dragonpass.programId)
        XCTAssertEqual(toml["vendors.dragonpass"]?["jwt_secret"], creds.dragonpass.jwtSecret)
        XCTAssertEqual(toml["vendors.pagos"]?["site_id"], "1")
        XCTAssertEqual(toml["vendors.pagos"]?["token_url"], "\(sandbox.baseURL)/pagos/connect/token")
        XCTAssertEqual(toml["vendors.engagelab"]?["base_url"], "\(sandbox.baseURL)/engagelab")
        XCTAssertEqual(toml["vendors.gafapay"]?["company_id"], creds.gafapay.companyId)
        XCTAssertEqual(toml["vendors.cubicasa"]?["api_key"], creds.cubicasa.apiKey)

        // the same config is served over HTTP, and its URLs + credentials really work
        let served = try await send(.GET, "/_sandbox/config")
        XCTAssertEqual(served.body, sandbox.configTOML())
        let cc = toml["vendors.cubicasa"]!
        var req = HTTPClientRequest(url: cc["base_url"]! + "/users?limit=1")
        req.headers.add(name: "api-key", value: cc["api_key"]!)
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        XCTAssertEqual(resp.status.code, 200)
        let el = toml["vendors.engagelab"]!
        var req2 = HTTPClientRequest(url: el["base_url"]! + "/v4/aliases/ada_lovelace")
        let basic = Data("\(el["app_key"]!):\(el["master_secret"]!)".utf8).base64EncodedString()
        req2.headers.add(name: "Authorization", value: "Basic \(basic)")
        let v1 = try await HTTPClient.shared.execute(req2, timeout: .seconds(10))
        XCTAssertEqual(v1.status.code, 200)
    }

    func testStartFailsClearlyWhenThePortIsTaken() async throws {
        do {
            let second = try await SandboxServer.start(host: "127.0.0.1", port: sandbox.port, seed: .default)
            await second.stop()
            XCTFail("a second server bound the same port")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot listen on 127.0.0.1:\(sandbox.port)"), "\(error)")
        }
    }
}

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
