import Foundation
import HTTPTypes
import Hummingbird

/// A request as an emulator sees it: body already collected, path split after the emulator's prefix.
struct VendorRequest: Sendable {
    /// as received (its body is `body`)
    let request: Request
    /// full path as received (percent-encoded)
    let path: String
    /// path components after the emulator's prefix, percent-decoded, without the empty one a
    /// trailing "/" would add (`user_detail/` is `["user", "user_detail"]`)
    let components: [String]
    let body: ByteBuffer
    /// its entry in the request log
    let seq: Int
    let log: RequestLog

    var method: HTTPRequest.Method { request.method }

    func header(_ name: HTTPField.Name) -> String? { request.headers[name] }

    /// Records that this request changed the state (see `LoggedRequest.effect`).
    func noteEffect(_ effect: String) { log.noteEffect(seq: seq, effect) }

    /// The query's parameters, as Hummingbird parses them (values `%XX`-decoded; of a key given
    /// twice the first counts). Parsed on each call: read it once.
    var query: Parameters { request.uri.queryParameters }

    /// The body as `application/x-www-form-urlencoded` fields decoded into `F` (Hummingbird's form
    /// decoder: `+` is a space, `%XX` decoded); nil when it is not a valid form (a key twice, bad
    /// percent-encoding).
    func form<F: Decodable>(as _: F.Type) -> F? {
        try? URLEncodedFormDecoder().decode(F.self, from: String(buffer: body))
    }

    /// The body as a JSON object, or nil when it is not one.
    var jsonObject: [String: Any]? {
        guard body.readableBytes > 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [])) as? [String: Any]
    }
}

/// A JSON number from JSONSerialization as an Int (rejects fractions and booleans-as-strings).
func intValue(_ v: Any?) -> Int? {
    switch v {
    case let i as Int: return i
    case let d as Double where d == d.rounded() && abs(d) < 9e15: return Int(d)
    default: return nil
    }
}
