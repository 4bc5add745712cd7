import ErasureHost
import Foundation

/// A clock under the test's control: `sleep` returns at once and moves `now` by the time slept,
/// and every wait is listed — so a test checks a 93 s wait was waited in full, in no time.
package final class TestClock: RetryClock {
    private let state: Locked<(now: Date, slept: [Double])>

    package init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) { state = Locked((now, [])) }

    package var now: Date { state.current.now }
    /// Every wait, in seconds, in order.
    package var slept: [Double] { state.current.slept }

    package func sleep(seconds: Double) async throws {
        state.withLock { s in
            s.slept.append(seconds)
            s.now = s.now.addingTimeInterval(max(0, seconds))
        }
    }
}
