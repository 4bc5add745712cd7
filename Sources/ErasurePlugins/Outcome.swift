import ErasureHost
import Foundation

/// Contract 2: how every (user, vendor, action) ends. `found` is only ever the answer of a
/// `lookup` (the record exists); the mutating actions end in one of the other six.
public enum OutcomeKind: String, Codable, Sendable, CaseIterable, Comparable {
    case deleted, suspended
    case notFound = "not_found"
    case planned, skipped, failed
    case found

    /// Whether this outcome makes the exit status 1.
    public var isFailure: Bool { self == .failed }

    public static func < (a: OutcomeKind, b: OutcomeKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public enum Action: String, Codable, Sendable, CaseIterable {
    case lookup, delete, suspend

    public var isMutating: Bool { self != .lookup }
}

/// The result of one action of one plugin for one person.
public struct Outcome: Sendable {
    public var vendor: String
    public var action: Action
    public var kind: OutcomeKind
    public var message: String
    public var vendorID: String?
    public var retryable: Bool
    /// The HTTP status and a redacted excerpt of the vendor's last answer (for `failed`).
    public var httpStatus: Int?
    public var excerpt: String?
    public var user: [String: String]
    public var dryRun: Bool
    /// Requests sent, or for `planned` the ones that would have been sent.
    public var requests: [RequestRecord]
    /// The record a lookup returned, as JSON text (redacted); nil otherwise.
    public var recordJSON: String?
    /// For `deleted`: whether the host saw the person gone afterwards (see `Verification`);
    /// nil for every other outcome. `verification` says how, or why not.
    public var verified: Bool?
    public var verification: String?
    /// A mutating request of this action got no answer (a timeout, a connection reset after it
    /// was sent): it may or may not have taken effect, so a `failed` or `not_found` outcome is
    /// not to be trusted until a lookup settles it (the run layer does).
    public var interrupted = false

    /// Marks a deletion verified or not, saying how in the message too (the journal keeps the
    /// message: the receipt says what was checked).
    public mutating func markVerified(_ verified: Bool, _ how: String) {
        self.verified = verified
        verification = how
        message += verified ? " (verified: \(how))" : " (not verified: \(how))"
    }

    public init(vendor: String, action: Action, kind: OutcomeKind, message: String,
                vendorID: String? = nil, retryable: Bool = false, httpStatus: Int? = nil,
                excerpt: String? = nil, user: [String: String], dryRun: Bool,
                requests: [RequestRecord] = [], recordJSON: String? = nil) {
        self.vendor = vendor
        self.action = action
        self.kind = kind
        self.message = message
        self.vendorID = vendorID
        self.retryable = retryable
        self.httpStatus = httpStatus
        self.excerpt = excerpt
        self.user = user
        self.dryRun = dryRun
        self.requests = requests
        self.recordJSON = recordJSON
    }

    /// The one-line JSON object of Contract 3.
    public func jsonLine(line: Int? = nil) -> String {
        var fields: [(String, String)] = [
            ("vendor", JSONText.string(vendor)),
            ("action", JSONText.string(action.rawValue)),
            ("outcome", JSONText.string(kind.rawValue)),
            ("user", JSONText.object(user.sorted { $0.key < $1.key }.map { ($0.key, JSONText.string($0.value)) })),
            ("dry_run", dryRun ? "true" : "false"),
            ("requests", JSONText.array(requests.map { r in
                var f: [(String, String)] = [
                    ("method", JSONText.string(r.method)),
                    ("url", JSONText.string(r.url)),
                    ("status", r.status.map(String.init) ?? "null"),
                ]
                if kind == .planned, let body = r.body { f.append(("body", JSONText.string(body))) }
                return JSONText.object(f)
            })),
            ("message", JSONText.string(message)),
            ("retryable", retryable ? "true" : "false"),
        ]
        // A failure that may have acted at the vendor all the same: `--resume` settles it.
        if interrupted && kind == .failed { fields.append(("outcome_unknown", "true")) }
        if let vendorID { fields.append(("vendor_id", JSONText.string(vendorID))) }
        if let httpStatus { fields.append(("http_status", String(httpStatus))) }
        if let excerpt { fields.append(("excerpt", JSONText.string(excerpt))) }
        if let recordJSON { fields.append(("record", recordJSON)) }
        if let verified { fields.append(("verified", verified ? "true" : "false")) }
        if let verification { fields.append(("verification", JSONText.string(verification))) }
        if let line { fields.append(("line", String(line))) }
        return JSONText.object(fields)
    }
}
