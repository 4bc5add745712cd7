import ErasureHost
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One request the mock vendor received, as the test file's Lua sees it.
struct MockRequest: Sendable {
    var method: String
    var path: String
    /// Path and query as they came on the wire (what a recording is matched on).
    var target: String
    var query: [(String, String)]
    var headers: [(String, String)]
    var body: [UInt8]
}

/// What the mock vendor answers: status, headers (a name may repeat), body; `hang` seconds of
/// silence first (a vendor that does not answer in time).
struct MockAnswer: Sendable {
    var status = 200
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var hang: Double = 0
}

/// The mock vendor of a plugin test, served on 127.0.0.1 (a port the OS picks): every request is
/// handed to `answer` (the test file's Lua routes and faults). Only loopback: nothing a test does
/// leaves the machine.
final class MockVendorServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    static func start(answer: @escaping @Sendable (MockRequest) async -> MockAnswer) async throws -> MockVendorServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var quiet = Logger(label: "erasure.mock-vendor")
        quiet.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                let body = try await request.body.collect(upTo: 16 << 20)
                let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
                let mock = MockRequest(method: request.method.rawValue, path: request.uri.path,
                                       target: request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""), query: query,
                                       headers: request.headers.map { ($0.name.canonicalName, $0.value) },
                                       body: Array(body.readableBytesView))
                let a = await answer(mock)
                if a.hang > 0 { try? await Task.sleep(nanoseconds: UInt64(min(a.hang, 60) * 1e9)) }
                var fields = HTTPFields()
                for (n, v) in a.headers {
                    if let name = HTTPField.Name(n) { fields.append(HTTPField(name: name, value: v)) }
                }
                return Response(status: .init(code: a.status), headers: fields,
                                body: .init(byteBuffer: ByteBuffer(bytes: a.body)))
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: quiet)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await p in ports { port = p }
        guard port > 0 else { throw KitError("the mock vendor could not listen on 127.0.0.1") }
        return MockVendorServer(port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// A problem of the kit itself (not of a test): exit 2.
struct KitError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
