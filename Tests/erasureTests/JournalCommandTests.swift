import ErasureTesting
import Foundation
import Sandbox
import XCTest

/// `erasure journal`: the built binary against the sandbox.
final class JournalCommandTests: XCTestCase {
    /// Issue 12, finding 16: vendors answering garbage (random bytes, NUL and invalid UTF-8
    /// included, empty, 1 MiB) through the real write path never make `journal verify` cry wolf.
    func testVerifyPassesAfterGarbageAnswers() async throws {
        let e = try await E2E()
        var random = SeededRandom(seed: 16)
        let vendors = ["dragonpass", "pagos", "engagelab", "gafapay", "cubicasa"]
        for round in 0..<6 {
            let journal = "garbage-\(round).sqlite"
            for (i, vendor) in vendors.enumerated() {
                // The first round's bodies carry a NUL for sure; the others are whatever the seed gives.
                let body = round == 0 ? Array("before".utf8) + [0] + random.bytes(40) : random.garbageBody()
                try await e.fault(["vendor": vendor, "count": 1, "status": [200, 500, 503][(i + round) % 3],
                                   "body_base64": Data(body).base64EncodedString()])
            }
            let run = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--json", "--journal", journal])
            XCTAssertFalse(run.lines.isEmpty, run.all)
            let verify = try e.erasure(["journal", "verify", "--journal", journal])
            XCTAssertEqual(verify.status, 0, "round \(round) (seed 16): \(verify.all)")
            XCTAssertTrue(verify.stdout.contains(": OK,"), verify.all)
            _ = try await e.control(.DELETE, "faults")
            _ = try await e.control(.POST, "reset")
        }
        await e.shutdown()
    }
}
