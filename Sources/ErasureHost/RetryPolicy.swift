import Foundation

/// When and how long to wait before trying a request again.
/// Retried: connection errors, timeouts, and the statuses in `retryableStatuses` (429, 502, 503,
/// 504). Every other status is returned to the plugin on the first answer.
public struct RetryPolicy: Sendable, Equatable {
    /// Total tries, the first included (config key `retries`). At least 1.
    public var maxTries: Int
    /// Backoff base: the n-th retry waits a random time in [0, min(maxDelay, baseDelay * 2^(n-1))].
    public var baseDelay: Double
    public var maxDelay: Double
    /// A `Retry-After` longer than this is capped to it.
    public var retryAfterCap: Double
    public var retryableStatuses: Set<Int>

    public init(maxTries: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 10, retryAfterCap: Double = 30,
                retryableStatuses: Set<Int> = [429, 502, 503, 504]) {
        self.maxTries = max(1, maxTries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryAfterCap = retryAfterCap
        self.retryableStatuses = retryableStatuses
    }

    public static let `default` = RetryPolicy()

    public func shouldRetry(status: Int) -> Bool { retryableStatuses.contains(status) }

    /// Full-jitter exponential backoff before retry number `retry` (1 = first retry).
    public func backoff(retry: Int) -> Double {
        let exp = baseDelay * pow(2, Double(max(0, retry - 1)))
        return Double.random(in: 0...min(maxDelay, exp))
    }

    /// The delay before the next try: `Retry-After` (capped) when the answer has one, else backoff.
    public func delay(retry: Int, retryAfter: String?, now: Date = Date()) -> Double {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: now) {
            return min(max(0, seconds), retryAfterCap)
        }
        return backoff(retry: retry)
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
