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
struct EngageLabEmulator: VendorEmulator {
    static let prefix = "/engagelab/v4"
    static let endpoints = "GET|DELETE devices/{registration_id}, GET aliases/{alias}[?platform=a,b]"

    struct Settings: SeedSettings {
        /// Requests per second per AppKey before HTTP 429 (CONFIRMED default 500). 0 = no limit.
        var rateLimit = 500
        /// EngageLab deletes asynchronously: a deleted device stays visible this long (ms).
        var deleteDelayMs = 50
        enum CodingKeys: String, CodingKey {
            case rateLimit = "engagelab_rate_limit", deleteDelayMs = "engagelab_delete_delay_ms"
        }
        init() {}
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Self()
            rateLimit = try c.decodeIfPresent(Int.self, forKey: .rateLimit) ?? d.rateLimit
            deleteDelayMs = try c.decodeIfPresent(Int.self, forKey: .deleteDelayMs) ?? d.deleteDelayMs
        }
    }

    struct State: EmulatorState {
        var credentials: SandboxCredentials.EngageLab
        var settings: Settings
        var devices: Table<EngageLabDevice>
        /// registration_id → time (epoch s) its accepted DELETE takes effect
        var pendingDeletes: [String: Double] = [:]
        /// rate limiter: the current wall-clock second and the requests counted in it, per AppKey
        var window: [String: (second: Int, count: Int)] = [:]

        init(records: SandboxSeed.EngageLabData, credentials: SandboxCredentials.EngageLab, settings: Settings) {
            self.credentials = credentials
            self.settings = settings
            devices = Table(records.devices) { $0.registrationId }
        }

        /// Devices whose delete is pending are marked `deleting`.
        mutating func records() -> SandboxSeed.EngageLabData {
            settle(now: Date().timeIntervalSince1970)
            return SandboxSeed.EngageLabData(devices: devices.values.map { d in
                var d = d
                if pendingDeletes[d.registrationId] != nil { d.deleting = true }
                return d
            })
        }

        /// Applies the deletes whose delay has passed.
        mutating func settle(now: Double) {
            if pendingDeletes.isEmpty { return }
            for (rid, at) in pendingDeletes where at <= now {
                devices.remove(rid)
                pendingDeletes.removeValue(forKey: rid)
            }
        }
    }
    let state: LockedState<State>

    var outsidePrefix: Response { Self.routeNotFound }

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

    func respond(to r: VendorRequest) -> Response {
        let c = r.components
        guard c.count == 2, c[0] == "devices" || c[0] == "aliases", !c[1].isEmpty else { return Self.routeNotFound }
        let allowed: [HTTPRequest.Method] = c[0] == "devices" ? [.get, .delete] : [.get]
        guard allowed.contains(r.method) else { return Self.notAllowed }

        guard let auth = r.header(.authorization), auth.hasPrefix("Basic "),
              let data = Data(base64Encoded: String(auth.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let pair = String(data: data, encoding: .utf8)
        else { return Self.unauthorized }

        let now = Date().timeIntervalSince1970
        enum Outcome { case unauthorized, limited, ok(JSON), notFound }
        let outcome: Outcome = state.withLock { s in
            let creds = s.credentials
            guard pair == "\(creds.appKey):\(creds.masterSecret)" else { return .unauthorized }
            // fixed one-second windows per AppKey
            let limit = s.settings.rateLimit
            if limit > 0 {
                let second = Int(now)
                var w = s.window[creds.appKey] ?? (second, 0)
                if w.second != second { w = (second, 0) }
                w.count += 1
                s.window[creds.appKey] = w
                if w.count > limit { return .limited }
            }
            s.settle(now: now)
            let v = c[1]
            switch (c[0], r.method) {
            case ("devices", .get):
                guard let d = s.devices[v] else { return .notFound }
                return .ok(.object([("tags", .strings(d.tags)), ("alias", .string(d.alias ?? ""))]))
            case ("devices", _):  // DELETE: accepted now, removed after the configured delay
                guard s.devices[v] != nil else { return .notFound }
                let delay = Double(s.settings.deleteDelayMs) / 1000
                if delay <= 0 {
                    s.devices.remove(v)
                    r.noteEffect("deleted")
                } else if s.pendingDeletes[v] == nil {
                    s.pendingDeletes[v] = now + delay
                    r.noteEffect("deleted")  // accepted: the device goes after the delay
                }
                return .ok(.object([("success", .bool(true))]))
            default:  // aliases GET
                let platforms = r.query.get("platform").map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
                let ids = s.devices.values
                    .filter { $0.alias == v && (platforms == nil || platforms!.contains($0.platform)) }
                    .map(\.registrationId)
                return .ok(.object([("registration_ids", .strings(ids))]))
            }
        }
        switch outcome {
        case .unauthorized: return Self.unauthorized
        case .limited: return Self.tooMany
        case .notFound: return Self.ridNotFound
        case .ok(let json): return Reply.json(.ok, json, contentType: Self.contentType)
        }
    }
}

extension SeedPartNames {
    /// `seed.engagelab` (`"engagelab": {"devices": […]}`) and `seed.credentials.engagelab`
    public var engagelab: SeedPartName<SandboxSeed.EngageLabData, SandboxCredentials.EngageLab> {
        SeedPartName(EngageLabEmulator.self)
    }
}
