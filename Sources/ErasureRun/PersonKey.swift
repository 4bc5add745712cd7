import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation

/// A stable name for a person within a run: the input line and the identity.
public struct PersonKey: Sendable, Hashable {
    public let line: Int?
    public let identity: [String: String]
    /// How the journal names this person (built once: every step of the person uses it).
    public let ref: PersonRef

    public init(line: Int?, identity: [String: String]) {
        self.line = line
        self.identity = identity
        self.ref = PersonRef(line: line, identity: identity)
    }

    public var text: String {
        (line.map { "line \($0) " } ?? "") + identity.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
