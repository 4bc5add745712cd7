import ErasureJournal
import ErasurePlugins

/// ctx.state in the run's journal (its `plugin_state` table).
struct JournalStateStore: PluginStateStore {
    let journal: Journal

    func get(vendor: String, person: [String: String], key: String) async throws -> String? {
        try await journal.pluginState(vendor: vendor, person: person, key: key)
    }

    func set(vendor: String, person: [String: String], key: String, value: String?) async throws {
        try await journal.setPluginState(vendor: vendor, person: person, key: key, value: value)
    }
}
