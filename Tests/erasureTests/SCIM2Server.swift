import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
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

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// One request to the server's SCIM API (path under /v2), as a test sets it up or checks it.
    func request(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> (Int, [String: Any]?, HTTPHeaders) {
        var req = HTTPClientRequest(url: base + path)
        req.method = method
        req.headers.add(name: "Authorization", value: "Bearer \(token)")
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

/// A loopback proxy in front of a SCIM server that answers the first `count` requests of
/// `method` with 429 and `Retry-After: 1` (scim2-server has no fault injection), and forwards
/// everything else as it is. Records the methods and statuses it answered.
final class ThrottlingProxy: @unchecked Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    let answered = LockedList()

    final class LockedList: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(String, Int)] = []
        func append(_ item: (String, Int)) { lock.lock(); items.append(item); lock.unlock() }
        var all: [(String, Int)] { lock.lock(); defer { lock.unlock() }; return items }
    }

    init(to target: Int, throttling method: HTTPRequest.Method, count: Int) async throws {
        let budget = LockedCounter(count)
        let answered = self.answered
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var quiet = Logger(label: "throttling-proxy")
        quiet.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                if request.method == method, budget.take() {
                    answered.append((request.method.rawValue, 429))
                    var headers = HTTPFields()
                    headers[.contentType] = "application/scim+json"
                    headers[.retryAfter] = "1"
                    let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"too many requests"}"#
                    return Response(status: .tooManyRequests, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
                }
                var forward = HTTPClientRequest(url: "http://127.0.0.1:\(target)" + (request.head.path ?? "/"))
                forward.method = HTTPMethod(rawValue: request.method.rawValue)
                for field in request.headers { forward.headers.add(name: field.name.rawName, value: field.value) }
                let body = try await request.body.collect(upTo: 1 << 20)
                if body.readableBytes > 0 { forward.body = .bytes(body) }
                let resp = try await HTTPClient.shared.execute(forward, timeout: .seconds(10))
                let bytes = try await resp.body.collect(upTo: 16 << 20)
                var headers = HTTPFields()
                for h in resp.headers where h.name.lowercased() != "content-length" {
                    if let name = HTTPField.Name(h.name) { headers.append(HTTPField(name: name, value: h.value)) }
                }
                answered.append((request.method.rawValue, Int(resp.status.code)))
                return Response(status: .init(code: Int(resp.status.code)), headers: headers, body: .init(byteBuffer: bytes))
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: quiet)
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await p in ports { port = p }
        self.port = port
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    final class LockedCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var left: Int
        init(_ n: Int) { left = n }
        func take() -> Bool { lock.lock(); defer { lock.unlock() }; if left > 0 { left -= 1; return true }; return false }
    }
}
