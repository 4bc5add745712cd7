import Foundation

/// One request attempt, or one request held back by dry-run (`planned`, status nil).
/// URL, body and error are redacted.
public struct RequestRecord: Sendable, Equatable {
    public var method: String
    public var url: String
    /// HTTP status; nil when the attempt failed before an answer or the request was planned.
    public var status: Int?
    public var startedAt: Date
    /// Seconds the attempt took (0 for planned).
    public var duration: Double
    /// 1 for the first try of a request, 2 for its first retry...; redirect hops keep the try number.
    public var attempt: Int
    public var planned: Bool
    /// Planned requests only: the body that would have been sent (redacted).
    public var body: String?
    /// Transport error, when there was no answer.
    public var error: String?
    /// SHA-256 (hex) of the body sent and of the answer's body: what a receipt proves.
    public var requestSHA256: String? = nil
    public var responseSHA256: String? = nil
    /// A mutation's attempt whose result is unknown (it may have acted at the vendor; it was not
    /// sent again): the send threw `HostHTTPError` of kind `.outcomeUnknown`.
    public var outcomeUnknown = false
}

/// Collects, for one (user, vendor, action), every attempt sent and every request planned, in
/// order: the outcome's `requests` list and the journal's receipts. Thread-safe; pass one per
/// action to every `HTTPEngine.send` of that action.
public final class ActionRecorder: Sendable {
    private let store = Locked<[RequestRecord]>([])

    public init() {}

    public func record(_ r: RequestRecord) { store.withLock { $0.append(r) } }

    /// Everything, in order.
    public var records: [RequestRecord] { store.current }
    /// Attempts that went out (each retry and redirect hop is one).
    public var sent: [RequestRecord] { store.current.filter { !$0.planned } }
    /// Requests dry-run held back.
    public var planned: [RequestRecord] { store.current.filter(\.planned) }
    public var hasPlanned: Bool { store.withLock { $0.contains(where: \.planned) } }
    /// Whether a mutation of this action has an unknown result, whatever the plugin then did with
    /// the error (a plugin that catches it cannot hide it from the run).
    public var hasUnknownOutcome: Bool { store.withLock { $0.contains(where: \.outcomeUnknown) } }
}
