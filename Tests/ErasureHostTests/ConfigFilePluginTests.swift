import Foundation
import XCTest

@testable import ErasureHost

/// `plugin = "NAME"` in a vendor table (Contract 4): one plugin serving several vendors.
final class ConfigFilePluginTests: XCTestCase {
    let scim = ConfigSchema(keys: ["base_url": KeySpec(required: true), "token": KeySpec(secret: true)])

    func parse(_ toml: String) throws -> ConfigFile { try ConfigFile.parse(toml, path: "erasure.toml") }

    func testATableNamesItsPluginAndTheKeyIsNotASetting() throws {
        let c = try parse("""
            [vendors.slack]
            plugin = "scim"
            base_url = "https://api.slack.com/scim/v2"

            [vendors.cubicasa]
            api_key = "k"
            """)
        XCTAssertEqual(c.plugin(of: "slack"), "scim")
        XCTAssertEqual(c.plugin(of: "cubicasa"), "cubicasa")
        let slack = try c.resolve(vendor: "slack", schema: scim)
        XCTAssertEqual(slack.plugin, "scim")
        XCTAssertNil(slack["plugin"], "plugin chooses the code; it is not a value the plugin sees")
        XCTAssertNoThrow(try c.checkVendors(known: ["scim", "cubicasa"]))
    }

    func testAPluginThatIsNotFoundOrNotANameIsAConfigError() throws {
        let c = try parse("[vendors.slack]\nplugin = \"scmi\"\nbase_url = \"https://x.example\"\n")
        XCTAssertThrowsError(try c.checkVendors(known: ["scim"])) { error in
            XCTAssertEqual("\(error)", "erasure.toml: [vendors.slack] plugin: no plugin named 'scmi'; did you mean 'scim'?")
        }
        XCTAssertThrowsError(try parse("[vendors.slack]\nplugin = 3\n")) { error in
            XCTAssertTrue("\(error)".contains("[vendors.slack] plugin: expected a plugin's name"), "\(error)")
        }
        XCTAssertThrowsError(try parse("[vendors.slack]\nplugin = \"../scim\"\n"))
    }

    /// The journal records the fingerprint: the plugin a vendor uses is part of it, and a table
    /// without `plugin` keeps the fingerprint it had before the key existed.
    func testThePluginIsInTheFingerprintOnlyWhenNamed() throws {
        let plain = try parse("[vendors.scim]\nbase_url = \"https://x.example\"\n").resolve(vendor: "scim", schema: scim)
        let named = try parse("[vendors.scim]\nplugin = \"scim\"\nbase_url = \"https://x.example\"\n").resolve(vendor: "scim", schema: scim)
        XCTAssertEqual(plain.fingerprint, named.fingerprint)
        let other = try parse("[vendors.scim]\nplugin = \"other\"\nbase_url = \"https://x.example\"\n").resolve(vendor: "scim", schema: scim)
        XCTAssertNotEqual(plain.fingerprint, other.fingerprint)
    }
}
