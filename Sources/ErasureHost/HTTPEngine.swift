import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The one HTTP client of a run: every plugin request goes through `send`, which enforces, in
/// order: the request gate (method, URL, headers, the vendor's allowed origins: `RequestGate`),
/// dry-run (Contract 5), the vendor's rate limit, the request, redirects (each hop through the
/// gate, at most `maxRedirects`), and retries (`RetryPolicy`: a mutation whose result is unknown
/// is never sent again). Every attempt is recorded in the caller's `ActionRecorder`, and every
/// answered one, with `--record DIR`, in `fixtures` (redacted request/answer pairs a plugin test
/// replays).
///
/// Waits: a wait the vendor asks for (`Retry-After`, or the reset of its declared rate-limit
/// headers) is honoured in full up to the vendor's `maxRetryWait`, and a request never waits past
/// its `timeLeft` (the action's deadline): a longer wait fails the request at once, naming the cap
/// or the deadline, so every action still ends by its deadline. Waits run on `clock`.
///
/// One shared AsyncHTTPClient on the singleton event loop group; its connection pool allows
/// `concurrency` HTTP/1 connections per host; its own redirect following is disabled so the host
/// checks each hop. Call `shutdown()` once at the end of the run.
public final class HTTPEngine: Sendable {
    public let client: HTTPClient
    private let limiters = RateLimiterRegistry()
    private let pauses = VendorPauses()
    private let clock: any RetryClock
    private let logger: Logger
    /// Largest answer body read (bytes); a larger one is a connection error.
    public let maxBodyBytes: Int
    public let userAgent: String
    /// `--record DIR`: where answered attempts are saved (nil: not recording, the usual case).
    public let fixtures: FixtureRecorder?

    public init(concurrency: Int = 64, connectTimeout: Duration = .seconds(10), maxBodyBytes: Int = 64 << 20,
                userAgent: String = "erasure/1.0", logger: Logger? = nil, clock: any RetryClock = SystemClock(),
                fixtures: FixtureRecorder? = nil) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(connectTimeout.nanoseconds)),
            connectionPool: .init(idleTimeout: .seconds(60),
                                  concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, concurrency)),
            decompression: .disabled)
        configuration.httpVersion = .automatic
        // A failed connection fails the attempt at once; the engine's own retry loop (backoff,
        // bounded tries, recorded attempts) decides what happens next.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
        self.userAgent = userAgent
        self.clock = clock
        self.fixtures = fixtures
        self.logger = logger ?? Logger(label: "erasure.http", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Closes every connection. Call once, after the last request.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Sends one plugin request under `policy`. Returns `.planned` (nothing sent) for a mutation
    /// in dry-run. A retryable status still present after the last try is returned as a response
    /// (the plugin decides); a refusal by the gate, a connection error or timeout after the last
    /// try, and a mutation whose result is unknown (`.outcomeUnknown`) throw `HostHTTPError`.
    /// `beforeSending` runs once the request has passed the gate and will really be sent, before
    /// the first attempt of a mutation (the journal makes `sent` durable there): a request the
    /// gate refuses or dry-run holds back never calls it. `admit`, when given, sees each mutation
    /// as dry-run would have planned it (URL and body redacted) before anything else, and refuses
    /// by throwing: applying a plan sends only the mutations it holds.
    public func send(_ spec: HTTPRequestSpec, policy: VendorHTTPPolicy, recorder: ActionRecorder? = nil,
                     admit: (@Sendable (PlannedRequest) throws -> Void)? = nil,
                     beforeSending: (@Sendable () async throws -> Void)? = nil) async throws -> HTTPResult
    {
        let redactor = policy.secrets
        let method = spec.method.uppercased()
        let url = URLBuilder.appendQuery(to: spec.url, spec.query)
        try RequestGate.check(method: method, url: url, headers: spec.headers, policy: policy)
        let mutation = spec.isMutation

        // How a mutation reads in a plan: what a dry run holds back and what `admit` is asked about.
        let plan = mutation && (policy.dryRun || admit != nil)
            ? PlannedRequest(method: method, url: redactor.redact(url), body: spec.body.map { Self.bodyText($0, redactor: redactor) })
            : nil
        if policy.dryRun, let plan {
            recorder?.record(RequestRecord(method: method, url: plan.url, status: nil, startedAt: Date(), duration: 0,
                                           attempt: 1, planned: true, body: plan.body, error: nil))
            logger.info("dry-run: \(method) \(plan.url) not sent", metadata: ["plugin": "\(policy.vendor)"])
            return .planned(plan)
        }

        if let admit, let plan { try admit(plan) }
        if mutation, let beforeSending { try await beforeSending() }
        var headers = spec.headers
        if !headers.contains("user-agent") { headers.add("User-Agent", userAgent) }
        let timeout = spec.timeout ?? policy.timeout
        let deadline = spec.timeLeft.map { clock.now.addingTimeInterval($0.seconds) }
        var tryNumber = 1
        while true {
            do {
                if let declared = policy.rateLimitHeaders {
                    try await waitForWindow(declared, method, url, policy, deadline: deadline)
                }
                let response = try await followRedirects(method: method, url: url, headers: headers, body: spec.body,
                                                          timeout: timeout, policy: policy, recorder: recorder,
                                                          tryNumber: tryNumber, mutation: mutation)
                var vendorReset: Double?
                if let declared = policy.rateLimitHeaders {
                    vendorReset = declared.secondsToReset(response.headers, now: clock.now)
                    if let vendorReset, declared.exhausted(response.headers) {
                        pauses.pause(policy.vendor, until: clock.now.addingTimeInterval(vendorReset))
                    }
                }
                if mutation && policy.retry.leavesOutcomeUnknown(status: response.status) {
                    throw Self.outcomeUnknown(method, url, "a gateway answered \(response.status)", policy,
                                              status: response.status)
                }
                if policy.retry.shouldRetry(status: response.status) && tryNumber < policy.retry.maxTries {
                    let retryAfter = response.headers["retry-after"]
                    let wait = policy.retry.delay(retry: tryNumber, retryAfter: retryAfter,
                                                  vendorReset: response.status == 429 ? vendorReset : nil, now: clock.now)
                    let asked = retryAfter.map { "Retry-After: \($0)" } ?? "its rate-limit reset header"
                    try checkWait(wait.seconds, askedByVendor: wait.askedByVendor,
                                  why: "answered \(response.status)" + (wait.askedByVendor ? " asking to wait (\(asked))" : ""),
                                  method, url, policy, deadline: deadline, status: response.status)
                    logger.info("\(method) \(redactor.redact(url)) answered \(response.status); retry \(tryNumber) in \(String(format: "%.2f", wait.seconds)) s",
                                metadata: ["plugin": "\(policy.vendor)"])
                    try await clock.sleep(seconds: wait.seconds)
                    tryNumber += 1
                    continue
                }
                return .response(response)
            } catch let failure as TransportFailure {
                if mutation && failure.mayHaveReachedVendor {
                    throw Self.outcomeUnknown(method, url, failure.isTimeout ? "no answer in time" : "the connection failed once the request was written",
                                              policy, detail: failure.summary)
                }
                if tryNumber < policy.retry.maxTries {
                    let delay = policy.retry.backoff(retry: tryNumber)
                    try checkWait(delay, askedByVendor: false, why: "failed (\(failure.summary))", method, url, policy,
                                  deadline: deadline, status: nil)
                    logger.info("\(method) \(redactor.redact(url)) failed (\(failure.summary)); retry \(tryNumber) in \(String(format: "%.2f", delay)) s",
                                metadata: ["plugin": "\(policy.vendor)"])
                    try await clock.sleep(seconds: delay)
                    tryNumber += 1
                    continue
                }
                let what = failure.isTimeout ? "timed out" : "failed"
                throw HostHTTPError(
                    kind: failure.isTimeout ? .timeout : .connection, vendor: policy.vendor,
                    message: redactor.redact(
                        "\(policy.vendor): \(method) \(url) \(what) after \(tryNumber) tr\(tryNumber == 1 ? "y" : "ies"): \(failure.summary)"),
                    retryable: true)
            }
        }
    }

    /// Like `send`, with `Authorization: Bearer <token>` from `oauth`; on a 401 the token is
    /// invalidated and the request is retried once with a fresh one (the vendor refused it: it
    /// did not act).
    public func send(_ spec: HTTPRequestSpec, policy: VendorHTTPPolicy, recorder: ActionRecorder? = nil,
                     oauth: OAuth2ClientCredentials, admit: (@Sendable (PlannedRequest) throws -> Void)? = nil,
                     beforeSending: (@Sendable () async throws -> Void)? = nil)
        async throws -> HTTPResult
    {
        var authed = spec
        let token = try await oauth.token(recorder: recorder)
        authed.headers.set("Authorization", "Bearer \(token)")
        let first = try await send(authed, policy: policy, recorder: recorder, admit: admit, beforeSending: beforeSending)
        guard case .response(let r) = first, r.status == 401 else { return first }
        await oauth.invalidate(token: token)
        let fresh = try await oauth.token(recorder: recorder)
        authed.headers.set("Authorization", "Bearer \(fresh)")
        return try await send(authed, policy: policy, recorder: recorder, admit: admit, beforeSending: beforeSending)
    }

    // MARK: - the pipeline

    /// Refuses a wait the vendor asked for that is longer than `max_retry_wait`, and any wait that
    /// would pass the action's deadline: the request fails now, saying which limit and how to
    /// raise it (a 429 or a refused connection was not acted on, so a later run may try again).
    private func checkWait(_ seconds: Double, askedByVendor: Bool, why: String, _ method: String, _ url: String,
                           _ policy: VendorHTTPPolicy, deadline: Date?, status: Int?) throws {
        func fail(_ limit: String) -> HostHTTPError {
            HostHTTPError(kind: .waitTooLong, vendor: policy.vendor,
                          message: policy.secrets.redact("\(policy.vendor): \(method) \(url) \(why): waiting \(Self.seconds(seconds)) s \(limit)"),
                          retryable: true, status: status)
        }
        if askedByVendor && seconds > policy.retry.maxRetryWait {
            throw fail("is more than max_retry_wait = \(Self.seconds(policy.retry.maxRetryWait)) s; raise max_retry_wait in [vendors.\(policy.vendor)] to wait that long")
        }
        if let deadline {
            let left = deadline.timeIntervalSince(clock.now)
            if seconds > left {
                throw fail("would pass the action's deadline (\(Self.seconds(max(0, left))) s left); raise action_timeout in [vendors.\(policy.vendor)] to wait that long")
            }
        }
    }

    /// Waits until the vendor's declared rate-limit window resets, when an earlier answer said no
    /// request was left in it (checked like any wait the vendor asks for).
    private func waitForWindow(_ declared: RateLimitHeaders, _ method: String, _ url: String, _ policy: VendorHTTPPolicy,
                               deadline: Date?) async throws {
        guard let until = pauses.pausedUntil(policy.vendor) else { return }
        let seconds = until.timeIntervalSince(clock.now)
        guard seconds > 0 else { return }
        try checkWait(seconds, askedByVendor: true, why: "held back: \(declared.remaining ?? declared.reset) said no request is left until the reset",
                      method, url, policy, deadline: deadline, status: nil)
        logger.info("\(method) \(policy.secrets.redact(url)): waiting \(Self.seconds(seconds)) s for \(policy.vendor)'s rate-limit window",
                    metadata: ["plugin": "\(policy.vendor)"])
        try await clock.sleep(seconds: seconds)
    }

    static func seconds(_ s: Double) -> String { String(format: "%g", (s * 10).rounded() / 10) }

    private static func outcomeUnknown(_ method: String, _ url: String, _ why: String, _ policy: VendorHTTPPolicy,
                                       status: Int? = nil, detail: String? = nil) -> HostHTTPError {
        HostHTTPError(
            kind: .outcomeUnknown, vendor: policy.vendor,
            message: policy.secrets.redact(
                "\(policy.vendor): \(method) \(url): outcome unknown (\(why)\(detail.map { ": \($0)" } ?? "")); it may have taken effect, so it is not sent again"),
            retryable: true, status: status)
    }

    private func followRedirects(method: String, url: String, headers: HeaderFields, body: [UInt8]?,
                                 timeout: Duration, policy: VendorHTTPPolicy, recorder: ActionRecorder?,
                                 tryNumber: Int, mutation: Bool) async throws -> HTTPResponseData
    {
        var method = method, url = url, headers = headers, body = body
        var hops = 0
        while true {
            let response = try await attempt(method: method, url: url, headers: headers, body: body, timeout: timeout,
                                             policy: policy, recorder: recorder, tryNumber: tryNumber,
                                             mutation: mutation)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"]
            else { return response }
            guard hops < policy.maxRedirects else {
                throw HostHTTPError(
                    kind: .tooManyRedirects, vendor: policy.vendor,
                    message: policy.secrets.redact(
                        "\(policy.vendor): \(method) \(url): more than \(policy.maxRedirects) redirects, giving up"),
                    status: response.status)
            }
            hops += 1
            guard let next = URL(string: location, relativeTo: URL(string: url))?.absoluteURL.absoluteString else {
                throw HostHTTPError(kind: .invalidURL, vendor: policy.vendor,
                                    message: policy.secrets.redact(
                                        "\(policy.vendor): redirect from \(url) to an invalid location '\(location)'"),
                                    status: response.status)
            }
            let nextOrigin = try RequestGate.checkURL(next, method: method, policy: policy, redirectedFrom: url)
            if nextOrigin != Origin(url: url) {
                headers.remove("authorization")  // never hand credentials to another origin
            }
            if (response.status == 303 && method != "HEAD") || ([301, 302].contains(response.status) && method == "POST") {
                method = "GET"
                body = nil
                headers.remove("content-type")
                headers.remove("content-length")
            }
            url = next
        }
    }

    /// One request on the wire (after waiting for the vendor's rate limit); recorded, with
    /// `outcomeUnknown` when it is part of a mutation whose result it leaves unknown.
    private func attempt(method: String, url: String, headers: HeaderFields, body: [UInt8]?, timeout: Duration,
                         policy: VendorHTTPPolicy, recorder: ActionRecorder?, tryNumber: Int, mutation: Bool)
        async throws -> HTTPResponseData
    {
        if let rate = policy.rateLimit, rate > 0 {
            try await limiters.limiter(vendor: policy.vendor, rate: rate).acquire()
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let started = Date()
        let clock = ContinuousClock.now
        let redactedURL = policy.secrets.redact(url)
        func elapsed() -> Double { (ContinuousClock.now - clock).seconds }
        do {
            let response = try await client.execute(request, deadline: .now() + .nanoseconds(timeout.nanoseconds))
            var responseHeaders = HeaderFields()
            for h in response.headers { responseHeaders.add(h.name, h.value) }
            let buffer = try await response.body.collect(upTo: maxBodyBytes)
            let bytes = Array(buffer.readableBytesView)
            let status = Int(response.status.code)
            recorder?.record(RequestRecord(method: method, url: redactedURL, status: status, startedAt: started,
                                           duration: elapsed(), attempt: tryNumber, planned: false, body: nil,
                                           error: nil, requestSHA256: Digest.sha256Hex(body ?? []),
                                           responseSHA256: Digest.sha256Hex(bytes),
                                           outcomeUnknown: mutation && policy.retry.leavesOutcomeUnknown(status: status)))
            fixtures?.record(vendor: policy.vendor, method: method, url: url, requestHeaders: headers, requestBody: body,
                             status: status, headers: responseHeaders, body: bytes, redactor: policy.secrets)
            logger.debug("\(method) \(redactedURL) → \(status)", metadata: ["plugin": "\(policy.vendor)"])
            return HTTPResponseData(status: status, headers: responseHeaders, body: bytes, url: url)
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            let failure = TransportFailure(error)
            recorder?.record(RequestRecord(method: method, url: redactedURL, status: nil, startedAt: started,
                                           duration: elapsed(), attempt: tryNumber, planned: false, body: nil,
                                           error: policy.secrets.redact(failure.summary),
                                           outcomeUnknown: mutation && failure.mayHaveReachedVendor))
            throw failure
        }
    }

    static func bodyText(_ body: [UInt8], redactor: Redactor) -> String {
        let redacted = redactor.redact(body)
        if let s = String(validating: redacted, as: UTF8.self) { return s }
        return "<\(body.count) bytes, not UTF-8>"
    }

}

/// A request that got no (complete) HTTP answer: connection refused or reset, TLS, a timeout, an
/// answer too large. `mayHaveReachedVendor` is false only when the connection could not be made,
/// so nothing of the request was written; for anything else the vendor may have acted on it.
struct TransportFailure: Error {
    var summary: String
    var isTimeout: Bool
    var mayHaveReachedVendor: Bool

    init(_ error: any Error) {
        if let e = error as? HTTPClientError {
            isTimeout = [HTTPClientError.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(e)
            summary = isTimeout ? "timeout (\(e))" : "\(e)"
        } else {
            isTimeout = false
            summary = "\(error)"
        }
        mayHaveReachedVendor = !Self.isConnectFailure(error)
    }

    /// The errors AsyncHTTPClient fails a request with when its connection could not be
    /// established (connection establishment is not retried inside the client, see `init`).
    static func isConnectFailure(_ error: any Error) -> Bool {
        switch error {
        case let e as HTTPClientError: return e == .connectTimeout
        case is NIOConnectionError: return true
        case let e as ChannelError:
            if case .connectTimeout = e { return true }
            return false
        case let e as IOError: return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(e.errnoCode)
        default: return false
        }
    }
}
