import ErasureHost
import Foundation

// Value types of the journal. Every string a caller hands to the journal is expected to be
// already free of secrets; the journal also passes every caller-supplied text through its
// `redact` hook before it is written (see `Journal.open(path:redact:)`).

/// Identifies one run (one `erasure run` / `delete` / `suspend` invocation). A UUID string.
public struct RunID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// Encoded as a plain JSON string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What `beginRun` records about a run. `configFingerprint` must not contain secrets (e.g. a
/// SHA-256 over the config with secret values removed); `argv` must already be redacted.
public struct RunInfo: Sendable {
    public var workflow: String
    public var inputPath: String?
    public var inputSHA256: String?
    public var configFingerprint: String
    public var dryRun: Bool
    public var argv: [String]
    public var startedAt: Date
    /// The identity given on the command line (if any): pseudonymised in `argv` like in steps.
    public var identity: [String: String]

    public init(workflow: String, inputPath: String? = nil, inputSHA256: String? = nil,
                configFingerprint: String, dryRun: Bool, argv: [String] = [], startedAt: Date = Date(),
                identity: [String: String] = [:]) {
        self.identity = identity
        self.workflow = workflow
        self.inputPath = inputPath
        self.inputSHA256 = inputSHA256
        self.configFingerprint = configFingerprint
        self.dryRun = dryRun
        self.argv = argv
        self.startedAt = startedAt
    }
}

/// A run as stored. Times are ISO 8601 UTC strings with milliseconds, as stored.
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: RunID
    public var workflow: String
    public var inputPath: String?
    public var inputSHA256: String?
    public var configFingerprint: String
    public var dryRun: Bool
    public var startedAt: String
    public var endedAt: String?
    public var argv: [String]
    /// `pseudonymised` (under the key `keyID`) or `clear`.
    public var identities: String
    public var keyID: String?
    /// The id of the key that signs the run's final chain head when it ends (nil: unsigned).
    public var signedBy: String?
}

/// A person, as the journal knows them: a stable `key` (unique within a run; e.g. the CSV line
/// number plus the canonical identity JSON) and the identity as JSON (no secrets).
public struct PersonRef: Sendable, Hashable, Codable {
    public var key: String
    public var identityJSON: String

    public init(key: String, identityJSON: String) {
        self.key = key
        self.identityJSON = identityJSON
    }

    /// The recommended form: `identityJSON` is the canonical JSON of `identity` (keys sorted,
    /// no whitespace); `key` is `"line <n> <identityJSON>"`, or just `identityJSON` when there
    /// is no line (people given as KEY=VALUE arguments).
    public init(line: Int?, identity: [String: String]) {
        let json = PersonRef.canonicalJSON(identity)
        self.identityJSON = json
        self.key = line.map { "line \($0) \(json)" } ?? json
    }

    /// `{"a":"1","b":"2"}`: keys sorted by their UTF-8 bytes, no whitespace, JSON string escapes.
    public static func canonicalJSON(_ identity: [String: String]) -> String {
        let keys = identity.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out = "{"
        for (i, k) in keys.enumerated() {
            if i > 0 { out += "," }
            out += JournalText.jsonQuoted(k) + ":" + JournalText.jsonQuoted(identity[k]!)
        }
        return out + "}"
    }
}

/// One (run, person, vendor, action): the unit of work the journal tracks.
public struct StepKey: Sendable, Hashable {
    public var run: RunID
    public var person: PersonRef
    public var vendor: String
    public var action: String

    public init(run: RunID, person: PersonRef, vendor: String, action: String) {
        self.run = run
        self.person = person
        self.vendor = vendor
        self.action = action
    }
}

/// pending → sent → done. `sent` is written (durably) before a mutating request leaves, so a
/// step found `sent` after a crash may or may not have reached the vendor.
public enum StepState: String, Sendable, Codable, CaseIterable {
    case pending, sent, done
}

/// The outcome of a step (Contract 2 names in `outcome`: deleted, suspended, not_found,
/// planned, skipped, failed).
public struct StepResult: Sendable, Hashable {
    public var outcome: String
    public var message: String?
    public var retryable: Bool?
    public var httpStatus: Int?
    public var vendorID: String?

    public init(outcome: String, message: String? = nil, retryable: Bool? = nil,
                httpStatus: Int? = nil, vendorID: String? = nil) {
        self.outcome = outcome
        self.message = message
        self.retryable = retryable
        self.httpStatus = httpStatus
        self.vendorID = vendorID
    }
}

/// A step as stored.
public struct StepRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var run: RunID
    public var person: PersonRef
    public var vendor: String
    public var action: String
    public var state: StepState
    public var outcome: String?
    public var message: String?
    public var retryable: Bool?
    public var httpStatus: Int?
    public var vendorID: String?
    public var updatedAt: String
    /// seq of the latest receipt written for this step (nil until done).
    public var receiptSeq: Int64?

    /// Done with an outcome other than `failed`: never to be acted on again.
    public var isFinal: Bool { state == .done && outcome != "failed" }
}

/// One HTTP request of a step, as it goes into a receipt. Bodies are represented by their
/// SHA-256 (lowercase hex) only; nil when there was no body (or no answer).
public struct ReceiptRequest: Sendable, Hashable, Codable {
    public var method: String
    public var url: String
    /// The HTTP status answered; nil when no answer (connection dropped, or planned in dry-run).
    public var status: Int?
    /// ISO 8601 UTC with milliseconds.
    public var time: String
    public var requestSHA256: String?
    public var responseSHA256: String?

    enum CodingKeys: String, CodingKey {
        case method, url, status, time
        case requestSHA256 = "request_sha256"
        case responseSHA256 = "response_sha256"
    }

    public init(method: String, url: String, status: Int?, time: String,
                requestSHA256: String?, responseSHA256: String?) {
        self.method = method
        self.url = url
        self.status = status
        self.time = time
        self.requestSHA256 = requestSHA256
        self.responseSHA256 = responseSHA256
    }

    /// `[{...},...]` with the keys sorted, as `JSONEncoder` with `.sortedKeys` writes it (and
    /// what `requests_json` holds), written directly: it is built for every step of a batch.
    static func jsonArray(_ requests: [ReceiptRequest]) -> String {
        var out = "["
        for (i, r) in requests.enumerated() {
            if i > 0 { out += "," }
            out += "{\"method\":" + JSONText.string(r.method)
            if let h = r.requestSHA256 { out += ",\"request_sha256\":" + JSONText.string(h) }
            if let h = r.responseSHA256 { out += ",\"response_sha256\":" + JSONText.string(h) }
            if let s = r.status { out += ",\"status\":" + String(s) }
            out += ",\"time\":" + JSONText.string(r.time) + ",\"url\":" + JSONText.string(r.url) + "}"
        }
        return out + "]"
    }

    /// Hashes the bodies (nil body → nil hash; an empty body hashes to SHA-256 of no bytes).
    public init(method: String, url: String, status: Int?, time: Date = Date(),
                requestBody: [UInt8]?, responseBody: [UInt8]?) {
        self.init(method: method, url: url, status: status, time: JournalTime.string(time),
                  requestSHA256: requestBody.map { Digest.sha256Hex($0) },
                  responseSHA256: responseBody.map { Digest.sha256Hex($0) })
    }
}

/// Optional redacted bodies of one request (same order as `requests`).
public struct BodyRecord: Sendable, Hashable, Codable {
    public var request: String?
    public var response: String?
    public init(request: String?, response: String?) {
        self.request = request
        self.response = response
    }
}

/// What the caller proves a step with.
public struct ReceiptEvidence: Sendable, Hashable {
    public var requests: [ReceiptRequest]
    public var bodies: [BodyRecord]?
    public init(requests: [ReceiptRequest] = [], bodies: [BodyRecord]? = nil) {
        self.requests = requests
        self.bodies = bodies
    }
}

/// A stored receipt: one per completed step, chained by `prevHash`.
public struct Receipt: Sendable, Hashable, Codable {
    public var seq: Int64
    public var run: RunID
    public var stepID: Int64
    public var personKey: String
    public var personJSON: String
    public var vendor: String
    public var action: String
    public var outcome: String
    public var message: String?
    public var vendorID: String?
    public var time: String
    public var requestsJSON: String
    public var bodiesJSON: String?
    public var prevHash: String
    public var hash: String
    /// Pruned (`Journal.prune`): only seq, prev_hash and hash are left.
    public var pruned: Bool

    public init(seq: Int64, run: RunID, stepID: Int64, personKey: String, personJSON: String, vendor: String,
                action: String, outcome: String, message: String?, vendorID: String?, time: String,
                requestsJSON: String, bodiesJSON: String?, prevHash: String, hash: String, pruned: Bool = false) {
        self.pruned = pruned
        self.seq = seq
        self.run = run
        self.stepID = stepID
        self.personKey = personKey
        self.personJSON = personJSON
        self.vendor = vendor
        self.action = action
        self.outcome = outcome
        self.message = message
        self.vendorID = vendorID
        self.time = time
        self.requestsJSON = requestsJSON
        self.bodiesJSON = bodiesJSON
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The decoded `requestsJSON` (empty when it does not decode — `verify()` is the tool that
    /// judges a receipt, this is a convenience).
    public var requests: [ReceiptRequest] {
        (try? JSONDecoder().decode([ReceiptRequest].self, from: Data(requestsJSON.utf8))) ?? []
    }
}

public enum JournalError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case notAJournal(path: String, reason: String)
    case unknownRun(RunID)
    case noRunToResume(workflow: String)
    case inputChanged(run: RunID, inputPath: String?, recorded: String?, actual: String?)
    case dryRunMismatch(run: RunID, recordedDryRun: Bool)
    case alreadyDone(step: String, outcome: String)
    case unknownStep(String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "journal \(path): no such file (give the journal of a run with --journal FILE)"
        case .notAJournal(let path, let reason):
            return "\(path) is not an erasure journal: \(reason)"
        case .unknownRun(let id):
            return "journal: no run \(id)"
        case .noRunToResume(let workflow):
            return "--resume: the journal has no run of workflow '\(workflow)' to resume"
        case .inputChanged(let run, let path, let recorded, let actual):
            return "--resume: the input file \(path ?? "(none)") changed since run \(run) "
                + "(SHA-256 was \(recorded ?? "none"), is now \(actual ?? "none")); "
                + "resume only with the same input, or start a new run without --resume"
        case .dryRunMismatch(let run, let recorded):
            return "--resume: run \(run) was \(recorded ? "a dry-run" : "a real run"); "
                + "resume it \(recorded ? "with" : "without") --dry-run, or start a new run"
        case .alreadyDone(let step, let outcome):
            return "journal: step \(step) is already done (\(outcome))"
        case .unknownStep(let step):
            return "journal: no step \(step)"
        }
    }
}

// MARK: - helpers

package enum JournalTime {
    package static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    package static func string(_ date: Date) -> String { style.format(date) }
}

enum JournalText {
    static func jsonQuoted(_ s: String) -> String { JSONText.string(s) }

    /// `s` as SQLite can store it whole: GRDB binds and reads texts as C strings, so a NUL would
    /// cut the stored text short of what was hashed. U+0000 becomes U+FFFD.
    static func storable(_ s: String) -> String {
        s.utf8.contains(0) ? s.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : s
    }
}
