@testable import Sandbox
import XCTest

/// What every emulator in the list must hold to, so adding one cannot break the others.
final class VendorEmulatorsTests: XCTestCase {
    func testEveryEmulatorHasItsOwnNameAndAPrefixUnderIt() {
        let names = VendorEmulators.all.map { $0.name }
        XCTAssertEqual(Set(names).count, names.count, "\(names)")
        for e in VendorEmulators.all {
            // its name is a seed key beside `credentials` and `settings`, and a path segment beside `_sandbox`
            XCTAssertFalse(["credentials", "settings", "_sandbox", ""].contains(e.name), e.name)
            XCTAssertTrue(e.prefix == "/\(e.name)" || e.prefix.hasPrefix("/\(e.name)/"), e.prefix)
            XCTAssertFalse(e.endpoints.isEmpty, e.name)
        }
    }

    func testEveryEmulatorStartsFromTheSeedAndReportsItBack() throws {
        let seed = SandboxSeed.generated(people: 2)
        for e in VendorEmulators.all {
            var state = SandboxSeed(credentials: seed.credentials, settings: seed.settings)
            let emulator = e.start(seed: seed)
            emulator.snapshot(into: &state)
            var expected = SandboxSeed(credentials: seed.credentials, settings: seed.settings)
            e.putDefaultRecords(into: &expected)
            e.addGeneratedPeople(1...2, into: &expected)
            XCTAssertEqual(state, expected, e.name)
            XCTAssertNotEqual(state, SandboxSeed(credentials: seed.credentials, settings: seed.settings), e.name)
        }
    }
}
