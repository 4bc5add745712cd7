import Synchronization

/// An emulator's running state behind its own lock: requests to different vendors never contend.
/// A class, so the emulator holding it stays a plain value.
final class LockedState<State: Sendable>: Sendable {
    private let mutex: Mutex<State>

    init(_ state: State) { mutex = Mutex(state) }

    func withLock<Result: Sendable>(_ body: (inout State) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
