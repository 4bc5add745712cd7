import ErasureHost
import Foundation
import GRDB

/// One person's history in the journal: every step and every receipt about them.
public struct PersonHistory: Sendable, Hashable, Codable {
    /// What the person's values stand as in the journal (`⟨email:…⟩`), when it has a key.
    public var pseudonyms: [String: String]
    public var steps: [StepRecord]
    public var receipts: [Receipt]
}

extension Journal {
    /// Finds a person by their identity (`KEY=VALUE` pairs, each of which must match): recomputes
    /// each value's pseudonym under the journal key, and also matches runs that kept identities in
    /// clear. Steps in insertion order, receipts in chain order.
    public func history(of identity: [String: String], run: RunID? = nil) async throws -> PersonHistory {
        var pseudonyms: [String: String] = [:]
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for (name, value) in identity.sorted(by: { $0.key < $1.key }) {
            let bare = name.split(separator: ".").last.map(String.init) ?? name
            // In clear: the value as a JSON string after its key (scoped or not) in the identity JSON.
            var alternatives = ["instr(person_json, ?) > 0"]
            arguments.append("\(bare)\":" + JSONText.string(value))
            if let key {
                let pseudonym = key.pseudonym(key: name, value: value)
                pseudonyms[name] = pseudonym
                alternatives.append("instr(person_json, ?) > 0")
                arguments.append(JSONText.string(pseudonym))
            }
            conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        if let run {
            conditions.append("run_id = ?")
            arguments.append(run.rawValue)
        }
        let filter = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        let args = StatementArguments(arguments)
        return try await pool.read { [pseudonyms] db in
            let steps = try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE \(filter) ORDER BY id", arguments: args)
                .map(Self.stepRecord)
            let receipts = try Row.fetchAll(db, sql: "SELECT * FROM receipts WHERE \(filter) ORDER BY seq", arguments: args)
                .map(Self.receipt)
            return PersonHistory(pseudonyms: pseudonyms, steps: steps, receipts: receipts)
        }
    }
}
