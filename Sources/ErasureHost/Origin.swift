import Foundation

/// Scheme + host + port: what the allowlist compares. Two URLs reach the same server only when
/// all three agree, so a plugin allowed `http://127.0.0.1:8080` cannot reach `127.0.0.1:9090`.
/// Ports are normalised (`http` → 80, `https` → 443 when the URL names none); hosts are
/// lower-cased, IPv6 addresses kept without brackets.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int

    public init?(scheme: String, host: String, port: Int?) {
        let scheme = scheme.lowercased()
        guard let defaultPort = Self.defaultPorts[scheme] else { return nil }
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, (1...65_535).contains(port ?? defaultPort) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port ?? defaultPort
    }

    /// The origin of an absolute http(s) URL, read exactly as AsyncHTTPClient reads it to connect
    /// (Foundation's `URL`: scheme, host, port), so the host checks the server the request reaches.
    public init?(url: String) {
        guard let u = URL(string: url), let scheme = u.scheme, let host = u.host else { return nil }
        self.init(scheme: scheme, host: host, port: u.port)
    }

    /// One entry of a plugin's (or a vendor table's) `hosts`:
    /// - `"https://auth.example:8443"`, `"http://127.0.0.1:8080"`: exactly that origin (a path is ignored);
    /// - `"https://auth.example"`, `"http://host"`: that scheme on its default port;
    /// - `"auth.example"`: `https://auth.example:443` only; `"auth.example:8443"`: https on that port.
    /// A bare host never allows plain http: write the scheme to allow it.
    public init?(hostEntry entry: String) {
        let e = entry.trimmingCharacters(in: .whitespaces)
        guard !e.isEmpty, !e.contains(where: { $0.isWhitespace || $0 == "@" }) else { return nil }
        self.init(url: e.contains("://") ? e : "https://" + e)
    }

    public static let defaultPorts = ["http": 80, "https": 443]

    /// `https://auth.example:443`, `http://[::1]:8080`: always with the port, so a refusal says
    /// exactly what was compared.
    public var description: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
