import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Insertion-ordered table keyed by a string id. Deletes are lazy (the order array is compacted
/// when needed), so lookups and deletes stay O(1) with tens of thousands of generated users.
struct Table<Row: Sendable>: Sendable {
    private(set) var rows: [String: Row] = [:]
    private var order: [String] = []
    private var stale = 0

    init() {}
    init(_ items: [Row], key: (Row) -> String) {
        for r in items { insert(r, key: key(r)) }
    }

    var count: Int { rows.count }
    subscript(key: String) -> Row? {
        get { rows[key] }
        set {
            if let newValue { insert(newValue, key: key) } else { remove(key) }
        }
    }
    mutating func insert(_ row: Row, key: String) {
        if rows.updateValue(row, forKey: key) == nil { order.append(key) }
    }
    @discardableResult mutating func remove(_ key: String) -> Row? {
        guard let r = rows.removeValue(forKey: key) else { return nil }
        stale += 1
        if stale > 64 && stale > order.count / 2 { compact() }
        return r
    }
    mutating func compact() {
        if stale == 0 { return }
        order.removeAll { rows[$0] == nil }
        stale = 0
    }
    /// Rows in insertion order.
    var values: [Row] {
        var out: [Row] = []
        out.reserveCapacity(rows.count)
        for k in order { if let r = rows[k] { out.append(r) } }
        return out
    }
    /// Rows `start..<start+count` in insertion order (compacts first).
    mutating func slice(from start: Int, count: Int) -> [Row] {
        compact()
        guard start < order.count, count > 0 else { return [] }
        return order[start..<min(order.count, start + count)].map { rows[$0]! }
    }
}

/// The mutable vendor state (guarded by `SandboxState`'s mutex).
struct VendorState: Sendable {
    var dragonpass: Table<DragonPassUser>
    /// site id → users by UserName
    var pagos: [Int: Table<PagosUser>]
    var pagosSiteOrder: [Int]
    var engagelab: Table<EngageLabDevice>
    /// registration_id → time (epoch s) its accepted DELETE takes effect
    var engagelabPendingDeletes: [String: Double]
    var gafapay: Table<GafaPayUser>
    var cubicasa: Table<CubiCasaUser>
    /// lower-cased email → cubicasa id
    var cubicasaByEmail: [String: String]

    init(seed: SandboxSeed) {
        dragonpass = Table(seed.dragonpass.users) { $0.clientUserId }
        pagos = [:]
        pagosSiteOrder = []
        for site in seed.pagos.sites {
            if pagos[site.siteId] == nil { pagosSiteOrder.append(site.siteId) }
            var t = pagos[site.siteId] ?? Table()
            for u in site.users { t.insert(u, key: u.userName) }
            pagos[site.siteId] = t
        }
        engagelab = Table(seed.engagelab.devices) { $0.registrationId }
        engagelabPendingDeletes = [:]
        gafapay = Table(seed.gafapay.users) { $0.id }
        cubicasa = Table(seed.cubicasa.users) { $0.id }
        cubicasaByEmail = [:]
        for u in seed.cubicasa.users { cubicasaByEmail[u.email.lowercased()] = u.id }
    }

    /// Applies EngageLab deletes whose delay has passed.
    mutating func settleEngageLab(now: Double) {
        if engagelabPendingDeletes.isEmpty { return }
        for (rid, at) in engagelabPendingDeletes where at <= now {
            engagelab.remove(rid)
            engagelabPendingDeletes.removeValue(forKey: rid)
        }
    }

    func snapshot(credentials: SandboxCredentials, settings: SandboxSettings) -> SandboxSeed {
        var s = SandboxSeed(credentials: credentials, settings: settings)
        s.dragonpass.users = dragonpass.values
        s.pagos.sites = pagosSiteOrder.map { PagosSite(siteId: $0, users: pagos[$0]?.values ?? []) }
        s.engagelab.devices = engagelab.values.map { d in
            var d = d
            if engagelabPendingDeletes[d.registrationId] != nil { d.deleting = true }
            return d
        }
        s.gafapay.users = gafapay.values
        s.cubicasa.users = cubicasa.values
        return s
    }
}

/// One received request, as `GET /_sandbox/requests` lists it.
struct LoggedRequest: Sendable {
    var seq: Int
    var time: Double
    var vendor: String?
    var method: String
    var path: String
    var query: String
    var headers: HTTPFields
    var body: ByteBuffer
    /// status answered; 0 while in flight or when the connection was dropped
    var status: Int
    /// what the request changed, when it changed something: "deleted" (a user or device removed,
    /// or for EngageLab, its deletion accepted) or "updated"
    var effect: String? = nil
}

/// A fault rule (`POST /_sandbox/faults`).
struct Fault: Sendable {
    var id: Int
    var vendor: String?
    var method: String?
    var pathContains: String?
    var remaining: Int
    var status: Int?
    var body: [UInt8]?
    var headers: [(String, String)]
    var delayMs: Int?
    var drop: Bool

    func matches(vendor v: String?, method m: String, path p: String) -> Bool {
        if let vendor, vendor != v { return false }
        if let method, method.uppercased() != m { return false }
        if let pathContains, !p.contains(pathContains) { return false }
        return true
    }

    var json: JSON {
        var o: [(String, JSON)] = [("id", .int(id)), ("vendor", .str(vendor)), ("method", .str(method)),
                                   ("path_contains", .str(pathContains)), ("count", .int(remaining)),
                                   ("status", .num(status))]
        o.append(("body", body.map { JSON.string(String(decoding: $0, as: UTF8.self)) } ?? .null))
        o.append(("headers", .object(headers.map { ($0.0, JSON.string($0.1)) })))
        o.append(("delay_ms", .num(delayMs)))
        o.append(("drop", .bool(drop)))
        return .object(o)
    }
}

/// Everything mutable in a running sandbox. Three mutexes so the request log and the fault
/// table never contend with vendor state.
final class SandboxState: Sendable {
    struct Core: Sendable {
        var seed: SandboxSeed
        var vendors: VendorState
        /// issued pagos access tokens → expiry (epoch s); survive `reset` (client-side caches do)
        var pagosTokens: [String: Double] = [:]
        var pagosTokenCounter = 0
        /// engagelab rate limiter: current wall-clock second and requests counted in it, per AppKey
        var engagelabWindow: [String: (second: Int, count: Int)] = [:]
    }
    struct Log: Sendable {
        var entries: [LoggedRequest] = []
        var firstSeq = 1
        var nextSeq = 1
    }
    struct Faults: Sendable {
        var rules: [Fault] = []
        var nextId = 1
    }

    let core: Mutex<Core>
    let log = Mutex(Log())
    let faults = Mutex(Faults())
    /// fast path: no fault rule installed
    let faultCount = Atomic<Int>(0)
    let logLimit = Atomic<Int>(100_000)
    /// where the server listens (for `GET /_sandbox/config`)
    let host: String
    let port = Atomic<Int>(0)

    init(seed: SandboxSeed, host: String) {
        self.host = host
        core = Mutex(Core(seed: seed, vendors: VendorState(seed: seed)))
        configBox = Mutex(Config(seed))
        logLimit.store(max(1, seed.settings.requestLogLimit), ordering: .relaxed)
    }

    /// Immutable credentials + settings, swapped on reset: hot paths read them with one retain.
    final class Config: Sendable {
        let credentials: SandboxCredentials
        let settings: SandboxSettings
        init(_ seed: SandboxSeed) { credentials = seed.credentials; settings = seed.settings }
    }
    private let configBox: Mutex<Config>
    var config: Config { configBox.withLock { $0 } }
    var credentials: SandboxCredentials { config.credentials }
    var settings: SandboxSettings { core.withLock { $0.seed.settings } }

    func reset(to newSeed: SandboxSeed?) {
        core.withLock { c in
            if let newSeed {
                c.seed = newSeed
                configBox.withLock { $0 = Config(newSeed) }
            }
            c.vendors = VendorState(seed: c.seed)
            c.engagelabWindow = [:]
            logLimit.store(max(1, c.seed.settings.requestLogLimit), ordering: .relaxed)
        }
        log.withLock { l in
            l.entries.removeAll(keepingCapacity: false)
            l.firstSeq = l.nextSeq
        }
        clearFaults()
    }

    func snapshot() -> SandboxSeed {
        let now = Date().timeIntervalSince1970
        return core.withLock { c in
            c.vendors.settleEngageLab(now: Date().timeIntervalSince1970)
            c.vendors.settleEngageLab(now: now)
            return c.vendors.snapshot(credentials: c.seed.credentials, settings: c.seed.settings)
        }
    }

    // MARK: request log

    func logRequest(_ r: LoggedRequest) -> Int {
        let limit = logLimit.load(ordering: .relaxed)
        return log.withLock { l in
            var r = r
            r.seq = l.nextSeq
            l.nextSeq += 1
            l.entries.append(r)
            if l.entries.count > limit + limit / 4 + 16 {
                let drop = l.entries.count - limit
                l.entries.removeFirst(drop)
                l.firstSeq += drop
            }
            return r.seq
        }
    }

    /// The log entry of the request being handled (set around each vendor route).
    @TaskLocal static var handling: Int?

    /// Marks the request being handled as having changed the state (see `LoggedRequest.effect`).
    func noteEffect(_ effect: String) {
        guard let seq = SandboxState.handling else { return }
        log.withLock { l in
            let i = seq - l.firstSeq
            if i >= 0 && i < l.entries.count && l.entries[i].seq == seq { l.entries[i].effect = effect }
        }
    }

    func setStatus(seq: Int, _ status: Int) {
        log.withLock { l in
            let i = seq - l.firstSeq
            if i >= 0 && i < l.entries.count && l.entries[i].seq == seq { l.entries[i].status = status }
        }
    }

    func loggedRequests(vendor: String?, since: Int) -> [LoggedRequest] {
        log.withLock { l in
            l.entries.filter { $0.seq > since && (vendor == nil || $0.vendor == vendor) }
        }
    }

    // MARK: faults

    func addFault(_ f: Fault) -> Int {
        faults.withLock { fs in
            var f = f
            f.id = fs.nextId
            fs.nextId += 1
            fs.rules.append(f)
            faultCount.store(fs.rules.count, ordering: .relaxed)
            return f.id
        }
    }

    func clearFaults() {
        faults.withLock { fs in
            fs.rules.removeAll()
            faultCount.store(0, ordering: .relaxed)
        }
    }

    func listFaults() -> [Fault] { faults.withLock { $0.rules } }

    /// The first rule matching this request, consumed once (removed when its count reaches 0).
    func takeFault(vendor: String?, method: String, path: String) -> Fault? {
        if faultCount.load(ordering: .relaxed) == 0 { return nil }
        return faults.withLock { fs in
            guard let i = fs.rules.firstIndex(where: { $0.matches(vendor: vendor, method: method, path: path) }) else {
                return nil
            }
            let f = fs.rules[i]
            fs.rules[i].remaining -= 1
            if fs.rules[i].remaining <= 0 { fs.rules.remove(at: i) }
            faultCount.store(fs.rules.count, ordering: .relaxed)
            return f
        }
    }
}
