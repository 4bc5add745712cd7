import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What the test server saw.
package struct SeenRequest: Sendable {
    package var method: String
    /// The raw request target (path and query) exactly as it arrived on the wire.
    package var target: String
    package var headers: [String: String]
    package var body: String
    package var time: Date
}

/// State of the loopback test server, inspected by the tests.
package actor ServerState {
    package private(set) var requests: [SeenRequest] = []
    package private(set) var inFlight = 0
    package private(set) var maxInFlight = 0
    private var flaky: [String: Int] = [:]
    package private(set) var tokensIssued = 0
    package private(set) var tokenForms: [String] = []
    private var validToken: String?

    package func record(_ r: SeenRequest) { requests.append(r) }
    package func enter() {
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
    }
    package func leave() { inFlight -= 1 }
    /// Number of times `key` was hit before this one.
    package func hit(_ key: String) -> Int {
        let n = flaky[key, default: 0]
        flaky[key] = n + 1
        return n
    }
    package func issueToken(form: String) -> String {
        tokensIssued += 1
        tokenForms.append(form)
        let t = "tok-\(tokensIssued)-\(UUID().uuidString.prefix(8))"
        validToken = t
        return t
    }
    package func isValid(_ token: String) -> Bool { token == validToken }
    package func revokeTokens() { validToken = nil }

    /// The two-step vendor's users (`/twostep/`): id → (email, deactivated).
    package private(set) var twostep: [String: (email: String?, deactivated: Bool)] = ["u1": ("ada@example.com", false)]
    package func twostepUpdate(_ id: String, _ user: (email: String?, deactivated: Bool)?) { twostep[id] = user }

    package func seen(pathPrefix: String) -> [SeenRequest] {
        requests.filter { $0.target.hasPrefix(pathPrefix) }
    }
}

/// A small Hummingbird app on 127.0.0.1, port chosen by the OS. `localhost:PORT` reaches the
/// same server under another host name (for allowlist / redirect tests).
package final class TestServer: Sendable {
    /// What the handlers saw.
    package let seen: ServerState
    package let port: Int
    private let task: Task<Void, any Error>

    package var base: String { "http://127.0.0.1:\(port)" }
    package var otherHostBase: String { "http://localhost:\(port)" }

    private init(seen: ServerState, port: Int, task: Task<Void, any Error>) {
        self.seen = seen
        self.port = port
        self.task = task
    }

    package static func start() async throws -> TestServer {
        let state = ServerState()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var quiet = Logger(label: "test-server")
        quiet.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                try await handle(request, state: state)
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
        precondition(port > 0, "test server did not start")
        return TestServer(seen: state, port: port, task: task)
    }

    package func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

private func respond(_ status: Int, _ body: String, headers: [(String, String)] = [],
                     contentType: String = "application/json") -> Response {
    var fields = HTTPFields()
    fields[.contentType] = contentType
    for (n, v) in headers { fields.append(HTTPField(name: HTTPField.Name(n)!, value: v)) }  // a name may repeat
    return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
}

private func json(_ object: Any) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

private func handle(_ request: Request, state: ServerState) async throws -> Response {
    let target = request.head.path ?? "/"
    var headers: [String: String] = [:]
    for f in request.headers { headers[f.name.canonicalName] = f.value }  // lower-case names
    let bodyBuffer = try await request.body.collect(upTo: 1 << 20)
    let body = String(buffer: bodyBuffer)
    await state.record(SeenRequest(method: request.method.rawValue, target: target, headers: headers, body: body,
                                   time: Date()))
    let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
    let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) },
                           uniquingKeysWith: { a, _ in a })

    switch true {
    case path == "/json":
        if request.method == .get { return respond(200, json(["hello": "world", "n": 42])) }
        let received = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) ?? NSNull()
        return respond(201, json(["method": request.method.rawValue, "received": received]))

    case path == "/slow":
        await state.enter()
        let ms = Int(query["ms"] ?? "300") ?? 300
        try? await Task.sleep(nanoseconds: UInt64(ms) * 1_000_000)
        await state.leave()
        return respond(200, json(["slept_ms": ms]))

    case path == "/gate":
        // Holds every request until `n` have been in flight at the same time (or `max_ms` passed):
        // proves concurrency without assuming anything about speed.
        await state.enter()
        let n = Int(query["n"] ?? "1") ?? 1
        let limit = Date().addingTimeInterval((Double(query["max_ms"] ?? "20000") ?? 20000) / 1000)
        while await state.maxInFlight < n, Date() < limit {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        let peak = await state.maxInFlight
        await state.leave()
        return respond(200, json(["peak": peak]))

    case path.hasPrefix("/flaky429/"):
        if await state.hit(path) == 0 {
            return respond(429, json(["error": "slow down"]), headers: [("Retry-After", query["after"] ?? "1")])
        }
        return respond(200, json(["ok": true]))

    case path.hasPrefix("/limited/"):
        // The first `n` (default 1) requests answer 429 with the headers asked for; then 200.
        if await state.hit(path) < Int(query["n"] ?? "1") ?? 1 {
            let named = [("Retry-After", "retry_after"), ("X-Rate-Limit-Remaining", "remaining"), ("X-Rate-Limit-Reset", "reset")]
            return respond(429, json(["error": "slow down"]), headers: named.compactMap { h in query[h.1].map { (h.0, $0) } })
        }
        return respond(200, json(["ok": true]))

    case path == "/window":
        // A vendor's rate-limit headers on a 200.
        return respond(200, json(["ok": true]), headers: [("X-Rate-Limit-Remaining", query["remaining"] ?? "0"),
                                                          ("X-Rate-Limit-Reset", query["reset"] ?? "0")])

    case path == "/list":
        // Five items, paged four ways: offset/limit, page/per_page, cursor (`next` in the body),
        // or Link headers (`mode=link`: a `next` line and a `self` line, in the `order` asked, or
        // `order=one-line`: every link in one line).
        let items = ["a", "b", "c", "d", "e"]
        var start = 0, size = 2
        if let o = query["offset"] { start = Int(o) ?? 0; size = Int(query["limit"] ?? "2") ?? 2 }
        else if let p = query["page"] { size = Int(query["per_page"] ?? "2") ?? 2; start = ((Int(p) ?? 1) - 1) * size }
        else if let c = query["cursor"] ?? query["start"] { start = Int(c) ?? 0 }
        let slice = Array(items[min(start, items.count)..<min(start + size, items.count)])
        let more = start + size < items.count
        var links: [(String, String)] = []
        if query["mode"] == "link" {
            let order = query["order"] ?? "next-first"
            let next = ("Link", "</list?mode=link&order=\(order)&start=\(start + size)>; rel=\"next\"")
            let this = ("Link", "<http://elsewhere.invalid/list?start=\(start)>; rel=\"self\"")
            if order == "one-line" {
                // every link in one line, with a comma and a semicolon inside quotes, a rel list,
                // a repeated rel (the first counts) and odd spacing
                links = [("Link", "<https://x.example/p?a=1,2>; title=\"a, b; c\"; rel=\"prev first\", "
                          + (more ? "</list?mode=link&order=one-line&start=\(start + size)>;rel=next;REL=\"ignored\" , " : "")
                          + "<https://x.example/last>; rel=\"LAST\"")]
            } else if more {
                links = order == "next-first" ? [next, this] : [this, next]
            } else {
                links = [this]
            }
        }
        return respond(200, json(["items": slice, "next": more ? String(start + size) as Any : NSNull()]), headers: links)

    case path.hasPrefix("/twostep/users"):
        // A vendor whose deletion has two steps: deactivate (which clears the e-mail), then delete
        // permanently — whose first attempt fails (500).
        let parts = path.split(separator: "/").map(String.init)  // twostep, users, id?, deactivate?
        let users = await state.twostep
        if parts.count == 2 {
            let found = users.filter { $0.value.email != nil && $0.value.email == query["email"] }.keys.sorted()
            return respond(200, json(["users": found.map { ["id": $0] }]))
        }
        let id = parts[2]
        guard let user = users[id] else { return respond(404, json(["error": "no such user"])) }
        if parts.count == 4, parts[3] == "deactivate", request.method == .post {
            await state.twostepUpdate(id, (nil, true))
            return respond(200, json(["id": id, "status": "deactivated"]))
        }
        if request.method == .delete {
            guard user.deactivated else { return respond(409, json(["error": "deactivate first"])) }
            if await state.hit(path) == 0 { return respond(500, json(["error": "internal error"])) }
            await state.twostepUpdate(id, nil)
            return respond(204, "")
        }
        return respond(200, json(["id": id, "status": user.deactivated ? "deactivated" : "active"]))

    case path.hasPrefix("/flaky503/"):
        if await state.hit(path) == 0 {
            return respond(503, "<html><body><h1>503 Service Unavailable</h1></body></html>",
                           contentType: "text/html")
        }
        return respond(200, json(["ok": true]))

    case path.hasPrefix("/always503"):
        return respond(503, "<html>down</html>", contentType: "text/html")

    case path.hasPrefix("/status/"):
        let code = Int(path.dropFirst("/status/".count)) ?? 500
        return respond(code, json(["status": code]))

    case path == "/redirect":
        return respond(Int(query["status"] ?? "302") ?? 302, "", headers: [("Location", query["to"] ?? "/")])

    case path == "/loop":
        return respond(302, "", headers: [("Location", "/loop")])

    case path.hasPrefix("/echo"):
        // `?status=N` answers N (e.g. an error page that echoes what was sent).
        return respond(Int(query["status"] ?? "200") ?? 200,
                       json(["method": request.method.rawValue, "target": target, "headers": headers, "body": body]))

    case path == "/token":
        let expires = Int(query["expires_in"] ?? "3600") ?? 3600
        guard body.contains("grant_type=client_credentials") else {
            return respond(400, json(["error": "unsupported_grant_type"]))
        }
        try? await Task.sleep(nanoseconds: 50_000_000)  // so concurrent callers overlap
        let token = await state.issueToken(form: body)
        return respond(200, json(["access_token": token, "token_type": "Bearer", "expires_in": expires]))

    case path == "/protected":
        let auth = headers["authorization"] ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        if await state.isValid(token) { return respond(200, json(["ok": true])) }
        return respond(401, json(["error": "invalid_token"]))

    default:
        return respond(404, json(["error": "not found", "path": path]))
    }
}
