import Foundation
import XCTest

@testable import ErasureHost
import ErasureTesting

/// The gate every request passes (issue 12, findings 2, 4 and 6), over real HTTP: what it refuses
/// is never sent and never retried.
final class RequestGateTests: XCTestCase {
    var server: TestServer!
    var engine: HTTPEngine!

    override func setUp() async throws {
        server = try await TestServer.start()
        engine = HTTPEngine(concurrency: 8)
    }

    override func tearDown() async throws {
        try await engine.shutdown()
        await server.stop()
    }

    func policy(dryRun: Bool = false, hosts: [String] = []) -> VendorHTTPPolicy {
        VendorHTTPPolicy(vendor: "acme", baseURL: server.base, hosts: hosts, dryRun: dryRun, secrets: Redactor(secrets: ["K3y-secret"]))
    }

    /// Sends `spec`; returns the error kind and message of the refusal (fails the test if it was sent).
    func refusal(_ spec: HTTPRequestSpec, _ p: VendorHTTPPolicy? = nil, file: StaticString = #filePath,
                 line: UInt = #line) async -> (HostHTTPError.Kind, String)? {
        let recorder = ActionRecorder()
        do {
            _ = try await engine.send(spec, policy: p ?? policy(), recorder: recorder)
            XCTFail("\(spec.method) \(spec.url) was not refused", file: file, line: line)
            return nil
        } catch let e as HostHTTPError {
            XCTAssertFalse(e.retryable, e.message, file: file, line: line)
            XCTAssertTrue(recorder.records.isEmpty, "nothing recorded: \(recorder.records)", file: file, line: line)
            XCTAssertTrue(e.message.hasPrefix("acme: "), e.message, file: file, line: line)
            return (e.kind, e.message)
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func testAnotherPortOfTheSameHostIsRefused() async throws {
        let other = try await TestServer.start()
        let refused = await refusal(HTTPRequestSpec(method: "POST", url: other.base + "/echo/stolen"))
        XCTAssertEqual(refused?.0, .hostNotAllowed)
        XCTAssertTrue(refused?.1.contains("'http://127.0.0.1:\(other.port)' is not in the plugin's allowed hosts (http://127.0.0.1:\(server.port))") ?? false,
                      refused?.1 ?? "")
        // and a redirect there is refused too
        let url = try URLBuilder.join(base: server.base, segments: ["redirect"], query: [("to", other.base + "/echo/stolen")])
        do {
            _ = try await engine.send(HTTPRequestSpec(url: url), policy: policy())
            XCTFail("expected the redirect to be refused")
        } catch let e as HostHTTPError {
            XCTAssertEqual(e.kind, .redirectNotAllowed, e.message)
        }
        // listing that origin allows it
        let r = try await engine.send(HTTPRequestSpec(url: other.base + "/echo/ok"), policy: policy(hosts: [other.base]))
        XCTAssertEqual(r.response?.status, 200)
        let stolen = await other.seen.seen(pathPrefix: "/echo/stolen").count
        await other.stop()
        XCTAssertEqual(stolen, 0)
    }

    func testOnlyTheSevenMethodsLeave() async throws {
        for method in ["GET /x HTTP/1.1\r\nHost: evil.example\r\n\r\nGET", "DELETE\r\n", "GET\0", "TRACE", "CONNECT",
                       "PROPFIND", "", "get x"] {
            let refused = await refusal(HTTPRequestSpec(method: method, url: server.base + "/echo/m"))
            XCTAssertEqual(refused?.0, .invalidRequest, method)
            XCTAssertTrue(refused?.1.contains("is not one of GET HEAD OPTIONS POST PUT PATCH DELETE") ?? false, refused?.1 ?? "")
            XCTAssertFalse(refused?.1.contains("\r") ?? true, "the message shows escapes, not line breaks")
        }
        for method in ["GET", "head", "OPTIONS", "POST", "put", "PATCH", "DELETE"] {
            let r = try await engine.send(HTTPRequestSpec(method: method, url: server.base + "/echo/m"), policy: policy())
            XCTAssertNotNil(r.response, method)
        }
        let seen = await server.seen.requests.map(\.method)
        XCTAssertEqual(seen, ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
    }

    func testControlCharactersInURLHeaderNameOrValueAreRefusedAndNeverRetried() async throws {
        let cases: [(HTTPRequestSpec, String)] = [
            (HTTPRequestSpec(url: server.base + "/echo/a\r\nX-Injected: 1"), "CR, LF or NUL"),
            (HTTPRequestSpec(url: server.base + "/echo/a\0b"), "CR, LF or NUL"),
            (HTTPRequestSpec(url: server.base + "/echo/a b"), "a space"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["X-Note": "ok\r\nX-Injected: 1"]), "CR, LF or NUL"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["X-Note": "ok\nmore"]), "CR, LF or NUL"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["X-Note": "ok\0"]), "CR, LF or NUL"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["X-Note": "bell\u{7}"]), "a control character"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["X-Injected: 1\r\nX-Note": "v"]), "not a valid token"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["X Note": "v"]), "not a valid token"),
            (HTTPRequestSpec(url: server.base + "/echo/a", headers: ["": "v"]), "not a valid token"),
        ]
        for (spec, problem) in cases {
            let refused = await refusal(spec)
            XCTAssertTrue(refused.map { [.invalidRequest, .invalidURL].contains($0.0) } ?? false, "\(spec.url) \(spec.headers.fields)")
            XCTAssertTrue(refused?.1.contains(problem) ?? false, "\(problem): \(refused?.1 ?? "")")
        }
        // a tab is allowed in a value
        let tab = try await engine.send(HTTPRequestSpec(url: server.base + "/echo/tab", headers: ["X-Note": "a\tb"]),
                                        policy: policy())
        XCTAssertEqual(tab.response?.status, 200)
        let seen = await server.seen.requests.map(\.target)
        XCTAssertEqual(seen, ["/echo/tab"], "nothing refused reached the server, nothing was retried")
    }

    func testMethodOverrideAndClientOwnedHeadersAreRefusedInEveryMode() async throws {
        for dryRun in [true, false] {
            for name in ["X-HTTP-Method-Override", "x-http-method", "X-METHOD-OVERRIDE", "Host", "content-length",
                         "Transfer-Encoding", "Connection"] {
                let spec = HTTPRequestSpec(url: server.base + "/echo/o", headers: HeaderFields([(name, "DELETE")]))
                let refused = await refusal(spec, policy(dryRun: dryRun))
                XCTAssertEqual(refused?.0, .invalidRequest, name)
                XCTAssertTrue(refused?.1.contains(name) ?? false, refused?.1 ?? "")
            }
        }
        let override = await refusal(HTTPRequestSpec(url: server.base + "/echo/o", headers: ["X-HTTP-Method-Override": "DELETE"]))
        XCTAssertTrue(override?.1.contains("method-override header") ?? false, override?.1 ?? "")
        let count = await server.seen.requests.count
        XCTAssertEqual(count, 0)
    }

    func testRefusalsNeverShowASecret() async throws {
        let refused = await refusal(HTTPRequestSpec(url: server.base + "/echo/K3y-secret", headers: ["X-Key": "K3y-secret\r\n"]))
        XCTAssertFalse(refused?.1.contains("K3y-secret") ?? true, refused?.1 ?? "")
    }
}
