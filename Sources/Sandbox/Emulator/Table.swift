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
