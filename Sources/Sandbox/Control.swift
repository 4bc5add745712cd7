import Foundation
import HTTPTypes
import Hummingbird

/// `/_sandbox/…` control endpoints (not logged, never faulted).
enum Control {
    struct FaultSpec: Decodable {
        var vendor: String?
        var method: String?
        var path_contains: String?
        var count: Int?
        var status: Int?
        var body: String?
        var body_base64: String?
        var headers: [String: String]?
        var delay_ms: Int?
        var drop: Bool?
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Reply.json(status, .object([("error", .string(message))]))
    }
    static var ok: Response { Reply.json(.ok, .object([("ok", .bool(true))])) }

    static func handle(_ request: Request, state: SandboxState) async -> Response {
        var request = request
        let path = request.uri.path
        let route = String(path.dropFirst("/_sandbox".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let method = request.method
        let body = (try? await request.collectBody(upTo: 64 << 20)) ?? ByteBuffer()

        switch (route, method) {
        case ("state", .get):
            return Reply.raw(.ok, Array(state.snapshot().jsonData()), headers: [.contentType: "application/json"])
        case ("requests", .get):
            let query = request.uri.queryParameters
            return requests(state: state, vendor: query.get("vendor"), since: query.get("since", as: Int.self) ?? 0)
        case ("requests", .delete):
            state.log.clear()
            return ok
        case ("reset", .post):
            var seed: SandboxSeed?
            if body.readableBytes > 0 {
                do { seed = try SandboxSeed.load(json: Data(body.readableBytesView)) } catch {
                    return Self.error(.badRequest, "\(error)")
                }
            }
            state.reset(to: seed)
            return ok
        case ("faults", .post):
            return addFault(body, state: state)
        case ("faults", .get):
            return Reply.json(.ok, .object([("faults", .array(state.faults.list().map(\.json)))]))
        case ("faults", .delete):
            state.faults.clear()
            return ok
        case ("config", .get):
            let port = state.port.load(ordering: .relaxed)
            return Reply.text(.ok, SandboxServer.configTOML(host: state.host, port: port, credentials: state.credentials),
                              contentType: "application/toml; charset=utf-8")
        case ("state", _), ("requests", _), ("reset", _), ("faults", _), ("config", _):
            return error(.methodNotAllowed, "method \(method.rawValue) not allowed on \(path)")
        default:
            return error(.notFound, "unknown control endpoint \(path); try GET /_sandbox/state, GET /_sandbox/requests, POST /_sandbox/reset, POST|GET|DELETE /_sandbox/faults, GET /_sandbox/config")
        }
    }

    static func addFault(_ body: ByteBuffer, state: SandboxState) -> Response {
        let spec: FaultSpec
        do { spec = try JSONDecoder().decode(FaultSpec.self, from: Data(body.readableBytesView)) } catch {
            return Self.error(.badRequest, "fault: invalid JSON: \(error)")
        }
        if let v = spec.vendor, !VendorEmulators.all.contains(where: { $0.name == v }) {
            return Self.error(.badRequest, "fault: unknown vendor '\(v)' (one of \(VendorEmulators.all.map { $0.name }.joined(separator: ", ")))")
        }
        let count = spec.count ?? 1
        guard count >= 1 else { return Self.error(.badRequest, "fault: count must be >= 1") }
        if let s = spec.status, !(100...599).contains(s) { return Self.error(.badRequest, "fault: status must be 100...599") }
        if let d = spec.delay_ms, d < 0 { return Self.error(.badRequest, "fault: delay_ms must be >= 0") }
        var bytes: [UInt8]?
        if let b64 = spec.body_base64 {
            guard let d = Data(base64Encoded: b64) else { return Self.error(.badRequest, "fault: body_base64 is not base64") }
            bytes = Array(d)
        } else if let b = spec.body {
            bytes = Array(b.utf8)
        }
        var headers: [(String, String)] = []
        for (k, v) in (spec.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard HTTPField.Name(k) != nil, HTTPField.isValidValue(v) else {
                return Self.error(.badRequest, "fault: invalid header \(k): \(v)")
            }
            headers.append((k, v))
        }
        let drop = spec.drop ?? false
        if !drop && spec.status == nil && bytes == nil && headers.isEmpty && (spec.delay_ms ?? 0) == 0 {
            return Self.error(.badRequest, "fault: give at least one of status, body, body_base64, headers, delay_ms, drop")
        }
        let id = state.faults.add(Fault(id: 0, vendor: spec.vendor, method: spec.method?.uppercased(),
                                      pathContains: spec.path_contains, remaining: count, status: spec.status,
                                      body: bytes, headers: headers, delayMs: spec.delay_ms, drop: drop))
        return Reply.json(.ok, .object([("id", .int(id))]))
    }

    static func requests(state: SandboxState, vendor: String?, since: Int) -> Response {
        let entries = state.log.requests(vendor: vendor, since: since)
        let fmt = ISO8601DateFormatter()
        fmt.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var out = "{\"requests\":["
        out.reserveCapacity(entries.count * 400 + 32)
        for (i, e) in entries.enumerated() {
            if i > 0 { out += "," }
            var headers: [(String, JSON)] = []
            var index: [String: Int] = [:]
            for f in e.headers {
                let n = f.name.canonicalName
                if let j = index[n], case .string(let prev) = headers[j].1 {
                    headers[j].1 = .string(prev + ", " + f.value)
                } else {
                    index[n] = headers.count
                    headers.append((n, .string(f.value)))
                }
            }
            var fields: [(String, JSON)] = [
                ("seq", .int(e.seq)), ("time", .string(fmt.string(from: Date(timeIntervalSince1970: e.time)))),
                ("vendor", .str(e.vendor)), ("method", .string(e.method)), ("path", .string(e.path)),
                ("query", .string(e.query)), ("headers", .object(headers)),
            ]
            let bytes = Array(e.body.readableBytesView)
            if let s = String(validating: bytes, as: UTF8.self) {
                fields.append(("body", .string(s)))
            } else {
                fields.append(("body", .string(Data(bytes).base64EncodedString())))
                fields.append(("body_base64", .bool(true)))
            }
            fields.append(("status", .int(e.status)))
            if let effect = e.effect { fields.append(("effect", .string(effect))) }
            JSON.object(fields).write(into: &out)
        }
        out += "]}"
        return Reply.raw(.ok, Array(out.utf8), headers: [.contentType: "application/json"])
    }
}
