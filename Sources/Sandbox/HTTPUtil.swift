import Foundation
import HTTPTypes
import Hummingbird

/// A request as the vendor emulators see it: body already collected, path split after the
/// vendor's documented prefix.
struct VendorRequest: Sendable {
    let method: HTTPRequest.Method
    /// full path as received (percent-encoded)
    let path: String
    /// path components after the vendor prefix, percent-decoded
    let components: [String]
    /// true when the path after the prefix ended with "/" (e.g. `user_detail/` with an empty id)
    let trailingSlash: Bool
    let rawQuery: String
    let headers: HTTPFields
    let body: ByteBuffer

    func header(_ name: HTTPField.Name) -> String? { headers[name] }

    var query: [String: String] { parseFormEncoded(rawQuery) }

    var bodyData: Data { Data(body.readableBytesView) }

    /// The body as a JSON object, or nil when it is not one.
    var jsonObject: [String: Any]? {
        guard body.readableBytes > 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: bodyData, options: [])) as? [String: Any]
    }
}

/// Parses `a=1&b=x%20y` (also `+` as space). Later duplicates win.
func parseFormEncoded(_ s: String) -> [String: String] {
    var out: [String: String] = [:]
    if s.isEmpty { return out }
    for pair in s.split(separator: "&", omittingEmptySubsequences: true) {
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let k = formDecode(kv[0])
        let v = kv.count > 1 ? formDecode(kv[1]) : ""
        out[k] = v
    }
    return out
}

func formDecode(_ s: Substring) -> String {
    if !s.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) { return String(s) }
    let plus = s.replacingOccurrences(of: "+", with: " ")
    return plus.removingPercentEncoding ?? plus
}

func percentDecode(_ s: Substring) -> String {
    if !s.utf8.contains(UInt8(ascii: "%")) { return String(s) }
    return String(s).removingPercentEncoding ?? String(s)
}

func base64URLDecode(_ s: Substring) -> Data? {
    var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while t.count % 4 != 0 { t += "=" }
    return Data(base64Encoded: t)
}

/// A JSON number from JSONSerialization as an Int (rejects fractions and booleans-as-strings).
func intValue(_ v: Any?) -> Int? {
    switch v {
    case let i as Int: return i
    case let d as Double where d == d.rounded() && abs(d) < 9e15: return Int(d)
    default: return nil
    }
}

/// 8-4-4-4-12 hex digits (what `UUID(uuidString:)` accepts), without Foundation's cost.
func isUUID(_ s: String) -> Bool {
    var n = 0
    for c in s.utf8 {
        switch n {
        case 8, 13, 18, 23: if c != UInt8(ascii: "-") { return false }
        default:
            let hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
            if !hex { return false }
        }
        n += 1
        if n > 36 { return false }
    }
    return n == 36
}

extension HTTPField.Name {
    static let xProgramID = HTTPField.Name("X-Program-ID")!
    static let apiKey = HTTPField.Name("api-key")!
    static let companyID = HTTPField.Name("companyid")!
    static let requestID = HTTPField.Name("requestid")!
    static let requestIDUnderscore = HTTPField.Name("request_id")!
}

/// A constant answer serialised once (hot paths answer without building JSON).
struct Canned: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer
    init(_ status: HTTPResponse.Status, _ value: JSON, contentType: String = "application/json",
         extra: [(HTTPField.Name, String)] = []) {
        self.status = status
        var h = HTTPFields()
        h[.contentType] = contentType
        for (k, v) in extra { h.append(HTTPField(name: k, value: v)) }
        headers = h
        body = ByteBuffer(string: value.serialized)
    }
    var response: Response { Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)) }
}

enum Reply {
    static func json(_ status: HTTPResponse.Status, _ value: JSON,
                     contentType: String = "application/json", extra: [(HTTPField.Name, String)] = []) -> Response {
        let text = value.serialized
        var headers = HTTPFields()
        headers.reserveCapacity(2 + extra.count)
        headers[.contentType] = contentType
        for (k, v) in extra { headers.append(HTTPField(name: k, value: v)) }
        return Response(status: status, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func raw(_ status: HTTPResponse.Status, _ bytes: [UInt8], headers: HTTPFields) -> Response {
        Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
