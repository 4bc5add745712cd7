import ErasureHost
import ErasurePlugins
import Foundation

/// What `erasure plan` writes and `erasure apply` sends: the inputs the plan was made from (so a
/// changed workflow, plugin or config is refused) and, per person × vendor, what the lookup saw
/// and the exact mutating requests a real run would send (URL and body redacted as in a dry run).
/// The file holds identities in clear, like the input it was made from.
public struct Plan: Codable, Sendable {
    public static let format = 1

    public var format = Plan.format
    /// ISO 8601 UTC.
    public var createdAt: String
    public var workflow: FileRef
    public var params: [String: String]
    /// The CSV (path and SHA-256), or nil for people given as KEY=VALUE.
    public var input: FileRef?
    public var config: ConfigRef
    public var plugins: [PluginRef]
    /// In input order.
    public var people: [PlannedPerson]
    /// Input lines that name nobody usable, with why (reported again by apply).
    public var problems: [InputProblem]

    public struct FileRef: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String?

        public init(path: String, sha256: String?) {
            self.path = path
            self.sha256 = sha256
        }
    }

    public struct ConfigRef: Codable, Sendable, Equatable {
        public var path: String
        /// SHA-256 over the config with secret values removed.
        public var fingerprint: String
    }

    public struct PluginRef: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var sha256: String?
    }

    public struct InputProblem: Codable, Sendable {
        public var line: Int
        public var message: String
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public func encoded() throws -> Data { try Plan.encoder().encode(self) }

    public static func decode(_ data: Data) throws -> Plan {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return try d.decode(Plan.self, from: data)
    }
}

/// One person of a plan.
public struct PlannedPerson: Codable, Sendable {
    public var line: Int?
    /// As given: `KEY` or `VENDOR.KEY` → value.
    public var identity: [String: String]
    /// The keys of `identity` in the order given (the CSV header's): rows name the person by the first.
    public var keys: [String]
    /// The vendors this person is sent to, by name.
    public var vendors: [PlannedVendor]

    func vendor(_ name: String) -> PlannedVendor? { vendors.first { $0.vendor == name } }
}

/// What the plan saw and decided at one vendor for one person.
public struct PlannedVendor: Codable, Sendable {
    public enum Lookup: String, Codable, Sendable {
        /// Found: `recordSHA256` is the hash of the record the lookup returned.
        case found
        case notFound = "not_found"
        case failed
        /// The vendor has no lookup: its steps are planned blind.
        case blind
        /// The workflow did not look this vendor up.
        case none
    }

    public var vendor: String
    public var lookup: Lookup
    public var recordSHA256: String?
    public var steps: [PlannedStep]

    /// The file's keys are snake_case (`record_sha256`); this is what that converts from and to.
    enum CodingKeys: String, CodingKey {
        case vendor, lookup, steps
        case recordSHA256 = "recordSha256"
    }

    /// Whether an apply may send this request for this action.
    func holds(_ request: PlannedRequest, action: Action) -> Bool {
        steps.contains { $0.action == action.rawValue && $0.outcome == OutcomeKind.planned.rawValue && $0.requests.contains(request) }
    }
}

/// One mutating step of a plan (or the outcome that replaced it: skipped, not_found, failed).
public struct PlannedStep: Codable, Sendable {
    public var action: String
    public var outcome: String
    public var message: String
    /// For `planned`: the requests apply will send, in order.
    public var requests: [PlannedRequest]
}
