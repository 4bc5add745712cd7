import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import XCTest

struct HTTPAnswer {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    /// The body parsed as JSON (fails the test when it is not JSON).
    func json(file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            XCTFail("not a JSON object: \(body)", file: file, line: line)
            return [:]
        }
        return o
    }
}

/// Each test gets its own sandbox on a free port, driven over real HTTP (AsyncHTTPClient).
class SandboxTestCase: XCTestCase {
    var sandbox: SandboxServer!
    let creds = SandboxCredentials.default

    /// Override to start with another seed.
    var seed: SandboxSeed { .default }

    override func setUp() async throws {
        sandbox = try await SandboxServer.start(host: "127.0.0.1", port: 0, seed: seed)
    }

    override func tearDown() async throws {
        await sandbox?.stop()
        sandbox = nil
    }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil,
              file: StaticString = #filePath, line: UInt = #line) async throws -> HTTPAnswer {
        var req = HTTPClientRequest(url: sandbox.baseURL + path)
        req.method = method
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body { req.body = .bytes(ByteBuffer(string: body)) }
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(30))
        let buf = try await resp.body.collect(upTo: 64 << 20)
        return HTTPAnswer(status: Int(resp.status.code), headers: resp.headers, body: String(buffer: buf))
    }

    // vendor credentials as the plugins send them
    var dragonpassHeaders: [(String, String)] {
        [("Authorization", "Bearer \(creds.dragonpass.token)"), ("X-Program-ID", creds.dragonpass.programId),
         ("X-Request-ID", UUID().uuidString), ("Content-Type", "application/json")]
    }
    var pagosHeaders: [(String, String)] {
        [("Authorization", "Bearer \(creds.pagos.token)"), ("Content-Type", "application/json")]
    }
    var engagelabHeaders: [(String, String)] {
        let basic = Data("\(creds.engagelab.appKey):\(creds.engagelab.masterSecret)".utf8).base64EncodedString()
        return [("Authorization", "Basic \(basic)"), ("Accept", "application/json")]
    }
    var gafapayHeaders: [(String, String)] {
        [("authorization", "Token \(creds.gafapay.token)"), ("companyid", creds.gafapay.companyId),
         ("requestid", UUID().uuidString.lowercased()), ("Content-Type", "application/json")]
    }
    var cubicasaHeaders: [(String, String)] { [("api-key", creds.cubicasa.apiKey)] }

    func replacing(_ headers: [(String, String)], _ name: String, with value: String?) -> [(String, String)] {
        var h = headers.filter { $0.0.lowercased() != name.lowercased() }
        if let value { h.append((name, value)) }
        return h
    }

    func state() async throws -> SandboxSeed {
        let a = try await send(.GET, "/_sandbox/state")
        XCTAssertEqual(a.status, 200)
        return try SandboxSeed.load(json: Data(a.body.utf8))
    }
}

/// Minimal TOML reader for the subset configTOML() prints: [tables], key = "string" | integer | boolean,
/// # comments. Keys before the first table are under "".
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
        guard let eq = line.firstIndex(of: "=") else { throw SandboxError("line \(n + 1): not key = value") }
        let t = table ?? ""
        let key = line[..<eq].trimmingCharacters(in: .whitespaces)
        var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        if !value.hasPrefix("\""), let hash = value.firstIndex(of: "#") {
            value = value[..<hash].trimmingCharacters(in: .whitespaces)
        }
        if value.hasPrefix("\"") {
            guard value.count >= 2, value.hasSuffix("\""), !value.dropFirst().dropLast().contains("\"") else {
                throw SandboxError("line \(n + 1): bad string")
            }
            out[t, default: [:]][key] = String(value.dropFirst().dropLast())
        } else if Int(value) != nil || value == "true" || value == "false" {
            out[t, default: [:]][key] = value
        } else {
            throw SandboxError("line \(n + 1): unsupported value \(value)")
        }
    }
    return out
}
