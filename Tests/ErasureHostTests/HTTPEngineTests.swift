import AsyncHTTPClient
import Foundation
import NIOCore
import Sandbox
import XCTest

@testable import ErasureHost
import ErasureTesting

final class HTTPEngineTests: XCTestCase {
    var server: TestServer!
    var engine: HTTPEngine!

    override func setUp() async throws {
        server = try await TestServer.start()
        engine = HTTPEngine(concurrency: 64)
    }

    override func tearDown() async throws {
        try await engine.shutdown()
        await server.stop()
    }

    func policy(_ vendor: String = "testvendor", dryRun: Bool = false, rateLimit: Double? = nil,
                retry: RetryPolicy = .default, secrets: Redactor = Redactor(), hosts: [String] = []) -> VendorHTTPPolicy {
        VendorHTTPPolicy(vendor: vendor, baseURL: server.base, hosts: hosts, retry: retry, rateLimit: rateLimit,
                         dryRun: dryRun, secrets: secrets)
    }

    func send(_ spec: HTTPRequestSpec, _ p: VendorHTTPPolicy? = nil, recorder: ActionRecorder? = nil) async throws
        -> HTTPResponseData
    {
        let result = try await engine.send(spec, policy: p ?? policy(), recorder: recorder)
        guard let r = result.response else { throw XCTSkip("unexpected planned result") }
        return r
    }

    func jsonObject(_ r: HTTPResponseData) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
    }

    // MARK: - round trips

    func testGetAndPostJSONRoundTrip() async throws {
        let recorder = ActionRecorder()
        let get = try await send(HTTPRequestSpec(url: server.base + "/json"), recorder: recorder)
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.headers["CONTENT-TYPE"], "application/json", "\(get.headers.fields)")
        XCTAssertEqual(get.headers["content-type"], "application/json")
        let got = try jsonObject(get)
        XCTAssertEqual(got["hello"] as? String, "world")
        XCTAssertEqual(got["n"] as? Int, 42)

        var post = HTTPRequestSpec(method: "post", url: server.base + "/json")
        post.setJSONBody(Array(#"{"name":"Ada","tags":["x","y"],"n":7}"#.utf8))
        let answer = try await send(post, recorder: recorder)
        XCTAssertEqual(answer.status, 201)
        let obj = try jsonObject(answer)
        XCTAssertEqual(obj["method"] as? String, "POST")
        let received = try XCTUnwrap(obj["received"] as? [String: Any])
        XCTAssertEqual(received["name"] as? String, "Ada")
        XCTAssertEqual(received["tags"] as? [String], ["x", "y"])
        XCTAssertEqual(received["n"] as? Int, 7)

        let seen = await server.seen.seen(pathPrefix: "/json")
        XCTAssertEqual(seen.map(\.method), ["GET", "POST"])
        XCTAssertEqual(seen[1].headers["content-type"], "application/json")
        XCTAssertEqual(recorder.sent.map(\.status), [200, 201])
        XCTAssertEqual(recorder.sent.map(\.method), ["GET", "POST"])
    }

    func testQueryPairsAreEncoded() async throws {
        let r = try await send(HTTPRequestSpec(url: server.base + "/echo/q", query: [("email", "a+b@x.y"), ("q", "a b&c=d")]))
        XCTAssertEqual(try jsonObject(r)["target"] as? String, "/echo/q?email=a%2Bb%40x.y&q=a%20b%26c%3Dd")
    }

    func test64RequestsInFlightAtOnce() async throws {
        let p = policy()
        let url = server.base + "/slow?ms=1500"
        let engine = self.engine!
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { try await engine.send(HTTPRequestSpec(url: url), policy: p).response!.status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(statuses.count, 64)
        XCTAssertTrue(statuses.allSatisfy { $0 == 200 })
        let maxInFlight = await server.seen.maxInFlight
        XCTAssertGreaterThanOrEqual(maxInFlight, 64, "the server should see 64 requests in flight at once")
    }

    // MARK: - retries

    func test429WithRetryAfterIsRetriedAfterOneSecond() async throws {
        let recorder = ActionRecorder()
        let start = ContinuousClock.now
        let r = try await send(HTTPRequestSpec(url: server.base + "/flaky429/a"), recorder: recorder)
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(r.status, 200)
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(1))
        let seen = await server.seen.seen(pathPrefix: "/flaky429/a")
        XCTAssertEqual(seen.count, 2)
        XCTAssertEqual(recorder.sent.map(\.status), [429, 200])
        XCTAssertEqual(recorder.sent.map(\.attempt), [1, 2])
        XCTAssertGreaterThanOrEqual(recorder.sent[1].startedAt.timeIntervalSince(recorder.sent[0].startedAt), 1.0)
    }

    func test503HTMLThenSuccess() async throws {
        let recorder = ActionRecorder()
        let r = try await send(HTTPRequestSpec(method: "DELETE", url: server.base + "/flaky503/u1"), recorder: recorder)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(try jsonObject(r)["ok"] as? Bool, true)
        let seen = await server.seen.seen(pathPrefix: "/flaky503/u1")
        XCTAssertEqual(seen.map(\.method), ["DELETE", "DELETE"])
        XCTAssertEqual(recorder.sent.map(\.status), [503, 200])
    }

    func test400IsNotRetried() async throws {
        let recorder = ActionRecorder()
        let r = try await send(HTTPRequestSpec(url: server.base + "/status/400"), recorder: recorder)
        XCTAssertEqual(r.status, 400)
        let seen = await server.seen.seen(pathPrefix: "/status/400")
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(recorder.sent.count, 1)
    }

    func testRetriesStopAtMaxTriesAndReturnLastAnswer() async throws {
        var retry = RetryPolicy(maxTries: 3)
        retry.baseDelay = 0.01
        let r = try await send(HTTPRequestSpec(url: server.base + "/always503"), policy(retry: retry))
        XCTAssertEqual(r.status, 503)
        let seen = await server.seen.seen(pathPrefix: "/always503")
        XCTAssertEqual(seen.count, 3)
    }

    func testConnectionErrorIsRetriedThenThrowsRetryable() async throws {
        // a port nobody listens on: bind a server, note its port, stop it
        let gone = try await TestServer.start()
        let port = gone.port
        await gone.stop()
        var retry = RetryPolicy(maxTries: 2)
        retry.baseDelay = 0.01
        let p = VendorHTTPPolicy(vendor: "gone", baseURL: "http://127.0.0.1:\(port)", hosts: [], retry: retry)
        let recorder = ActionRecorder()
        do {
            _ = try await engine.send(HTTPRequestSpec(url: "http://127.0.0.1:\(port)/x"), policy: p, recorder: recorder)
            XCTFail("expected a connection error")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .connection)
            XCTAssertTrue(e.retryable)
            XCTAssertTrue(e.message.contains("gone"), e.message)
            XCTAssertTrue(e.message.contains("after 2 tries"), e.message)
        }
        XCTAssertEqual(recorder.sent.count, 2)
        XCTAssertTrue(recorder.sent.allSatisfy { $0.status == nil && $0.error != nil })
    }

    func testTimeoutIsRetriedThenThrows() async throws {
        var retry = RetryPolicy(maxTries: 2)
        retry.baseDelay = 0.01
        let recorder = ActionRecorder()
        do {
            _ = try await engine.send(HTTPRequestSpec(url: server.base + "/slow?ms=2000", timeout: .milliseconds(200)),
                                      policy: policy(retry: retry), recorder: recorder)
            XCTFail("expected a timeout")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .timeout, e.message)
            XCTAssertTrue(e.retryable)
        }
        XCTAssertEqual(recorder.sent.count, 2)
    }

    // MARK: - mutations whose result is unknown (issue 12, finding 12: the host's half)

    func testTimedOutMutationIsNotSentAgainAndSaysItsOutcomeIsUnknown() async throws {
        var retry = RetryPolicy(maxTries: 3)
        retry.baseDelay = 0.01
        for method in ["DELETE", "PUT", "PATCH", "POST"] {
            let recorder = ActionRecorder()
            do {
                _ = try await engine.send(HTTPRequestSpec(method: method, url: server.base + "/slow?ms=1500",
                                                          timeout: .milliseconds(200)),
                                          policy: policy(retry: retry), recorder: recorder)
                XCTFail("expected \(method) to fail")
            } catch let e as HostHTTPError {
                XCTAssertEqual(e.kind, .outcomeUnknown, e.message)
                XCTAssertTrue(e.outcomeUnknown)
                XCTAssertTrue(e.retryable)
                XCTAssertTrue(e.message.contains("outcome unknown"), e.message)
            }
            XCTAssertEqual(recorder.sent.count, 1, method)
            XCTAssertTrue(recorder.hasUnknownOutcome, method)
        }
        // A GET and a read-only POST (a search) may be sent again: they change nothing.
        for spec in [HTTPRequestSpec(url: server.base + "/slow?ms=1500", timeout: .milliseconds(200)),
                     HTTPRequestSpec(method: "POST", url: server.base + "/slow?ms=1500", timeout: .milliseconds(200),
                                     readOnly: true)] {
            let recorder = ActionRecorder()
            do {
                _ = try await engine.send(spec, policy: policy(retry: retry), recorder: recorder)
                XCTFail("expected a timeout")
            } catch let e as HostHTTPError {
                XCTAssertEqual(e.kind, .timeout, e.message)
            }
            XCTAssertEqual(recorder.sent.count, 3)
            XCTAssertFalse(recorder.hasUnknownOutcome)
        }
        let seen = await server.seen.seen(pathPrefix: "/slow").count
        XCTAssertEqual(seen, 4 + 3 + 3)
    }

    func testMutationIsSentAgainWhenTheVendorCannotHaveActed() async throws {
        var retry = RetryPolicy(maxTries: 2)
        retry.baseDelay = 0.01
        // 429 and 503: the vendor says it did not act
        let recorder = ActionRecorder()
        let limited = try await send(HTTPRequestSpec(method: "DELETE", url: server.base + "/flaky429/d?after=0"),
                                     policy(retry: retry), recorder: recorder)
        XCTAssertEqual(limited.status, 200)
        XCTAssertEqual(recorder.sent.map(\.status), [429, 200])
        // nothing written: the connection was refused
        let gone = try await TestServer.start()
        let port = gone.port
        await gone.stop()
        let p = VendorHTTPPolicy(vendor: "gone", baseURL: "http://127.0.0.1:\(port)", hosts: [], retry: retry)
        let refused = ActionRecorder()
        do {
            _ = try await engine.send(HTTPRequestSpec(method: "DELETE", url: "http://127.0.0.1:\(port)/x"), policy: p,
                                      recorder: refused)
            XCTFail("expected a connection error")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .connection, e.message)
        }
        XCTAssertEqual(refused.sent.count, 2)
        XCTAssertFalse(refused.hasUnknownOutcome)
    }

    func testGatewayErrorOnAMutationIsOutcomeUnknown() async throws {
        for status in [502, 504] {
            let recorder = ActionRecorder()
            do {
                _ = try await engine.send(HTTPRequestSpec(method: "DELETE", url: server.base + "/status/\(status)"),
                                          policy: policy(), recorder: recorder)
                XCTFail("expected outcome unknown")
            } catch let e as HostHTTPError {
                XCTAssertEqual(e.kind, .outcomeUnknown, e.message)
                XCTAssertEqual(e.status, status)
            }
            XCTAssertEqual(recorder.sent.map(\.status), [status])
            XCTAssertTrue(recorder.hasUnknownOutcome)
        }
        let seen = await server.seen.seen(pathPrefix: "/status/").count
        XCTAssertEqual(seen, 2, "neither was sent again")
    }

    func testConnectionClosedOnceAMutationWasWrittenIsOutcomeUnknownWhileAGETIsRetried() async throws {
        let sandbox = try await SandboxServer.start()
        var fault = HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/faults")
        fault.method = .POST
        fault.body = .bytes(ByteBuffer(string: #"{"vendor":"cubicasa","path_contains":"/users/drop-me","drop":true,"count":10}"#))
        _ = try await HTTPClient.shared.execute(fault, timeout: .seconds(10))
        var retry = RetryPolicy(maxTries: 3)
        retry.baseDelay = 0.01
        let p = VendorHTTPPolicy(vendor: "cubicasa", baseURL: sandbox.baseURL, hosts: [], retry: retry)
        let url = sandbox.baseURL + "/cubicasa/api/integrate/v3/users/drop-me"
        let delete = ActionRecorder()
        do {
            _ = try await engine.send(HTTPRequestSpec(method: "DELETE", url: url), policy: p, recorder: delete)
            XCTFail("expected outcome unknown")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .outcomeUnknown, e.message)
        }
        let get = ActionRecorder()
        do {
            _ = try await engine.send(HTTPRequestSpec(url: url), policy: p, recorder: get)
            XCTFail("expected a connection error")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .connection, e.message)
        }
        let log = try await HTTPClient.shared.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/requests"),
                                                      timeout: .seconds(10))
        let body = try await log.body.collect(upTo: 1 << 20)
        await sandbox.stop()
        let requests = (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["requests"] as? [[String: Any]] ?? []
        XCTAssertEqual(requests.compactMap { $0["method"] as? String }, ["DELETE", "GET", "GET", "GET"])
        XCTAssertEqual(delete.sent.count, 1)
        XCTAssertEqual(get.sent.count, 3)
    }

    // MARK: - allowlist and redirects

    func testDisallowedHostIsRefusedAndNothingSent() async throws {
        do {
            _ = try await engine.send(HTTPRequestSpec(method: "DELETE", url: server.otherHostBase + "/echo/x"),
                                      policy: policy("cubicasa"))
            XCTFail("expected refusal")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .hostNotAllowed)
            XCTAssertTrue(e.message.contains("cubicasa"), e.message)
            XCTAssertTrue(e.message.contains("'http://localhost:\(server.port)'"), e.message)
        }
        let count = await server.seen.requests.count
        XCTAssertEqual(count, 0)
    }

    func testPluginHostsExtendTheAllowlist() async throws {
        let r = try await send(HTTPRequestSpec(url: server.otherHostBase + "/echo/x"), policy(hosts: [server.otherHostBase]))
        XCTAssertEqual(r.status, 200)
    }

    func testRedirectToAnotherHostIsRefused() async throws {
        let to = server.otherHostBase + "/echo/stolen"
        let url = try URLBuilder.join(base: server.base, segments: ["redirect"], query: [("to", to)])
        do {
            _ = try await engine.send(HTTPRequestSpec(url: url), policy: policy("gafapay"))
            XCTFail("expected refusal")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .redirectNotAllowed)
            XCTAssertTrue(e.message.contains("gafapay"), e.message)
            XCTAssertTrue(e.message.contains("'http://localhost:\(server.port)'"), e.message)
        }
        let stolen = await server.seen.seen(pathPrefix: "/echo/stolen")
        XCTAssertEqual(stolen.count, 0)
    }

    func testRedirectWithinAllowedHostIsFollowedAnd303BecomesGET() async throws {
        let url = try URLBuilder.join(base: server.base, segments: ["redirect"],
                                      query: [("to", "/echo/after"), ("status", "303")])
        var spec = HTTPRequestSpec(method: "POST", url: url)
        spec.setJSONBody(Array("{}".utf8))
        let r = try await send(spec)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(try jsonObject(r)["method"] as? String, "GET")
        XCTAssertTrue(r.url.hasSuffix("/echo/after"))
    }

    func testRedirectLoopStopsAfterFiveHops() async throws {
        do {
            _ = try await engine.send(HTTPRequestSpec(url: server.base + "/loop"), policy: policy())
            XCTFail("expected too many redirects")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .tooManyRedirects, e.message)
        }
        let n = await server.seen.seen(pathPrefix: "/loop").count
        XCTAssertEqual(n, 6, "the first request and 5 hops")
    }

    // MARK: - URL segments

    func testPathSegmentsArriveEncodedAsOneSegment() async throws {
        for (segment, expected) in [("../users", "%2E%2E%2Fusers"), ("a/b", "a%2Fb"), ("x?y#z", "x%3Fy%23z"),
                                    ("..", "%2E%2E"), (".", "%2E"), (".env", "%2Eenv"), ("ada@example.com", "ada%40example.com"), ("é 1", "%C3%A9%201")] {
            let url = try URLBuilder.join(base: server.base + "/echo/users/", segments: [segment])
            let r = try await send(HTTPRequestSpec(method: "DELETE", url: url))
            XCTAssertEqual(try jsonObject(r)["target"] as? String, "/echo/users/" + expected, segment)
        }
    }

    func testEmptySegmentIsRefused() async throws {
        XCTAssertThrowsError(try URLBuilder.join(base: server.base + "/users", segments: [""])) { error in
            XCTAssertTrue("\(error)".contains("empty"), "\(error)")
        }
        // and a hand-built URL with an empty id never leaves either
        for url in [server.base + "/echo/users//x", server.base + "/echo/users/"] {
            do {
                _ = try await engine.send(HTTPRequestSpec(method: "DELETE", url: url), policy: policy("engagelab"))
                XCTFail("expected refusal of \(url)")
            } catch let e as HostHTTPError {
                XCTAssertEqual(e.kind, .emptySegment)
                XCTAssertTrue(e.message.contains("engagelab"))
            }
        }
        let count = await server.seen.requests.count
        XCTAssertEqual(count, 0)
    }

    // MARK: - dry-run

    func testDryRunSendsOnlySafeAndReadOnlyRequests() async throws {
        let secrets = Redactor(secrets: ["s3cr3t-VALUE"])
        let p = policy("pagos", dryRun: true, secrets: secrets)
        let recorder = ActionRecorder()
        let get = try await engine.send(HTTPRequestSpec(url: server.base + "/echo/get"), policy: p, recorder: recorder)
        XCTAssertEqual(get.response?.status, 200)

        var post = HTTPRequestSpec(method: "POST", url: server.base + "/echo/post", query: [("key", "s3cr3t-VALUE")])
        post.setJSONBody(Array(#"{"user":"ada","token":"s3cr3t-VALUE"}"#.utf8))
        let planned = try await engine.send(post, policy: p, recorder: recorder)
        let plan = try XCTUnwrap(planned.planned)
        XCTAssertEqual(plan.method, "POST")
        XCTAssertEqual(plan.url, server.base + "/echo/post?key=***")
        XCTAssertEqual(plan.body, #"{"user":"ada","token":"***"}"#)

        let put = try await engine.send(HTTPRequestSpec(method: "PUT", url: server.base + "/echo/put"), policy: p,
                                        recorder: recorder)
        XCTAssertNotNil(put.planned)
        let del = try await engine.send(HTTPRequestSpec(method: "DELETE", url: server.base + "/echo/delete"),
                                        policy: p, recorder: recorder)
        XCTAssertNotNil(del.planned)

        var search = HTTPRequestSpec(method: "POST", url: server.base + "/echo/search", readOnly: true)
        search.setJSONBody(Array("{}".utf8))
        let searched = try await engine.send(search, policy: p, recorder: recorder)
        XCTAssertEqual(searched.response?.status, 200)

        let seen = await server.seen.requests
        XCTAssertEqual(seen.map { "\($0.method) \($0.target)" }, ["GET /echo/get", "POST /echo/search"])
        XCTAssertEqual(recorder.planned.map(\.method), ["POST", "PUT", "DELETE"])
        XCTAssertTrue(recorder.planned.allSatisfy { $0.status == nil })
        XCTAssertEqual(recorder.sent.map(\.method), ["GET", "POST"])
        XCTAssertEqual(recorder.records.map(\.method), ["GET", "POST", "PUT", "DELETE", "POST"])
        XCTAssertTrue(recorder.hasPlanned)
    }

    /// Issue 12, finding 5: `read_only` lets a POST (a search) through a dry run, never a DELETE,
    /// PUT or PATCH: those are held back and planned like any mutation.
    func testReadOnlyIsHonouredOnlyForPOST() async throws {
        let p = policy("gafapay", dryRun: true)
        let recorder = ActionRecorder()
        for method in ["DELETE", "PUT", "PATCH", "POST"] {
            let spec = HTTPRequestSpec(method: method, url: server.base + "/echo/\(method.lowercased())", readOnly: true)
            XCTAssertEqual(spec.isMutation, method != "POST", method)
            let result = try await engine.send(spec, policy: p, recorder: recorder)
            XCTAssertEqual(result.planned != nil, method != "POST", method)
        }
        XCTAssertEqual(recorder.planned.map(\.method), ["DELETE", "PUT", "PATCH"])
        XCTAssertEqual(recorder.planned.map(\.url), ["delete", "put", "patch"].map { server.base + "/echo/" + $0 })
        let seen = await server.seen.requests.map { "\($0.method) \($0.target)" }
        XCTAssertEqual(seen, ["POST /echo/post"])
    }

    func testDryRunStillRefusesDisallowedHosts() async throws {
        do {
            _ = try await engine.send(HTTPRequestSpec(method: "DELETE", url: "http://evil.example/x"),
                                      policy: policy(dryRun: true))
            XCTFail("expected refusal")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .hostNotAllowed)
        }
    }

    // MARK: - rate limit

    func testRateLimitIsSharedByEveryCaller() async throws {
        let p = policy("dragonpass", rateLimit: 10)
        let engine = self.engine!
        let base = server.base
        let start = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: Int?.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await engine.send(HTTPRequestSpec(url: base + "/echo/rl/\(i)"), policy: p).response?.status
                }
            }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 200, count: 20))
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(1500), "20 requests at 10/s must take about 1.9 s")
        // spacing as the server saw it: the first and the last are >= 1.5 s apart
        let times = await server.seen.seen(pathPrefix: "/echo/rl/").map(\.time).sorted()
        XCTAssertEqual(times.count, 20)
        XCTAssertGreaterThanOrEqual(times.last!.timeIntervalSince(times.first!), 1.5)
    }

    // MARK: - redaction of what a vendor echoes and URLs

    func testSecretsAreRedactedInRecordsErrorsAndEchoedAnswers() async throws {
        let secret = "Zq9-SECRET-api-key/+="
        let redactor = Redactor(secrets: [secret])
        let p = policy("cubicasa", secrets: redactor)
        let recorder = ActionRecorder()
        var spec = HTTPRequestSpec(url: server.base + "/echo/me", query: [("api_key", secret)])
        spec.headers.add(Auth.header("X-Api-Key", secret, secret: true, redactor: redactor).0, secret)
        let basic = Auth.basic(user: "app", password: secret, redactor: redactor)
        spec.headers.add(basic.0, basic.1)
        let r = try await engine.send(spec, policy: p, recorder: recorder).response!
        // the vendor echoes the secret back (raw, URL-encoded and inside base64 Basic)
        XCTAssertTrue(r.text.contains(secret.replacingOccurrences(of: "/", with: "\\/"))
                      || r.text.contains(secret))
        let shown = redactor.redact(r.text)
        XCTAssertFalse(shown.contains("SECRET"), shown)
        XCTAssertFalse(shown.contains(basic.1.dropFirst(6)), shown)
        XCTAssertTrue(shown.contains("***"))
        XCTAssertFalse(String(decoding: redactor.redact(r.body), as: UTF8.self).contains("SECRET"))
        XCTAssertFalse(r.excerpt(redactor: redactor).contains("SECRET"))
        XCTAssertTrue(r.excerpt(redactor: redactor, limit: 10).hasSuffix("…"))
        // recorded URL
        XCTAssertEqual(recorder.sent.first?.url, server.base + "/echo/me?api_key=***")
        // error naming a URL with the secret in it
        do {
            _ = try await engine.send(HTTPRequestSpec(url: "http://evil.example/x?k=" + URLBuilder.percentEncode(secret)),
                                      policy: p)
        } catch let e as HostHTTPError {
            XCTAssertFalse(e.message.contains("SECRET"), e.message)
            XCTAssertTrue(e.message.contains("k=***"), e.message)
        }
    }
}
