import Foundation

/// Header fields in order, with case-insensitive lookup.
public struct HeaderFields: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// First value of `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Every value of `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Replaces every value of `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
    }

    /// Lower-cased names, last value wins — convenient for a Lua table.
    public var dictionary: [String: String] {
        var d: [String: String] = [:]
        for f in fields { d[f.name.lowercased()] = f.value }
        return d
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (a: HeaderFields, b: HeaderFields) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One request a plugin asks for. `url` is absolute (build it with `URLBuilder.join`);
/// `query` pairs are appended encoded. `timeout` nil = the vendor's configured timeout.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: String
    public var query: [(String, String)]
    public var headers: HeaderFields
    public var body: [UInt8]?
    public var timeout: Duration?
    /// A POST that changes nothing (a search done by POST): sent in dry-run, retried like a GET.
    /// Ignored on every other method: a DELETE, PUT or PATCH is always a mutation.
    public var readOnly: Bool
    /// What is left of the action's deadline: no retry wait goes past it (nil: no deadline).
    public var timeLeft: Duration?

    public init(method: String = "GET", url: String, query: [(String, String)] = [], headers: HeaderFields = [:],
                body: [UInt8]? = nil, timeout: Duration? = nil, readOnly: Bool = false) {
        self.method = method.uppercased()
        self.url = url
        self.query = query
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.readOnly = readOnly
    }

    /// Sets a JSON body (bytes already encoded) and `Content-Type: application/json` unless set.
    public mutating func setJSONBody(_ bytes: [UInt8]) {
        body = bytes
        if !headers.contains("content-type") { headers.add("Content-Type", "application/json") }
    }

    /// Sets an `application/x-www-form-urlencoded` body.
    public mutating func setFormBody(_ pairs: [(String, String)]) {
        body = URLBuilder.formBody(pairs)
        if !headers.contains("content-type") { headers.add("Content-Type", "application/x-www-form-urlencoded") }
    }

    /// GET, HEAD and OPTIONS never change anything.
    public var isSafeMethod: Bool { ["GET", "HEAD", "OPTIONS"].contains(method) }

    /// Whether the request may change something at the vendor: held back in dry-run, made durable
    /// as `sent` in the journal before it leaves, and never sent twice when its result is unknown.
    public var isMutation: Bool { !isSafeMethod && !(readOnly && method == "POST") }
}

/// The vendor's answer (after redirects and retries). Bodies are raw bytes; the secrets of the
/// vendor are NOT redacted here (a plugin may need them byte-exact); redact before surfacing.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: HeaderFields
    public var body: [UInt8]
    /// The URL that produced this answer (after redirects).
    public var url: String

    public init(status: Int, headers: HeaderFields, body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The start of the answer on one line, secrets redacted: for `failed` outcome messages.
    public func excerpt(redactor: Redactor, limit: Int = 300) -> String {
        let flat = redactor.redact(text).split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}

/// A request held back by dry-run: what a real run would send (URL and body already redacted).
public struct PlannedRequest: Sendable, Hashable, Codable {
    public var method: String
    public var url: String
    public var body: String?

    public init(method: String, url: String, body: String?) {
        self.method = method
        self.url = url
        self.body = body
    }
}

/// What `HTTPEngine.send` returns: a real answer, or (dry-run, mutating request) a plan.
/// The plugin layer turns an action that planned anything into the `planned` outcome.
public enum HTTPResult: Sendable {
    case response(HTTPResponseData)
    case planned(PlannedRequest)

    public var response: HTTPResponseData? {
        if case .response(let r) = self { return r }
        return nil
    }

    public var planned: PlannedRequest? {
        if case .planned(let p) = self { return p }
        return nil
    }
}

/// An error from the host HTTP layer. `message` is already redacted and names the plugin;
/// `retryable` tells the workflow whether a later run may succeed.
public struct HostHTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Refused before sending (never retried): the URL, its origin, a redirect, the method or a header.
        case invalidURL, emptySegment, hostNotAllowed, redirectNotAllowed, invalidRequest
        case tooManyRedirects
        /// No answer: nothing was sent (connection refused) or the request was safe to send again.
        case connection, timeout
        /// A mutation whose result is unknown: it may have reached the vendor and acted (a timeout,
        /// a connection reset or closed after it was written, a gateway's 502 or 504). It is not
        /// sent again; look the person up to learn what happened (`retryable` is true).
        case outcomeUnknown
        /// The wait before the next try is longer than `max_retry_wait` (when the vendor asked for
        /// it) or than what is left of the action's deadline: not sent again (`retryable`).
        case waitTooLong
        case auth, cancelled
        /// A mutation a plan being applied does not hold: refused before sending (`erasure apply`).
        case notPlanned
    }

    public var kind: Kind
    public var vendor: String
    public var message: String
    public var retryable: Bool
    /// The last HTTP status seen, when there was one.
    public var status: Int?

    public init(kind: Kind, vendor: String, message: String, retryable: Bool = false, status: Int? = nil) {
        self.kind = kind
        self.vendor = vendor
        self.message = message
        self.retryable = retryable
        self.status = status
    }

    public var description: String { message }

    /// Whether this is a mutation whose result is unknown (see `Kind.outcomeUnknown`).
    public var outcomeUnknown: Bool { kind == .outcomeUnknown }
}
