import Foundation

/// An OAuth2 access token from a client-credentials grant.
public struct OAuth2Token: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    /// Lifetime the server announced (seconds), nil when it did not say.
    public var expiresIn: Double?
    public var obtainedAt: Date

    public var expiresAt: Date? { expiresIn.map { obtainedAt.addingTimeInterval($0) } }
}

public struct OAuth2Error: Error, CustomStringConvertible, Sendable {
    public var vendor: String
    public var message: String
    public var status: Int?
    /// A 5xx/429 or transport failure may pass on a later run; a 400/401 (bad credentials) will not.
    public var retryable: Bool
    public var description: String { message }
}

/// OAuth2 client credentials (RFC 6749 §4.4): a form POST of `grant_type=client_credentials`,
/// `client_id`, `client_secret` (and `scope`) to `tokenURL`. One instance per vendor per run,
/// shared by every caller: the token is cached, refreshed `refreshMargin` before it expires, and
/// concurrent callers share ONE in-flight token request (single-flight).
/// Token requests go through the engine like any other (the same gate: the token URL's origin must
/// be base_url's or one the plugin or config lists in `hosts`; retries, rate limit) and, being a
/// read-only POST, are sent in dry-run. The client secret and every access token obtained are
/// registered with the vendor's redactor.
public actor OAuth2ClientCredentials {
    public let tokenURL: String
    public let clientID: String
    private let clientSecret: String
    public let scope: String?
    private let engine: HTTPEngine
    private let policy: VendorHTTPPolicy
    /// Seconds before `expires_in` runs out when the token is already considered stale.
    public let refreshMargin: Double

    private var cached: OAuth2Token?
    private var inFlight: Task<OAuth2Token, any Error>?
    /// Token requests actually sent (for tests and receipts).
    public private(set) var fetchCount = 0

    /// `policy` is the vendor's policy, as it is: a token URL it does not allow is refused when the
    /// first token is asked for, before anything is sent.
    public init(tokenURL: String, clientID: String, clientSecret: String, scope: String? = nil, engine: HTTPEngine,
                policy: VendorHTTPPolicy, refreshMargin: Double = 30)
    {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.engine = engine
        self.policy = policy
        self.refreshMargin = refreshMargin
        policy.secrets.add(clientSecret)
        policy.secrets.addBasicPair(user: clientID, password: clientSecret)
    }

    /// A valid access token: the cached one, or a fresh one (one request however many wait).
    public func token(recorder: ActionRecorder? = nil) async throws -> String {
        try await currentToken(recorder: recorder).accessToken
    }

    public func currentToken(recorder: ActionRecorder? = nil) async throws -> OAuth2Token {
        if let cached, isFresh(cached) { return cached }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.fetch(recorder: recorder) }
        inFlight = task
        defer { inFlight = nil }
        let token = try await task.value
        cached = token
        return token
    }

    /// Drops the cached token if it is `token` (a 401 answered it), so the next call fetches a
    /// new one. A token already replaced by another caller is left alone.
    public func invalidate(token: String? = nil) {
        if token == nil || cached?.accessToken == token { cached = nil }
    }

    private func isFresh(_ t: OAuth2Token) -> Bool {
        guard let expiresIn = t.expiresIn else { return true }
        let margin = min(refreshMargin, expiresIn / 2)
        return Date() < t.obtainedAt.addingTimeInterval(expiresIn - margin)
    }

    private func fetch(recorder: ActionRecorder?) async throws -> OAuth2Token {
        fetchCount += 1
        var form = [("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret)]
        if let scope, !scope.isEmpty { form.append(("scope", scope)) }
        var spec = HTTPRequestSpec(method: "POST", url: tokenURL, headers: ["Accept": "application/json"], readOnly: true)
        spec.setFormBody(form)
        let started = Date()
        let result = try await engine.send(spec, policy: policy, recorder: recorder)
        guard case .response(let response) = result else {
            throw OAuth2Error(vendor: policy.vendor, message: "\(policy.vendor): token request was not sent",
                              status: nil, retryable: false)
        }
        let redactor = policy.secrets
        guard response.isSuccess else {
            throw OAuth2Error(
                vendor: policy.vendor,
                message: redactor.redact(
                    "\(policy.vendor): token request to \(tokenURL) answered \(response.status): \(Self.excerpt(response.text))"),
                status: response.status,
                retryable: response.status >= 500 || response.status == 429)
        }
        guard let json = try? JSONValue.parse(response.body), let access = json["access_token"]?.stringValue,
              !access.isEmpty
        else {
            throw OAuth2Error(
                vendor: policy.vendor,
                message: redactor.redact(
                    "\(policy.vendor): token answer from \(tokenURL) has no access_token: \(Self.excerpt(response.text))"),
                status: response.status, retryable: false)
        }
        redactor.add(access)
        return OAuth2Token(accessToken: access, tokenType: json["token_type"]?.stringValue ?? "Bearer",
                           expiresIn: json["expires_in"]?.doubleValue, obtainedAt: started)
    }

    static func excerpt(_ s: String, limit: Int = 200) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}

/// One `OAuth2ClientCredentials` per (vendor, token URL, client id, scope) for a run, so every
/// caller of a vendor shares one token cache.
public final class OAuth2Registry: Sendable {
    private let clients = Locked<[String: OAuth2ClientCredentials]>([:])

    public init() {}

    public func client(tokenURL: String, clientID: String, clientSecret: String, scope: String? = nil,
                       engine: HTTPEngine, policy: VendorHTTPPolicy) -> OAuth2ClientCredentials
    {
        let key = [policy.vendor, tokenURL, clientID, scope ?? ""].joined(separator: "\u{1}")
        return clients.withLock { map in
            if let c = map[key] { return c }
            let c = OAuth2ClientCredentials(tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret,
                                            scope: scope, engine: engine, policy: policy)
            map[key] = c
            return c
        }
    }
}
