import Foundation

/// Builds request URLs from a base URL and path segments so that an id can never change the
/// path's shape: each segment is percent-encoded (RFC 3986 unreserved characters kept), so
/// `../users`, `a/b` and `x?y#z` stay ONE segment, `.` and `..` become `%2E` / `%2E%2E` so no
/// normaliser collapses them, and an empty segment is refused (never `DELETE /users/`).
public enum URLBuilder {
    /// Joins `base` (absolute http(s) URL, its own path kept, trailing `/` ignored) with
    /// `segments` (each encoded as one segment) and appends `query` (encoded pairs, in order).
    public static func join(base: String, segments: [String], query: [(String, String)] = []) throws -> String {
        guard let comps = URLComponents(string: base), let scheme = comps.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = comps.host, !host.isEmpty
        else {
            throw URLBuildError(message: "invalid base URL '\(base)': expected http(s)://host/...")
        }
        var url = base
        var fragment = ""
        if let hashIndex = url.firstIndex(of: "#") {
            fragment = String(url[hashIndex...])
            url = String(url[..<hashIndex])
        }
        var existingQuery = ""
        if let qIndex = url.firstIndex(of: "?") {
            existingQuery = String(url[url.index(after: qIndex)...])
            url = String(url[..<qIndex])
        }
        _ = fragment  // a fragment on a base URL is meaningless for a request; dropped
        while url.hasSuffix("/") { url.removeLast() }
        for (index, segment) in segments.enumerated() {
            guard !segment.isEmpty else {
                throw URLBuildError(
                    message: "empty path segment #\(index + 1) after '\(url)': refusing to build a URL with an empty id")
            }
            url += "/" + encodeSegment(segment)
        }
        return appendQuery(to: url + (existingQuery.isEmpty ? "" : "?" + existingQuery), query)
    }

    /// Appends encoded `key=value` pairs to `url` (which may already carry a query).
    public static func appendQuery(to url: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return url }
        var fragment = ""
        var u = url
        if let hashIndex = u.firstIndex(of: "#") {
            fragment = String(u[hashIndex...])
            u = String(u[..<hashIndex])
        }
        let encoded = query.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
        if u.contains("?") {
            u += (u.hasSuffix("?") || u.hasSuffix("&") ? "" : "&") + encoded
        } else {
            u += "?" + encoded
        }
        return u + fragment
    }

    /// Encodes one path segment: unreserved characters kept, everything else `%XX` (UTF-8), and
    /// the dots a segment starts with encoded too (`..` → `%2E%2E`, `../users` → `%2E%2E%2Fusers`,
    /// `.env` → `%2Eenv`) so no normaliser, even one decoding `%2F` first, sees a dot segment.
    /// Dots inside a segment stay (`ada%40example.com`).
    public static func encodeSegment(_ segment: String) -> String {
        let leadingDots = segment.prefix { $0 == "." }.count
        return String(repeating: "%2E", count: leadingDots) + percentEncode(String(segment.dropFirst(leadingDots)))
    }

    /// RFC 3986 percent-encoding keeping only unreserved characters (ALPHA DIGIT - . _ ~).
    public static func percentEncode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `application/x-www-form-urlencoded` encoding of one value (space as `+`).
    public static func formEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: " ") {
                out += "+"
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A form body: `k1=v1&k2=v2`, form-encoded, in order.
    public static func formBody(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&").utf8)
    }

    static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }
}

public struct URLBuildError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
