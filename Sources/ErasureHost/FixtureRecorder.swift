import Foundation

/// One request/answer pair as `--record DIR` saves it: one JSON line of `DIR/VENDOR.jsonl`, which
/// `erasure plugins test` replays (`replay(DIR)` in a test file). The origin is dropped (`target` is
/// the path and query as sent) so a recording replays on any origin; every text is redacted.
public struct FixturePair: Codable, Sendable, Equatable {
    public var method: String
    /// Path and query as they went on the wire, e.g. `/v1/users?email=ada%40example.com`.
    public var target: String
    /// The request's Content-Type, when it had one (the other request headers are not kept:
    /// they are the host's or credentials).
    public var contentType: String?
    public var requestBody: FixtureBody?
    public var status: Int
    /// Every header of the answer, in order (a name may repeat), values redacted.
    public var headers: [[String]]
    public var body: FixtureBody

    enum CodingKeys: String, CodingKey {
        case method, target, status, headers, body
        case contentType = "content_type", requestBody = "request_body"
    }
}

/// A body: UTF-8 text as it is, anything else as base64.
public struct FixtureBody: Codable, Sendable, Equatable {
    public var text: String?
    public var base64: String?

    public init(_ bytes: [UInt8]) {
        if let s = String(validating: bytes, as: UTF8.self) { text = s } else { base64 = Data(bytes).base64EncodedString() }
    }

    public var bytes: [UInt8] {
        if let text { return Array(text.utf8) }
        return base64.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
    }
}

/// Saves, for `--record DIR`, every answered attempt of a run (each retry and redirect hop is one;
/// a request the gate refused or dry-run held back got no answer and is not saved) as a
/// `FixturePair`, appended to `DIR/VENDOR.jsonl` as it comes back: each line is written with one
/// write(2), so a crash loses nothing already answered. A vendor's file is started afresh the
/// first time this run writes to it. Thread-safe; one per run (its passes share it).
public final class FixtureRecorder: Sendable {
    public let folder: URL
    private let files = Locked<[String: FileHandle]>([:])

    /// Makes `folder` if needed; throws when it cannot.
    public init(folder: String) throws {
        self.folder = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
    }

    /// The file a vendor's pairs go to.
    public func file(vendor: String) -> URL { folder.appendingPathComponent("\(vendor).jsonl") }

    /// Saves one answered attempt, redacted with `redactor`. An OAuth2 token answer's tokens are
    /// registered as secrets first: the host would register them only once it has read the answer.
    public func record(vendor: String, method: String, url: String, requestHeaders: HeaderFields, requestBody: [UInt8]?,
                       status: Int, headers: HeaderFields, body: [UInt8], redactor: Redactor) {
        if let json = try? JSONValue.parse(body) {
            for key in ["access_token", "refresh_token", "id_token"] {
                if let token = json[key]?.stringValue { redactor.add(token) }
            }
        }
        let pair = FixturePair(
            method: method, target: Self.target(of: redactor.redact(url)),
            contentType: requestHeaders["content-type"].map(redactor.redact),
            requestBody: requestBody.map { FixtureBody(redactor.redact($0)) },
            status: status, headers: headers.map { [$0.name, redactor.redact($0.value)] },
            body: FixtureBody(redactor.redact(body)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(pair) else { return }
        line.append(UInt8(ascii: "\n"))
        files.withLock { open in
            if open[vendor] == nil {
                let path = file(vendor: vendor).path
                guard FileManager.default.createFile(atPath: path, contents: nil),
                      let handle = FileHandle(forWritingAtPath: path) else { return }
                open[vendor] = handle
            }
            try? open[vendor]?.write(contentsOf: line)
        }
    }

    /// `http://host:port/a/b?q` → `/a/b?q`.
    static func target(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let target = String(rest[slash...])
        return target.hasPrefix("?") ? "/" + target : target
    }
}
