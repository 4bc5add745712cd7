import HTTPTypes
import Hummingbird

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
