import Foundation
import Sandbox
import XCTest

final class EngageLabEmulatorTests: SandboxTestCase {
    let ada = SandboxSeed.Sample.adaEngageLabDevices

    func testGetDeviceAndAlias() async throws {
        let d = try await send(.GET, "/engagelab/v4/devices/\(ada[0])", headers: engagelabHeaders)
        XCTAssertEqual(d.status, 200)
        XCTAssertEqual(d.body, #"{"tags":["vip","newsletter"],"alias":"ada_lovelace"}"#)

        let a = try await send(.GET, "/engagelab/v4/aliases/ada_lovelace", headers: engagelabHeaders)
        XCTAssertEqual(a.body, #"{"registration_ids":["1a0018970a8b1c2d3e4","1a0018970a8b1c2d3e5"]}"#)
        let ios = try await send(.GET, "/engagelab/v4/aliases/ada_lovelace?platform=ios", headers: engagelabHeaders)
        XCTAssertEqual(ios.body, #"{"registration_ids":["1a0018970a8b1c2d3e5"]}"#)
        let both = try await send(.GET, "/engagelab/v4/aliases/ada_lovelace?platform=android,ios", headers: engagelabHeaders)
        XCTAssertEqual(both.body, #"{"registration_ids":["1a0018970a8b1c2d3e4","1a0018970a8b1c2d3e5"]}"#)
        let encoded = try await send(.GET, "/engagelab/v4/aliases/ada_lovelace?platform=android%2C%20ios", headers: engagelabHeaders)
        XCTAssertEqual(encoded.body, #"{"registration_ids":["1a0018970a8b1c2d3e4","1a0018970a8b1c2d3e5"]}"#)
        let none = try await send(.GET, "/engagelab/v4/aliases/nobody_here", headers: engagelabHeaders)
        XCTAssertEqual(none.status, 200)
        XCTAssertEqual(none.body, #"{"registration_ids":[]}"#)
    }

    func testDeleteIsAcceptedThenTheDeviceDisappears() async throws {
        let del = try await send(.DELETE, "/engagelab/v4/devices/\(ada[0])", headers: engagelabHeaders)
        XCTAssertEqual(del.status, 200)
        XCTAssertEqual(del.headers.first(name: "Content-Type"), "application/json; charset=utf-8")
        XCTAssertEqual(del.body, #"{"success":true}"#)
        // asynchronous: gone once the configured delay (50 ms by default) has passed
        try await Task.sleep(for: .milliseconds(120))
        let gone = try await send(.GET, "/engagelab/v4/devices/\(ada[0])", headers: engagelabHeaders)
        XCTAssertEqual(gone.status, 404)
        XCTAssertEqual(gone.body, #"{"error":{"code":27001,"message":"registration_id not found"}}"#)
        let again = try await send(.DELETE, "/engagelab/v4/devices/\(ada[0])", headers: engagelabHeaders)
        XCTAssertEqual(again.status, 404)
        XCTAssertEqual(again.body, #"{"error":{"code":27001,"message":"registration_id not found"}}"#)
        let alias = try await send(.GET, "/engagelab/v4/aliases/ada_lovelace", headers: engagelabHeaders)
        XCTAssertEqual(alias.body, #"{"registration_ids":["1a0018970a8b1c2d3e5"]}"#)
        let devices = try await state().engagelab.devices.map(\.registrationId)
        XCTAssertFalse(devices.contains(ada[0]))
        XCTAssertTrue(devices.contains(ada[1]))
    }

    func testBadAuthIs401() async throws {
        let wrong = Data("\(creds.engagelab.appKey):nope".utf8).base64EncodedString()
        for auth in [nil, "Basic \(wrong)", "Basic !!!", "Bearer \(creds.engagelab.masterSecret)"] as [String?] {
            let a = try await send(.DELETE, "/engagelab/v4/devices/\(ada[0])",
                                   headers: replacing(engagelabHeaders, "Authorization", with: auth))
            XCTAssertEqual(a.status, 401)
            XCTAssertEqual(a.body, #"{"error":{"code":27003,"message":"authentication failed"}}"#)
        }
        let v1 = try await state()
        XCTAssertTrue(v1.engagelab.devices.contains { $0.registrationId == ada[0] })
    }

    func testUnknownRouteAndMethod() async throws {
        let r = try await send(.GET, "/engagelab/v4/things/x", headers: engagelabHeaders)
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.body, #"{"error":{"code":27006,"message":"resource not found"}}"#)
        let m = try await send(.DELETE, "/engagelab/v4/aliases/ada_lovelace", headers: engagelabHeaders)
        XCTAssertEqual(m.status, 405)
    }
}

final class EngageLabEmulatorAsyncDeleteTests: SandboxTestCase {
    override var seed: SandboxSeed {
        var s = SandboxSeed.default
        s.settings.engagelabDeleteDelayMs = 1500
        return s
    }

    func testDeviceStaysVisibleUntilTheDelayPasses() async throws {
        let rid = SandboxSeed.Sample.graceEngageLabDevices[0]
        let start = ContinuousClock.now
        let del = try await send(.DELETE, "/engagelab/v4/devices/\(rid)", headers: engagelabHeaders)
        XCTAssertEqual(del.body, #"{"success":true}"#)
        let still = try await send(.GET, "/engagelab/v4/devices/\(rid)", headers: engagelabHeaders)
        if ContinuousClock.now - start < .milliseconds(1400) {  // only meaningful while the delay runs
            XCTAssertEqual(still.status, 200)
            let v2 = try await state()
            XCTAssertEqual(v2.engagelab.devices.first { $0.registrationId == rid }?.deleting, true)
        }
        try await Task.sleep(for: .milliseconds(1600))
        let gone = try await send(.GET, "/engagelab/v4/devices/\(rid)", headers: engagelabHeaders)
        XCTAssertEqual(gone.status, 404)
    }
}

final class EngageLabEmulatorRateLimitTests: SandboxTestCase {
    override var seed: SandboxSeed {
        var s = SandboxSeed.default
        s.settings.engagelabRateLimit = 5
        return s
    }

    func testOverThePerSecondLimitIs429() async throws {
        var ok = 0
        var limited: HTTPAnswer?
        for _ in 0..<60 {
            let a = try await send(.GET, "/engagelab/v4/aliases/ada_lovelace", headers: engagelabHeaders)
            if a.status == 429 { limited = a; break }
            XCTAssertEqual(a.status, 200)
            ok += 1
        }
        let answer = try XCTUnwrap(limited, "no 429 after 60 requests at a limit of 5/s")
        XCTAssertEqual(answer.body, #"{"error":{"code":27005,"message":"too many requests"}}"#)
        XCTAssertGreaterThanOrEqual(ok, 5)  // the first 5 of a second always pass
    }
}
