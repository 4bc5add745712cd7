import Foundation

/// The one check every request passes before anything is sent: a plugin's request, each redirect
/// hop and every OAuth2 token request. A refusal is final (never retried) and names the vendor.
///
/// - the method is one of `methods` (anything else, CR/LF smuggling included, never reaches the wire);
/// - the URL is absolute http(s), has no control character or space, no empty path segment, and
///   its origin (scheme + host + port) is one the vendor's policy allows;
/// - header names are tokens and values carry no CR, LF, NUL or other control character;
/// - no method-override header (a vendor honouring one would turn a GET into a DELETE, and
///   dry-run decides on the method), and no header the HTTP client owns (`Host` would address
///   another site on a shared address; the framing headers would desynchronise the vendor's parser).
enum RequestGate {
    static let methods: Set<String> = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
    static let methodOverrideHeaders: Set<String> = ["x-http-method-override", "x-http-method", "x-method-override"]
    static let clientOwnedHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive",
        "proxy-connection",
    ]

    /// Checks a request as the plugin built it; returns the origin it goes to.
    @discardableResult
    static func check(method: String, url: String, headers: HeaderFields, policy: VendorHTTPPolicy) throws -> Origin {
        guard methods.contains(method) else {
            throw refusal(policy, "method \(shown(method)) is not one of GET HEAD OPTIONS POST PUT PATCH DELETE")
        }
        for (name, value) in headers {
            let lower = name.lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw refusal(policy, "\(method) \(url): header name \(shown(name)) is not a valid token (it contains CR, LF, NUL, a space or a separator)")
            }
            if methodOverrideHeaders.contains(lower) {
                throw refusal(policy, "\(method) \(url): the method-override header \(name) is refused (the method is what the host checks)")
            }
            if clientOwnedHeaders.contains(lower) {
                throw refusal(policy, "\(method) \(url): header \(name) is set by the host from the URL and body, not by a plugin")
            }
            if let problem = controlProblem(value) {
                throw refusal(policy, "\(method) \(url): header '\(name)' value contains \(problem)")
            }
        }
        return try checkURL(url, method: method, policy: policy, redirectedFrom: nil)
    }

    /// Checks a URL (a request's, or a redirect's `Location` resolved against `redirectedFrom`).
    static func checkURL(_ url: String, method: String, policy: VendorHTTPPolicy, redirectedFrom: String?) throws
        -> Origin
    {
        let r = policy.secrets
        if let problem = controlProblem(url) ?? (url.contains(" ") ? "a space" : nil) {
            throw HostHTTPError(kind: .invalidURL, vendor: policy.vendor,
                                message: r.redact("\(policy.vendor): refusing \(method) \(shown(url)): the URL contains \(problem)"))
        }
        guard let origin = Origin(url: url), let comps = URLComponents(string: url) else {
            throw HostHTTPError(kind: .invalidURL, vendor: policy.vendor,
                                message: r.redact("\(policy.vendor): invalid URL '\(url)': expected http(s)://host/..."))
        }
        guard policy.allows(origin) else {
            if let from = redirectedFrom {
                throw HostHTTPError(
                    kind: .redirectNotAllowed, vendor: policy.vendor,
                    message: r.redact(
                        "\(policy.vendor): redirect from \(from) to '\(origin)' refused: not in the plugin's allowed hosts (\(policy.allowedList))"))
            }
            throw HostHTTPError(
                kind: .hostNotAllowed, vendor: policy.vendor,
                message: r.redact(
                    "\(policy.vendor): \(method) \(url) refused: '\(origin)' is not in the plugin's allowed hosts (\(policy.allowedList)); add it to the plugin's hosts or base_url"))
        }
        let path = comps.percentEncodedPath
        let mutatingPathMethods: Set<String> = ["DELETE", "PUT", "PATCH"]
        if path.contains("//") || (mutatingPathMethods.contains(method) && path.count > 1 && path.hasSuffix("/")) {
            throw HostHTTPError(
                kind: .emptySegment, vendor: policy.vendor,
                message: r.redact("\(policy.vendor): refusing \(method) \(url): the path has an empty segment (an empty id?)"))
        }
        return origin
    }

    private static func refusal(_ policy: VendorHTTPPolicy, _ what: String) -> HostHTTPError {
        HostHTTPError(kind: .invalidRequest, vendor: policy.vendor,
                      message: policy.secrets.redact("\(policy.vendor): request refused before sending: \(what)"))
    }

    /// "CR, LF or NUL" / "a control character" when `s` holds one (HTAB is allowed), else nil.
    static func controlProblem(_ s: String) -> String? {
        var control = false
        for b in s.utf8 where b < 0x20 || b == 0x7F {
            if b == 0x0D || b == 0x0A || b == 0x00 { return "CR, LF or NUL" }
            if b != 0x09 { control = true }
        }
        return control ? "a control character" : nil
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// A plugin-given string for an error message: escapes shown, at most 60 characters.
    private static func shown(_ s: String) -> String {
        let escaped = String(s.debugDescription.dropFirst().dropLast())
        return "'" + (escaped.count > 60 ? escaped.prefix(60) + "…" : escaped) + "'"
    }
}
