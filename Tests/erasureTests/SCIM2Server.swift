import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import XCTest

/// PyPI's scim2-server, an independent SCIM 2.0 implementation (in memory), run on a free
/// loopback port for the test that proves `plugins/scim.lua` interoperates with a SCIM service it
/// was not written against. `scripts/test` installs it.
final class SCIM2Server: @unchecked Sendable {
    let process: Process
    let port: Int
    let token: String
    var base: String { "http://127.0.0.1:\(port)/v2" }

    init(token: String) async throws {
        guard let executable = SCIM2Server.executable else {
            XCTFail("scim2-server is not installed (scripts/test installs it: pip install scim2-server)")
            throw CancellationError()
        }
        self.token = token
        port = try SCIM2Server.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--hostname", "127.0.0.1", "--port", String(port), "--bearer-token", token]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let (status, _, _) = try? await request(.GET, "/ServiceProviderConfig"), status == 200 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        stop()
        XCTFail("scim2-server did not start on port \(port)")
        throw CancellationError()
    }

    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/scim2-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A port the OS has just handed out and taken back (scim2-server cannot report one it picks).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CancellationError() }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw CancellationError() }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func stop() { end(process) }

    /// One request to the server's SCIM API (path under /v2), as a test sets it up or checks it.
    func request(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> (Int, [String: Any]?, HTTPHeaders) {
        var req = HTTPClientRequest(url: base + path)
        req.method = method
        req.headers.add(name: "Authorization", value: "Bearer \(token)")
        req.headers.add(name: "Connection", value: "close")   // its WSGI server speaks HTTP/1.0
        if let json {
            req.headers.add(name: "Content-Type", value: "application/scim+json")
            req.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        let body = try await resp.body.collect(upTo: 16 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return (Int(resp.status.code), object, resp.headers)
    }

    /// Creates a user through the SCIM API; returns its id.
    func createUser(userName: String, email: String, externalId: String) async throws -> String {
        let (status, body, _) = try await request(.POST, "/Users", json: [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": userName, "externalId": externalId,
            "emails": [["value": email, "primary": true]], "active": true,
        ])
        XCTAssertEqual(status, 201, "\(String(describing: body))")
        return try XCTUnwrap(body?["id"] as? String)
    }
}

/// `Tools/throttling-proxy.py` in front of a SCIM server: answers the first `count` requests of
/// `method` with 429 and `Retry-After: 1` (scim2-server has no fault injection) and forwards
/// everything else as it is. `answered` is what it answered, "METHOD STATUS" per request.
final class ThrottlingProxy: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let output = Locked()

    final class Locked: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ s: String) { lock.lock(); text += s; lock.unlock() }
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return text.split(separator: "\n").map(String.init) }
    }

    init(to target: Int, throttling method: String, count: Int) async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Tools/throttling-proxy.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(target), method, String(count)]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            output.append(String(decoding: handle.availableData, as: UTF8.self))
        }
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while output.lines.isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        guard let first = output.lines.first, let port = Int(first) else {
            end(process)
            XCTFail("the throttling proxy did not start")
            throw CancellationError()
        }
        self.port = port
    }

    /// "METHOD STATUS" of each request answered, in order.
    var answered: [String] { Array(output.lines.dropFirst()) }

    func stop() { end(process) }
}

/// Ends a helper process with SIGKILL (a child of the test process may inherit a signal mask
/// that blocks SIGTERM) and waits for it.
func end(_ process: Process) {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
}
