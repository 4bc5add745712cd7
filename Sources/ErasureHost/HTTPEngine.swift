import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The one HTTP client of a run: every plugin request goes through `send`, which enforces, in
/// order: URL validity (no empty path segment), the vendor's host allowlist, dry-run (Contract 5),
/// the vendor's rate limit, the request, redirects (only to allowed hosts, at most
/// `maxRedirects` hops), and retries (connection errors, timeouts, 429/502/503/504).
/// Every attempt is recorded in the caller's `ActionRecorder`.
///
/// One shared AsyncHTTPClient on the singleton event loop group; its connection pool allows
/// `concurrency` HTTP/1 connections per host; its own redirect following is disabled so the host
/// checks each hop. Call `shutdown()` once at the end of the run.
public final class HTTPEngine: Sendable {
    public let client: HTTPClient
    private let limiters = RateLimiterRegistry()
    private let logger: Logger
    /// Largest answer body read (bytes); a larger one is a connection error.
    public let maxBodyBytes: Int
    public let userAgent: String

    public init(concurrency: Int = 64, connectTimeout: Duration = .seconds(10), maxBodyBytes: Int = 64 << 20,
                userAgent: String = "erasure/1.0", logger: Logger? = nil) {
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
        self.logger = logger ?? Logger(label: "erasure.http", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Closes every connection. Call once, after the last request.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Sends one plugin request under `policy`. Returns `.planned` (nothing sent) for a mutating,
    /// non-read-only request in dry-run. A retryable status still present after the last try is
    /// returned as a response (the plugin decides); a connection error or timeout after the last
    /// try, a refused host or redirect, and an invalid URL throw `HostHTTPError`.
    public func send(_ spec: HTTPRequestSpec, policy: VendorHTTPPolicy, recorder: ActionRecorder? = nil)
        async throws -> HTTPResult
    {
        try await send(spec, policy: policy, recorder: recorder, exemptFromDryRun: false)
    }

    /// Like `send`, with `Authorization: Bearer <token>` from `oauth`; on a 401 the token is
    /// invalidated and the request is retried once with a fresh one.
    public func send(_ spec: HTTPRequestSpec, policy: VendorHTTPPolicy, recorder: ActionRecorder? = nil,
                     oauth: OAuth2ClientCredentials) async throws -> HTTPResult
    {
        var authed = spec
        let token = try await oauth.token(recorder: recorder)
        authed.headers.set("Authorization", "Bearer \(token)")
        let first = try await send(authed, policy: policy, recorder: recorder)
        guard case .response(let r) = first, r.status == 401 else { return first }
        await oauth.invalidate(token: token)
        let fresh = try await oauth.token(recorder: recorder)
        authed.headers.set("Authorization", "Bearer \(fresh)")
        return try await send(authed, policy: policy, recorder: recorder)
    }

    // MARK: - the pipeline

    func send(_ spec: HTTPRequestSpec, policy: VendorHTTPPolicy, recorder: ActionRecorder?, exemptFromDryRun: Bool)
        async throws -> HTTPResult
    {
        let redactor = policy.secrets
        let method = spec.method.uppercased()
        let url = URLBuilder.appendQuery(to: spec.url, spec.query)
        try validate(url: url, method: method, policy: policy, redirect: false)

        if policy.dryRun && !spec.isSafeMethod && !spec.readOnly && !exemptFromDryRun {
            let plan = PlannedRequest(method: method, url: redactor.redact(url),
                                      body: spec.body.map { Self.bodyText($0, redactor: redactor) })
            recorder?.record(RequestRecord(method: method, url: plan.url, status: nil, startedAt: Date(), duration: 0,
                                           attempt: 1, planned: true, body: plan.body, error: nil))
            logger.info("dry-run: \(method) \(plan.url) not sent", metadata: ["plugin": "\(policy.vendor)"])
            return .planned(plan)
        }

        var headers = spec.headers
        if !headers.contains("user-agent") { headers.add("User-Agent", userAgent) }
        let timeout = spec.timeout ?? policy.timeout
        var tryNumber = 1
        while true {
            do {
                let response = try await followRedirects(method: method, url: url, headers: headers, body: spec.body,
                                                          timeout: timeout, policy: policy, recorder: recorder,
                                                          tryNumber: tryNumber)
                if policy.retry.shouldRetry(status: response.status) && tryNumber < policy.retry.maxTries {
                    let delay = policy.retry.delay(retry: tryNumber, retryAfter: response.headers["retry-after"])
                    logger.info("\(method) \(redactor.redact(url)) answered \(response.status); retry \(tryNumber) in \(String(format: "%.2f", delay)) s",
                                metadata: ["plugin": "\(policy.vendor)"])
                    try await Self.sleep(seconds: delay)
                    tryNumber += 1
                    continue
                }
                return .response(response)
            } catch let failure as TransportFailure {
                if tryNumber < policy.retry.maxTries {
                    let delay = policy.retry.backoff(retry: tryNumber)
                    logger.info("\(method) \(redactor.redact(url)) failed (\(failure.summary)); retry \(tryNumber) in \(String(format: "%.2f", delay)) s",
                                metadata: ["plugin": "\(policy.vendor)"])
                    try await Self.sleep(seconds: delay)
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

    private func followRedirects(method: String, url: String, headers: HeaderFields, body: [UInt8]?,
                                 timeout: Duration, policy: VendorHTTPPolicy, recorder: ActionRecorder?,
                                 tryNumber: Int) async throws -> HTTPResponseData
    {
        var method = method, url = url, headers = headers, body = body
        var hops = 0
        while true {
            let response = try await attempt(method: method, url: url, headers: headers, body: body, timeout: timeout,
                                             policy: policy, recorder: recorder, tryNumber: tryNumber)
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
            try validate(url: next, method: method, policy: policy, redirect: true, from: url)
            if VendorHTTPPolicy.host(of: next) != VendorHTTPPolicy.host(of: url) {
                headers.remove("authorization")  // never hand credentials to another host
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

    /// One request on the wire (after waiting for the vendor's rate limit); recorded.
    private func attempt(method: String, url: String, headers: HeaderFields, body: [UInt8]?, timeout: Duration,
                         policy: VendorHTTPPolicy, recorder: ActionRecorder?, tryNumber: Int) async throws
        -> HTTPResponseData
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
                                           responseSHA256: Digest.sha256Hex(bytes)))
            logger.debug("\(method) \(redactedURL) → \(status)", metadata: ["plugin": "\(policy.vendor)"])
            return HTTPResponseData(status: status, headers: responseHeaders, body: bytes, url: url)
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            let failure = TransportFailure(error)
            recorder?.record(RequestRecord(method: method, url: redactedURL, status: nil, startedAt: started,
                                           duration: elapsed(), attempt: tryNumber, planned: false, body: nil,
                                           error: policy.secrets.redact(failure.summary)))
            throw failure
        }
    }

    /// Refuses a URL that is not absolute http(s), has an empty path segment, or whose host the
    /// vendor's allowlist does not name — before anything is sent.
    private func validate(url: String, method: String, policy: VendorHTTPPolicy, redirect: Bool, from: String? = nil)
        throws
    {
        let r = policy.secrets
        guard let comps = URLComponents(string: url), let scheme = comps.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = VendorHTTPPolicy.host(of: url)
        else {
            throw HostHTTPError(kind: .invalidURL, vendor: policy.vendor,
                                message: r.redact("\(policy.vendor): invalid URL '\(url)': expected http(s)://host/..."))
        }
        guard policy.allows(host: host) else {
            if redirect {
                throw HostHTTPError(
                    kind: .redirectNotAllowed, vendor: policy.vendor,
                    message: r.redact(
                        "\(policy.vendor): redirect from \(from ?? "?") to host '\(host)' refused: not in the plugin's allowed hosts (\(policy.allowedHosts.sorted().joined(separator: ", ")))"))
            }
            throw HostHTTPError(
                kind: .hostNotAllowed, vendor: policy.vendor,
                message: r.redact(
                    "\(policy.vendor): \(method) \(url) refused: host '\(host)' is not in the plugin's allowed hosts (\(policy.allowedHosts.sorted().joined(separator: ", "))); add it to the plugin's hosts or base_url"))
        }
        let path = comps.percentEncodedPath
        let mutatingPathMethods: Set<String> = ["DELETE", "PUT", "PATCH"]
        if path.contains("//") || (mutatingPathMethods.contains(method) && path.count > 1 && path.hasSuffix("/")) {
            throw HostHTTPError(
                kind: .emptySegment, vendor: policy.vendor,
                message: r.redact("\(policy.vendor): refusing \(method) \(url): the path has an empty segment (an empty id?)"))
        }
    }

    static func bodyText(_ body: [UInt8], redactor: Redactor) -> String {
        let redacted = redactor.redact(body)
        if let s = String(validating: redacted, as: UTF8.self) { return s }
        return "<\(body.count) bytes, not UTF-8>"
    }

    static func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// A request that got no HTTP answer (connection refused/reset, TLS, timeout): retryable.
struct TransportFailure: Error {
    var summary: String
    var isTimeout: Bool

    init(_ error: any Error) {
        if let e = error as? HTTPClientError {
            isTimeout = [HTTPClientError.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(e)
            summary = isTimeout ? "timeout (\(e))" : "\(e)"
        } else {
            isTimeout = false
            summary = "\(error)"
        }
    }
}
