import HTTPTypes
import Hummingbird

/// Answers built per request.
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
