import Foundation
import HTTPTypes
import Hummingbird

/// EngageLab App Push REST API v4 emulator, under `/engagelab/v4` (docs/vendors.md, engagelab).
///
/// CONFIRMED: Basic auth `AppKey:MasterSecret`; `DELETE /v4/devices/{registration_id}` → 200
///   `{"success": true}` (`Content-Type: application/json; charset=utf-8`), the removal happening
///   asynchronously after the answer; HTTP statuses 401/404/405/429; 500 requests/s per AppKey.
/// SECONDARY (official SDKs): `GET /v4/devices/{rid}` → `{"tags","alias"}`, `GET /v4/aliases/{alias}`
///   (`?platform=`) → `{"registration_ids"}`, error body `{"error":{"code","message"}}`.
/// ASSUMED: every business error code below except 27002 (the only CONFIRMED example, "unknown
///   error"); 404 for an unknown registration_id; 200 with an empty list for an unknown alias.
///   The CONFIRMED one-alias-one-device limit is not enforced: the sample person's alias is bound
///   to an android and an ios device (the seed decides).
enum EngageLab {
    static let prefix = "/engagelab/v4"
    static let contentType = "application/json; charset=utf-8"

    static func error(_ status: HTTPResponse.Status, _ code: Int, _ message: String) -> Response {
        Reply.json(status, .object([("error", .object([("code", .int(code)), ("message", .string(message))]))]),
                   contentType: contentType)
    }
    static var unauthorized: Response { error(.unauthorized, 27003, "authentication failed") }  // ASSUMED code
    static var tooMany: Response { error(.tooManyRequests, 27005, "too many requests") }  // ASSUMED code
    static var ridNotFound: Response { error(.notFound, 27001, "registration_id not found") }  // ASSUMED
    static var routeNotFound: Response { error(.notFound, 27006, "resource not found") }  // ASSUMED
    static var notAllowed: Response { error(.methodNotAllowed, 27007, "method not allowed") }  // ASSUMED

    static func handle(_ r: VendorRequest, state: SandboxState) -> Response {
        let c = r.components
        guard c.count == 2, c[0] == "devices" || c[0] == "aliases", !c[1].isEmpty else { return routeNotFound }
        let allowed: [HTTPRequest.Method] = c[0] == "devices" ? [.get, .delete] : [.get]
        guard allowed.contains(r.method) else { return notAllowed }

        guard let auth = r.header(.authorization), auth.hasPrefix("Basic "),
              let data = Data(base64Encoded: String(auth.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let pair = String(data: data, encoding: .utf8)
        else { return unauthorized }

        let now = Date().timeIntervalSince1970
        enum Outcome { case unauthorized, limited, ok(JSON), notFound }
        let outcome: Outcome = state.core.withLock { core in
            let creds = core.seed.credentials.engagelab
            guard pair == "\(creds.appKey):\(creds.masterSecret)" else { return .unauthorized }
            // fixed one-second windows per AppKey
            let limit = core.seed.settings.engagelabRateLimit
            if limit > 0 {
                let second = Int(now)
                var w = core.engagelabWindow[creds.appKey] ?? (second, 0)
                if w.second != second { w = (second, 0) }
                w.count += 1
                core.engagelabWindow[creds.appKey] = w
                if w.count > limit { return .limited }
            }
            core.vendors.settleEngageLab(now: now)
            let v = c[1]
            switch (c[0], r.method) {
            case ("devices", .get):
                guard let d = core.vendors.engagelab[v] else { return .notFound }
                return .ok(.object([("tags", .strings(d.tags)), ("alias", .string(d.alias ?? ""))]))
            case ("devices", _):  // DELETE: accepted now, removed after the configured delay
                guard core.vendors.engagelab[v] != nil else { return .notFound }
                let delay = Double(core.seed.settings.engagelabDeleteDelayMs) / 1000
                if delay <= 0 {
                    core.vendors.engagelab.remove(v)
                    state.noteEffect("deleted")
                } else if core.vendors.engagelabPendingDeletes[v] == nil {
                    core.vendors.engagelabPendingDeletes[v] = now + delay
                    state.noteEffect("deleted")  // accepted: the device goes after the delay
                }
                return .ok(.object([("success", .bool(true))]))
            default:  // aliases GET
                let platforms = r.query["platform"].map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
                let ids = core.vendors.engagelab.values
                    .filter { $0.alias == v && (platforms == nil || platforms!.contains($0.platform)) }
                    .map(\.registrationId)
                return .ok(.object([("registration_ids", .strings(ids))]))
            }
        }
        switch outcome {
        case .unauthorized: return unauthorized
        case .limited: return tooMany
        case .notFound: return ridNotFound
        case .ok(let json): return Reply.json(.ok, json, contentType: contentType)
        }
    }
}
