import Foundation

/// The time the HTTP engine's waits are measured and spent in: the wall clock (an HTTP-date
/// `Retry-After`, an epoch rate-limit reset) and sleeping. Injected so tests can run a 93 s wait
/// in no time and check it was waited in full; every run uses `SystemClock`.
public protocol RetryClock: Sendable {
    var now: Date { get }
    func sleep(seconds: Double) async throws
}

/// Real time: `Date()` and `Task.sleep` (cancellable: a cancelled action stops waiting).
public struct SystemClock: RetryClock {
    public init() {}
    public var now: Date { Date() }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
