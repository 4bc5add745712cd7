import Synchronization

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

/// The fault rules in force, first match wins. Its own lock; a request with no rule installed
/// only reads an atomic count.
final class FaultRules: Sendable {
    private struct Rules {
        var rules: [Fault] = []
        var nextId = 1
    }
    private let rules = Mutex(Rules())
    private let count = Atomic<Int>(0)

    init() {}

    /// Installs `f` and returns its id.
    func add(_ f: Fault) -> Int {
        rules.withLock { fs in
            var f = f
            f.id = fs.nextId
            fs.nextId += 1
            fs.rules.append(f)
            count.store(fs.rules.count, ordering: .relaxed)
            return f.id
        }
    }

    func clear() {
        rules.withLock { fs in
            fs.rules.removeAll()
            count.store(0, ordering: .relaxed)
        }
    }

    func list() -> [Fault] { rules.withLock { $0.rules } }

    /// The first rule matching this request, consumed once (removed when its count reaches 0).
    func take(vendor: String?, method: String, path: String) -> Fault? {
        if count.load(ordering: .relaxed) == 0 { return nil }
        return rules.withLock { fs in
            guard let i = fs.rules.firstIndex(where: { $0.matches(vendor: vendor, method: method, path: path) }) else {
                return nil
            }
            let f = fs.rules[i]
            fs.rules[i].remaining -= 1
            if fs.rules[i].remaining <= 0 { fs.rules.remove(at: i) }
            count.store(fs.rules.count, ordering: .relaxed)
            return f
        }
    }
}
