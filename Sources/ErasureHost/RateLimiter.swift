import Foundation

/// A token bucket (burst 1, i.e. evenly spaced slots) of `rate` requests per second, shared by
/// every caller of one vendor. `acquire()` reserves the next free slot atomically and then
/// sleeps until it: an async wait, never a blocked thread.
public actor RateLimiter {
    public let rate: Double
    private let interval: Duration
    private var nextFree: ContinuousClock.Instant?

    public init(rate: Double) {
        precondition(rate > 0, "rate must be positive")
        self.rate = rate
        self.interval = .nanoseconds(Int64((1_000_000_000 / rate).rounded()))
    }

    private func reserve() -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        let slot = max(now, nextFree ?? now)
        nextFree = slot + interval
        return slot
    }

    /// Waits for this caller's slot. Throws CancellationError if the task is cancelled.
    public func acquire() async throws {
        let slot = reserve()
        if slot > ContinuousClock.now {
            try await Task.sleep(until: slot, clock: .continuous)
        }
    }
}

/// One rate limiter per vendor, created on first use with that vendor's rate.
final class RateLimiterRegistry: Sendable {
    private let limiters = Locked<[String: RateLimiter]>([:])

    func limiter(vendor: String, rate: Double) -> RateLimiter {
        limiters.withLock { map in
            if let existing = map[vendor], existing.rate == rate { return existing }
            let limiter = RateLimiter(rate: rate)
            map[vendor] = limiter
            return limiter
        }
    }
}
