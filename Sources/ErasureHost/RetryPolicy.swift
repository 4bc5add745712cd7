import Foundation

/// When and how long to wait before trying a request again.
/// Retried: connection errors, timeouts, and the statuses in `retryableStatuses` (429, 502, 503,
/// 504). Every other status is returned to the plugin on the first answer.
///
/// A mutation (`HTTPRequestSpec.isMutation`) is sent again only when the vendor cannot have acted
/// on it: the connection failed before anything was written, or the vendor answered one of
/// `statusesBeforeAction`. When its result is unknown — a timeout, a connection reset or closed
/// once it was written, a gateway's 502 or 504 — it is not sent again (`HostHTTPError.Kind.outcomeUnknown`).
public struct RetryPolicy: Sendable, Equatable {
    /// Total tries, the first included (config key `max_attempts`, formerly `retries`). At least 1.
    public var maxTries: Int
    /// Backoff base: the n-th retry waits a random time in [0, min(maxDelay, baseDelay * 2^(n-1))].
    public var baseDelay: Double
    public var maxDelay: Double
    /// The longest wait the vendor may ask for (`Retry-After`, or its declared reset header) that
    /// is honoured, in seconds (config key `max_retry_wait`): a longer one fails the request,
    /// naming this cap, rather than being cut short (a vendor asked to wait is not answered early).
    public var maxRetryWait: Double
    public var retryableStatuses: Set<Int>
    /// The retryable statuses that say the vendor did not act (429 Too Many Requests, 503 Service
    /// Unavailable): only these send a mutation again. A 502 or 504 comes from a gateway that may
    /// have passed the request on.
    public var statusesBeforeAction: Set<Int>

    public init(maxTries: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 10, maxRetryWait: Double = 300,
                retryableStatuses: Set<Int> = [429, 502, 503, 504], statusesBeforeAction: Set<Int> = [429, 503]) {
        self.maxTries = max(1, maxTries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryWait = maxRetryWait
        self.retryableStatuses = retryableStatuses
        self.statusesBeforeAction = statusesBeforeAction
    }

    public static let `default` = RetryPolicy()

    public func shouldRetry(status: Int) -> Bool { retryableStatuses.contains(status) }

    /// Whether a mutation answered `status` has an unknown result (a retryable status that does
    /// not say the vendor held back).
    public func leavesOutcomeUnknown(status: Int) -> Bool {
        retryableStatuses.contains(status) && !statusesBeforeAction.contains(status)
    }

    /// Full-jitter exponential backoff before retry number `retry` (1 = first retry).
    public func backoff(retry: Int) -> Double {
        let exp = baseDelay * pow(2, Double(max(0, retry - 1)))
        return Double.random(in: 0...min(maxDelay, exp))
    }

    /// The wait before the next try: what the vendor asked for — `Retry-After` when the answer has
    /// one, else `vendorReset` (seconds to the reset its declared rate-limit headers name) — or
    /// backoff. `askedByVendor` waits are checked against `maxRetryWait` by the caller.
    public func delay(retry: Int, retryAfter: String?, vendorReset: Double? = nil, now: Date = Date())
        -> (seconds: Double, askedByVendor: Bool)
    {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: now) { return (max(0, seconds), true) }
        if let vendorReset { return (max(0, vendorReset), true) }
        return (backoff(retry: retry), false)
    }

    /// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` → seconds from `now`.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(v), seconds.isFinite { return max(0, seconds) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = format
            if let date = f.date(from: v) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}
