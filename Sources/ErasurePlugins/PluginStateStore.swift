import ErasureHost

/// Where `ctx.state` keeps what a plugin remembers about one person at one vendor between the
/// steps of a multi-step flow (a soft-deleted user's id, say). Values are JSON texts. A run with
/// a journal keeps them there (`Engine.useStateStore`), so a later run finishes what an earlier
/// one began; without a journal they last as long as the process.
public protocol PluginStateStore: Sendable {
    func get(vendor: String, person: [String: String], key: String) async throws -> String?
    /// Durable when it returns (the next mutating request leaves after it).
    func set(vendor: String, person: [String: String], key: String, value: String?) async throws
}

/// The values in memory: a run without a journal, and the writes of a dry run (which changes
/// nothing durable: a later real run must not read what a rehearsal only planned).
final class MemoryStateStore: PluginStateStore {
    private let values = Locked<[String: String?]>([:])

    private func slot(_ vendor: String, _ person: [String: String], _ key: String) -> String {
        [vendor, person.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}"), key]
            .joined(separator: "\u{0}")
    }

    /// `.some(nil)`: removed here (in a dry run, hides the durable value); nil: never set here.
    func lookup(vendor: String, person: [String: String], key: String) -> String?? {
        values.withLock { $0[slot(vendor, person, key)] }
    }

    func get(vendor: String, person: [String: String], key: String) async throws -> String? {
        lookup(vendor: vendor, person: person, key: key) ?? nil
    }

    func set(vendor: String, person: [String: String], key: String, value: String?) async throws {
        let k = slot(vendor, person, key)
        values.withLock { $0[k] = .some(value) }
    }
}
