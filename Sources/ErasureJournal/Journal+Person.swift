import ErasureHost
import Foundation
import GRDB

/// What the journal holds about a person (or any filter): steps and receipts.
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
        try await history(JournalFilter(run: run, identity: identity))
    }

    /// The steps and receipts `filter` selects, with the pseudonyms of its person.
    public func history(_ filter: JournalFilter) async throws -> PersonHistory {
        var pseudonyms: [String: String] = [:]
        if let key {
            for (name, value) in filter.identity { pseudonyms[name] = key.pseudonym(key: name, value: value) }
        }
        let steps = filter.condition(timeColumn: "updated_at", key: key)
        let receipts = filter.condition(timeColumn: "time", key: key)
        return try await pool.read { [pseudonyms] db in
            PersonHistory(
                pseudonyms: pseudonyms,
                steps: try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE \(steps.sql) ORDER BY id",
                                        arguments: steps.arguments).map(Self.stepRecord),
                receipts: try Row.fetchAll(db, sql: "SELECT * FROM receipts WHERE \(receipts.sql) ORDER BY seq",
                                           arguments: receipts.arguments).map(Self.receipt))
        }
    }
}
