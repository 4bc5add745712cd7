import Foundation
import HTTPTypes
import Hummingbird

/// A request as an emulator sees it: body already collected, path split after the emulator's prefix.
struct VendorRequest: Sendable {
    let method: HTTPRequest.Method
    /// full path as received (percent-encoded)
    let path: String
    /// path components after the emulator's prefix, percent-decoded, without the empty one a
    /// trailing "/" would add (`user_detail/` is `["user", "user_detail"]`)
    let components: [String]
    let rawQuery: String
    let headers: HTTPFields
    let body: ByteBuffer
    /// its entry in the request log
    let seq: Int
    let log: RequestLog

    func header(_ name: HTTPField.Name) -> String? { headers[name] }

    /// Records that this request changed the state (see `LoggedRequest.effect`).
    func noteEffect(_ effect: String) { log.noteEffect(seq: seq, effect) }

    /// The query string as `Q`'s fields (Hummingbird's form decoding: `+` is a space, `%XX`
    /// decoded); nil when it is not a valid form (a key twice, bad percent-encoding).
    func query<Q: Decodable>(as _: Q.Type) -> Q? {
        try? URLEncodedFormDecoder().decode(Q.self, from: rawQuery)
    }

    /// The body as `application/x-www-form-urlencoded` fields, like `query(as:)`.
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
