import AsyncHTTPClient
import Foundation
import Sandbox
import XCTest

final class SandboxServerTests: SandboxTestCase {
    func testConfigTOMLPointsEveryVendorAtThisSandbox() async throws {
        var toml = try parseSimpleTOML(sandbox.configTOML())
        XCTAssertTrue(Set(toml.keys).isSuperset(of: ["vendors.dragonpass", "vendors.pagos", "vendors.engagelab",
                                                      "vendors.gafapay", "vendors.cubicasa"]), "\(toml.keys)")
        // Marked as the sandbox's: its literal credentials are not warned about (issue 14).
        XCTAssertEqual(toml.removeValue(forKey: "")?["sandbox"], "true")
        for (key, table) in toml {
            // every table is a vendor's, under that vendor's first path segment, listed in the help
            XCTAssertTrue(key.hasPrefix("vendors."), key)
            let name = key.dropFirst("vendors.".count)
            let url = try XCTUnwrap(table["base_url"])
            XCTAssertTrue(url == "\(sandbox.baseURL)/\(name)" || url.hasPrefix("\(sandbox.baseURL)/\(name)/"), url)
            XCTAssertTrue(SandboxServer.vendorList.contains("  /\(name)"), SandboxServer.vendorList)
        }
        XCTAssertEqual(toml["vendors.dragonpass"]?["base_url"], "\(sandbox.baseURL)/dragonpass/api/v2")
        XCTAssertEqual(toml["vendors.dragonpass"]?["program_id"], creds.dragonpass.programId)
        XCTAssertEqual(toml["vendors.dragonpass"]?["jwt_secret"], creds.dragonpass.jwtSecret)
        XCTAssertEqual(toml["vendors.pagos"]?["site_id"], "1")
        XCTAssertEqual(toml["vendors.pagos"]?["token_url"], "\(sandbox.baseURL)/pagos/connect/token")
        XCTAssertEqual(toml["vendors.engagelab"]?["base_url"], "\(sandbox.baseURL)/engagelab")
        XCTAssertEqual(toml["vendors.gafapay"]?["company_id"], creds.gafapay.companyId)
        XCTAssertEqual(toml["vendors.cubicasa"]?["api_key"], creds.cubicasa.apiKey)

        // the same config is served over HTTP, and its URLs + credentials really work
        let served = try await send(.GET, "/_sandbox/config")
        XCTAssertEqual(served.body, sandbox.configTOML())
        let cc = toml["vendors.cubicasa"]!
        var req = HTTPClientRequest(url: cc["base_url"]! + "/users?limit=1")
        req.headers.add(name: "api-key", value: cc["api_key"]!)
        let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        XCTAssertEqual(resp.status.code, 200)
        let el = toml["vendors.engagelab"]!
        var req2 = HTTPClientRequest(url: el["base_url"]! + "/v4/aliases/ada_lovelace")
        let basic = Data("\(el["app_key"]!):\(el["master_secret"]!)".utf8).base64EncodedString()
        req2.headers.add(name: "Authorization", value: "Basic \(basic)")
        let v1 = try await HTTPClient.shared.execute(req2, timeout: .seconds(10))
        XCTAssertEqual(v1.status.code, 200)
    }

    func testStartFailsClearlyWhenThePortIsTaken() async throws {
        do {
            let second = try await SandboxServer.start(host: "127.0.0.1", port: sandbox.port, seed: .default)
            await second.stop()
            XCTFail("a second server bound the same port")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot listen on 127.0.0.1:\(sandbox.port)"), "\(error)")
        }
    }
}
