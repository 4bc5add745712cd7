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
