import Synchronization

/// A value guarded by a lock: the project's one lock idiom, a shareable box around the standard
/// library's `Mutex` (a class, so closures and several owners can hold the same one; a type that
/// owns its state outright may store a `Mutex` itself). Never held across an `await`.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) { mutex = Mutex(value) }

    package func withLock<R: Sendable, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending R in try body(&value) }
    }

    package var current: Value { withLock { $0 } }
}
