import Foundation
import XCTest
@testable import LuaBridge

/// Runs `body`, which must throw a LuaError of `kind` whose message contains `fragment`.
@discardableResult
func assertLuaError(_ kind: LuaError.Kind, _ fragment: String,
                    file: StaticString = #filePath, line: UInt = #line,
                    _ body: () async throws -> Any) async -> LuaError? {
    do {
        let v = try await body()
        XCTFail("expected a \(kind) error containing \"\(fragment)\", got \(v)", file: file, line: line)
        return nil
    } catch let e as LuaError {
        XCTAssertEqual(e.kind, kind, "message: \(e.message)", file: file, line: line)
        XCTAssertTrue(e.message.contains(fragment), "\"\(e.message)\" does not contain \"\(fragment)\"",
                      file: file, line: line)
        return e
    } catch {
        XCTFail("expected LuaError, got \(error)", file: file, line: line)
        return nil
    }
}

func makeRuntime(_ limits: LuaLimits = LuaLimits()) async throws -> (LuaRuntime, LuaEnvironment) {
    let rt = try LuaRuntime(limits: limits)
    return (rt, await rt.newEnvironment(name: "test"))
}

/// Counts arrivals; releases everyone once `expected` are waiting.
actor Gate {
    let expected: Int
    private(set) var waiting = 0
    private(set) var maxWaiting = 0
    private var continuations: [CheckedContinuation<Void, Never>] = []
    init(expected: Int) { self.expected = expected }
    func arrive() async {
        waiting += 1
        maxWaiting = max(maxWaiting, waiting)
        if waiting == expected {
            let all = continuations
            continuations.removeAll()
            for c in all { c.resume() }
            return
        }
        await withCheckedContinuation { continuations.append($0) }
    }
}

/// Mutable state shared with a sync host function (which only ever runs on the runtime's actor).
final class UnsafeSendableBox<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}

struct TookTooLong: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}

/// True for the first caller only.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool { lock.lock(); defer { lock.unlock() }; if done { return false }; done = true; return true }
}

/// Runs `body`, failing (instead of hanging the suite) when it has not finished within `seconds`.
/// (Not a task group: a group would wait for a body stuck in C.)
func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = Once()
    return try await withCheckedThrowingContinuation { (k: CheckedContinuation<T, Error>) in
        let work = Task {
            do {
                let v = try await body()
                if once.claim() { k.resume(returning: v) }
            } catch {
                if once.claim() { k.resume(throwing: error) }
            }
        }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if once.claim() {
                work.cancel()
                k.resume(throwing: TookTooLong(seconds: seconds))
            }
        }
    }
}

/// Seconds `body` took.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
