import ErasureHost
import Foundation
import GRDB

/// A plugin's durable per-person values (ctx.state), by vendor and the person's identity digest —
/// a keyed pseudonym under the journal key, never the identity itself. Values are JSON texts the
/// journal's redaction has passed over (a secret is stored as `***`, never in clear).
extension Journal {
    /// The value stored under `key` for this vendor and person, or nil.
    public func pluginState(vendor: String, person: [String: String], key: String) async throws -> String? {
        let digest = identityDigest(person)
        return try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM plugin_state WHERE vendor = ? AND person = ? AND key = ?",
                                arguments: [vendor, digest, key])
        }
    }

    /// Stores (or, with nil, removes) the value under `key`; durable on disk when this returns.
    public func setPluginState(vendor: String, person: [String: String], key: String, value: String?) async throws {
        let digest = identityDigest(person)
        let stored = value.map(redact)
        let now = JournalTime.string(Date())
        try await writer.submit { db, _ in
            if let stored {
                try db.execute(sql: """
                    INSERT INTO plugin_state (vendor, person, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (vendor, person, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, arguments: [vendor, digest, key, stored, now])
            } else {
                try db.execute(sql: "DELETE FROM plugin_state WHERE vendor = ? AND person = ? AND key = ?",
                               arguments: [vendor, digest, key])
            }
        }
    }
}
