import Foundation

/// Everything the host enforces for one vendor's requests. Built once per vendor per run (from
/// the resolved config and the plugin's `hosts`) and passed with every request of that vendor.
public struct VendorHTTPPolicy: Sendable {
    /// The plugin's name: named in every error.
    public var vendor: String
    /// Lower-cased host names a request (or redirect) may go to.
    public var allowedHosts: Set<String>
    public var retry: RetryPolicy
    /// Requests per second for this vendor (shared by every caller), nil = unlimited.
    public var rateLimit: Double?
    public var dryRun: Bool
    public var secrets: Redactor
    /// Per-request timeout when the request does not set one.
    public var timeout: Duration
    /// Redirect hops followed before giving up.
    public var maxRedirects: Int

    public init(vendor: String, allowedHosts: Set<String>, retry: RetryPolicy = .default, rateLimit: Double? = nil,
                dryRun: Bool = false, secrets: Redactor = Redactor(), timeout: Duration = .seconds(30),
                maxRedirects: Int = 5) {
        self.vendor = vendor
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.retry = retry
        self.rateLimit = rateLimit
        self.dryRun = dryRun
        self.secrets = secrets
        self.timeout = timeout
        self.maxRedirects = maxRedirects
    }

    /// base_url's host plus the plugin's `hosts` (entries may be bare hosts or URLs).
    public init(vendor: String, baseURL: String?, hosts: [String], retry: RetryPolicy = .default,
                rateLimit: Double? = nil, dryRun: Bool = false, secrets: Redactor = Redactor(),
                timeout: Duration = .seconds(30)) {
        var allowed: Set<String> = []
        if let baseURL, let h = Self.host(of: baseURL) { allowed.insert(h) }
        for h in hosts { allowed.insert(Self.host(of: h) ?? h.lowercased()) }
        self.init(vendor: vendor, allowedHosts: allowed, retry: retry, rateLimit: rateLimit, dryRun: dryRun,
                  secrets: secrets, timeout: timeout)
    }

    public func allows(host: String) -> Bool { allowedHosts.contains(host.lowercased()) }

    /// Adds a host (e.g. an OAuth2 token URL's host) to the allowlist.
    public mutating func allow(url: String) {
        if let h = Self.host(of: url) { allowedHosts.insert(h) }
    }

    /// Lower-cased host of an absolute URL, IPv6 brackets removed; nil when there is none.
    public static func host(of url: String) -> String? {
        guard url.contains("://"), let comps = URLComponents(string: url), var host = comps.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.lowercased()
    }
}
