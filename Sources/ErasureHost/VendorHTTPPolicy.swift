import Foundation

/// Everything the host enforces for one vendor's requests. Built once per vendor per run (from
/// the resolved config and the plugin's `hosts`) and passed with every request of that vendor.
public struct VendorHTTPPolicy: Sendable {
    /// The plugin's name: named in every error.
    public var vendor: String
    /// The origins (scheme + host + port) a request, a redirect or a token request may go to.
    /// Fixed when the policy is built: nothing a plugin does at run time adds to it.
    public private(set) var allowedOrigins: Set<Origin>
    public var retry: RetryPolicy
    /// Requests per second for this vendor (shared by every caller), nil = unlimited.
    public var rateLimit: Double?
    /// The vendor's own rate-limit headers, as its plugin declares them (nil: none declared).
    public var rateLimitHeaders: RateLimitHeaders?
    public var dryRun: Bool
    public var secrets: Redactor
    /// Per-request timeout when the request does not set one.
    public var timeout: Duration
    /// Redirect hops followed before giving up.
    public var maxRedirects: Int

    public init(vendor: String, allowedOrigins: Set<Origin>, retry: RetryPolicy = .default, rateLimit: Double? = nil,
                dryRun: Bool = false, secrets: Redactor = Redactor(), timeout: Duration = .seconds(30),
                maxRedirects: Int = 5) {
        self.vendor = vendor
        self.allowedOrigins = allowedOrigins
        self.retry = retry
        self.rateLimit = rateLimit
        self.dryRun = dryRun
        self.secrets = secrets
        self.timeout = timeout
        self.maxRedirects = maxRedirects
    }

    /// base_url's origin plus the `hosts` entries (see `Origin(hostEntry:)`; an entry that is not
    /// one is left out: `invalidHostEntries` names them, and start-up refuses them).
    public init(vendor: String, baseURL: String?, hosts: [String], retry: RetryPolicy = .default,
                rateLimit: Double? = nil, dryRun: Bool = false, secrets: Redactor = Redactor(),
                timeout: Duration = .seconds(30), rateLimitHeaders: RateLimitHeaders? = nil) {
        var allowed = Set(hosts.compactMap(Origin.init(hostEntry:)))
        if let baseURL, let origin = Origin(url: baseURL) { allowed.insert(origin) }
        self.init(vendor: vendor, allowedOrigins: allowed, retry: retry, rateLimit: rateLimit, dryRun: dryRun,
                  secrets: secrets, timeout: timeout)
        self.rateLimitHeaders = rateLimitHeaders
    }

    /// The entries of `hosts` that name no origin.
    public static func invalidHostEntries(_ hosts: [String]) -> [String] {
        hosts.filter { Origin(hostEntry: $0) == nil }
    }

    public func allows(_ origin: Origin) -> Bool { allowedOrigins.contains(origin) }

    /// This policy with its allowed origins cut down to those of `only`.
    public func confined(to only: Set<Origin>) -> VendorHTTPPolicy {
        var p = self
        p.allowedOrigins = allowedOrigins.intersection(only)
        return p
    }

    /// The allowed origins, sorted, for error messages.
    public var allowedList: String { allowedOrigins.map(\.description).sorted().joined(separator: ", ") }
}
