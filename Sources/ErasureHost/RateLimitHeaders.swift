import Foundation

/// A vendor's own rate-limit headers, as its plugin declares them
/// (`rate_limit = { remaining = "X-Rate-Limit-Remaining", reset = "X-Rate-Limit-Reset", reset_is = "epoch" }`):
/// when an answer says no request is left, the next request to that vendor waits until the reset
/// — so the host slows down before the vendor answers 429 — and a 429 without `Retry-After`
/// waits until that reset instead of guessing.
public struct RateLimitHeaders: Sendable, Equatable {
    public enum Reset: String, Sendable {
        /// The reset is a time: seconds since the epoch.
        case epoch
        /// The reset is a number of seconds from now.
        case delta
    }
    public var remaining: String?
    public var reset: String
    public var resetIs: Reset

    public init(remaining: String?, reset: String, resetIs: Reset) {
        self.remaining = remaining
        self.reset = reset
        self.resetIs = resetIs
    }

    /// Seconds from `now` until the window the answer describes resets, or nil (no header, or
    /// not a number).
    public func secondsToReset(_ headers: HeaderFields, now: Date) -> Double? {
        guard let text = headers[reset]?.trimmingCharacters(in: .whitespaces), let value = Double(text),
              value.isFinite else { return nil }
        switch resetIs {
        case .epoch: return max(0, value - now.timeIntervalSince1970)
        case .delta: return max(0, value)
        }
    }

    /// Whether the answer says no request is left in this window.
    public func exhausted(_ headers: HeaderFields) -> Bool {
        guard let remaining, let text = headers[remaining]?.trimmingCharacters(in: .whitespaces),
              let left = Double(text) else { return false }
        return left <= 0
    }
}

/// Per vendor: until when the vendor's own headers said no request is left (shared by every
/// caller of the vendor, like `RateLimiter`).
final class VendorPauses: Sendable {
    private let until = Locked<[String: Date]>([:])

    func pause(_ vendor: String, until date: Date) {
        until.withLock { map in map[vendor] = max(map[vendor] ?? date, date) }
    }

    func pausedUntil(_ vendor: String) -> Date? { until.withLock { $0[vendor] } }
}
