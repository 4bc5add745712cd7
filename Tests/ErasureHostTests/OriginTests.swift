import XCTest

@testable import ErasureHost

final class OriginTests: XCTestCase {
    func testURLsReduceToSchemeHostAndPortWithDefaultPortsNormalised() {
        XCTAssertEqual(Origin(url: "https://App.Cubi.Casa/api/v3?x=1")?.description, "https://app.cubi.casa:443")
        XCTAssertEqual(Origin(url: "https://app.cubi.casa:443/x"), Origin(url: "https://app.cubi.casa/y"))
        XCTAssertEqual(Origin(url: "http://127.0.0.1:80/x"), Origin(url: "http://127.0.0.1"))
        XCTAssertNotEqual(Origin(url: "http://127.0.0.1:8080/x"), Origin(url: "http://127.0.0.1:8081/x"))
        XCTAssertNotEqual(Origin(url: "http://app.example/x"), Origin(url: "https://app.example/x"))
        XCTAssertNotEqual(Origin(url: "http://app.example:443/x"), Origin(url: "https://app.example/x"))
        XCTAssertEqual(Origin(url: "http://[::1]:8080/x")?.description, "http://[::1]:8080")
        XCTAssertEqual(Origin(url: "http://x@127.0.0.1:9/x")?.description, "http://127.0.0.1:9", "the host is after the @")
        for bad in ["ftp://host/x", "/relative", "host/x", "http://", "mailto:a@b.c"] {
            XCTAssertNil(Origin(url: bad), bad)
        }
    }

    func testHostEntries() {
        XCTAssertEqual(Origin(hostEntry: "auth.example")?.description, "https://auth.example:443", "a bare host is https")
        XCTAssertEqual(Origin(hostEntry: "auth.example:8443")?.description, "https://auth.example:8443")
        XCTAssertEqual(Origin(hostEntry: "http://auth.example")?.description, "http://auth.example:80")
        XCTAssertEqual(Origin(hostEntry: "https://auth.example:8443/connect/token")?.description, "https://auth.example:8443")
        XCTAssertEqual(Origin(hostEntry: " HTTP://127.0.0.1:9000 ")?.description, "http://127.0.0.1:9000")
        for bad in ["", "ftp://auth.example", "user@auth.example", "auth example", "http://", "auth.example:0"] {
            XCTAssertNil(Origin(hostEntry: bad), bad)
        }
        XCTAssertEqual(VendorHTTPPolicy.invalidHostEntries(["a.example", "ftp://b", "http://c:1"]), ["ftp://b"])
    }

    /// Issue 12, finding 2: the allowlist is scheme + host + port.
    func testPolicyAllowsBaseURLsOriginAndTheListedOnesOnly() {
        let p = VendorHTTPPolicy(vendor: "acme", baseURL: "http://127.0.0.1:4000/api", hosts: ["auth.example", "http://127.0.0.1:5000"])
        let allowed = ["http://127.0.0.1:4000/x", "http://127.0.0.1:5000/token", "https://auth.example/token",
                       "https://auth.example:443/token"]
        let refused = ["http://127.0.0.1:4001/x", "https://127.0.0.1:4000/x", "http://localhost:4000/x",
                       "http://auth.example/token", "https://auth.example:8443/token", "http://127.0.0.1/x"]
        for url in allowed { XCTAssertTrue(p.allows(Origin(url: url)!), url) }
        for url in refused { XCTAssertFalse(p.allows(Origin(url: url)!), url) }
    }
}
