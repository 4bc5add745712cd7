import ErasureHost
import Foundation

/// The clock of a plugin test's retry waits: a wait is recorded and the clock moves on, nothing
/// is spent — so a test of a 429 with `Retry-After: 90` takes no time and can check the 90 s.
final class RecordingClock: RetryClock {
    private let state: Locked<(now: Date, waits: [Double])>

    init() { state = Locked((Date(), [])) }

    var now: Date { state.current.now }
    var waits: [Double] { state.current.waits }

    func sleep(seconds: Double) async throws {
        state.withLock { s in
            s.waits.append(seconds)
            s.now = s.now.addingTimeInterval(max(0, seconds))
        }
    }
}
