import Foundation
import XCTest

@testable import ErasureHost
import ErasureTesting

/// The waits of the retry loop, on a clock the test controls (never wall time): what the vendor
/// asks for is waited in full up to `max_retry_wait`, never past the action's deadline, and a
/// vendor's declared rate-limit headers hold the next request back until the reset.
final class HTTPEngineWaitTests: XCTestCase {
    var server: TestServer!
    var clock: TestClock!
    var engine: HTTPEngine!

    override func setUp() async throws {
        server = try await TestServer.start()
        clock = TestClock()
        engine = HTTPEngine(concurrency: 4, clock: clock)
    }

    override func tearDown() async throws {
        try await engine.shutdown()
        await server.stop()
    }

    func policy(maxRetryWait: Double = 300, maxTries: Int = 4, headers: RateLimitHeaders? = nil) -> VendorHTTPPolicy {
        var retry = RetryPolicy(maxTries: maxTries, maxRetryWait: maxRetryWait)
        retry.baseDelay = 0.01
        return VendorHTTPPolicy(vendor: "acme", baseURL: server.base, hosts: [], retry: retry, rateLimitHeaders: headers)
    }

    func get(_ path: String, _ p: VendorHTTPPolicy, timeLeft: Duration? = nil, method: String = "GET") async throws -> HTTPResponseData {
        var spec = HTTPRequestSpec(method: method, url: server.base + path)
        spec.timeLeft = timeLeft
        let result = try await engine.send(spec, policy: p)
        return try XCTUnwrap(result.response)
    }

    func testA93SecondRetryAfterIsWaitedInFullUnderA120SecondCap() async throws {
        let r = try await get("/limited/a?retry_after=93", policy(maxRetryWait: 120))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(clock.slept, [93], "waited exactly what the vendor asked, not a hidden 30 s cap")
        let seen = await server.seen.seen(pathPrefix: "/limited/a")
        XCTAssertEqual(seen.count, 2)
    }

    func testARetryAfterBeyondTheCapFailsNamingTheCap() async throws {
        do {
            _ = try await get("/limited/b?retry_after=121", policy(maxRetryWait: 120))
            XCTFail("a 121 s wait under a 120 s cap must fail")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .waitTooLong)
            XCTAssertTrue(e.retryable)
            XCTAssertEqual(e.status, 429)
            XCTAssertTrue(e.message.contains("max_retry_wait = 120 s"), e.message)
            XCTAssertTrue(e.message.contains("Retry-After: 121"), e.message)
        }
        XCTAssertEqual(clock.slept, [], "nothing waited")
        let seen = await server.seen.seen(pathPrefix: "/limited/b")
        XCTAssertEqual(seen.count, 1, "not sent again")
    }

    func testAnHTTPDateRetryAfterIsWaitedUntilThatTime() async throws {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let at = f.string(from: clock.now.addingTimeInterval(45)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try await get("/limited/d?retry_after=\(at)", policy())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(clock.slept, [45])
    }

    func testAWaitPastTheActionDeadlineFailsAtOnceSayingSo() async throws {
        do {
            _ = try await get("/limited/c?retry_after=93", policy(maxRetryWait: 120), timeLeft: .seconds(60))
            XCTFail("a 93 s wait with 60 s left must fail")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .waitTooLong)
            XCTAssertTrue(e.message.contains("would pass the action's deadline (60 s left)"), e.message)
            XCTAssertTrue(e.message.contains("action_timeout"), e.message)
        }
        XCTAssertEqual(clock.slept, [])
    }

    func testA429MutationIsRetriedItWasNotExecuted() async throws {
        let r = try await get("/limited/m?retry_after=5", policy(), method: "DELETE")
        XCTAssertEqual(r.status, 200)
        let seen = await server.seen.seen(pathPrefix: "/limited/m")
        XCTAssertEqual(seen.map(\.method), ["DELETE", "DELETE"])
        XCTAssertEqual(clock.slept, [5])
    }

    func testMaxAttemptsCountsEveryTry() async throws {
        let r = try await get("/limited/t?retry_after=1&n=9", policy(maxTries: 3))
        XCTAssertEqual(r.status, 429, "the last answer goes to the plugin")
        XCTAssertEqual(clock.slept, [1, 1])
        let seen = await server.seen.seen(pathPrefix: "/limited/t")
        XCTAssertEqual(seen.count, 3)
    }

    // MARK: - a vendor's own rate-limit headers

    let epochHeaders = RateLimitHeaders(remaining: "X-Rate-Limit-Remaining", reset: "X-Rate-Limit-Reset", resetIs: .epoch)

    func testNoRequestLeftHoldsTheNextRequestUntilTheEpochReset() async throws {
        let p = policy(headers: epochHeaders)
        let reset = Int(clock.now.timeIntervalSince1970) + 7
        _ = try await get("/window?remaining=0&reset=\(reset)", p)
        XCTAssertEqual(clock.slept, [], "the answer itself is not delayed")
        let r = try await get("/json", p)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(clock.slept, [7], "the next request waited until the reset, before any 429")
        _ = try await get("/json", p)
        XCTAssertEqual(clock.slept, [7], "after the reset, no more waiting")
    }

    func testRequestsLeftAreNotHeldBack() async throws {
        let p = policy(headers: epochHeaders)
        _ = try await get("/window?remaining=3&reset=\(Int(clock.now.timeIntervalSince1970) + 7)", p)
        _ = try await get("/json", p)
        XCTAssertEqual(clock.slept, [])
    }

    func testA429WithoutRetryAfterWaitsForTheDeltaReset() async throws {
        let p = policy(headers: RateLimitHeaders(remaining: "X-Rate-Limit-Remaining", reset: "X-Rate-Limit-Reset", resetIs: .delta))
        let r = try await get("/limited/r?remaining=0&reset=12", p)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(clock.slept, [12], "waited exactly until the reset, not a backoff guess")
    }

    func testAResetBeyondTheCapFails() async throws {
        let p = policy(maxRetryWait: 10, headers: RateLimitHeaders(remaining: nil, reset: "X-Rate-Limit-Reset", resetIs: .delta))
        do {
            _ = try await get("/limited/x?reset=30", p)
            XCTFail("a 30 s reset under a 10 s cap must fail")
        } catch let e as HostHTTPError {
            XCTAssertTrue(e.message.contains("max_retry_wait = 10 s"), e.message)
        }
    }
}
