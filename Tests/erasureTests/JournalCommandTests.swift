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

extension JournalCommandTests {
    /// Issue 15: after a 1 000-person run, no input identity is in the journal's files or its
    /// exports in clear, and `journal show --person` finds people again from their identity.
    func testAThousandPeopleRunKeepsNoIdentityInClear() async throws {
        let people = 1000
        let e = try await E2E(seed: .generated(people: people))
        var csv = "email,dragonpass.id,pagos.username,engagelab.alias,gafapay.id,cubicasa.id\n"
        var values: Set<String> = []
        for i in 1...people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            let row = [p.email, p.dragonpassId, p.pagosUserName, p.engagelabAlias, p.gafapayId, p.cubicasaId]
            values.formUnion(row)
            csv += row.joined(separator: ",") + "\n"
        }
        let input = e.dir.appendingPathComponent("people.csv").path
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        let run = try e.erasure(["run", "offboard", "--users", input, "--yes", "--concurrency", "32", "--json",
                                 "--journal", "j.sqlite"])
        XCTAssertEqual(run.lines.count, people * e.vendorCount, run.stderr)
        XCTAssertTrue(run.stderr.contains("generated the journal key in j.sqlite.key"), run.stderr)
        for format in ["jsonl", "csv"] {
            let export = try e.erasure(["journal", "export", "--journal", "j.sqlite", "--format", format,
                                        "--output", "export.\(format)"])
            XCTAssertEqual(export.status, 0, export.all)
        }
        // Every byte the run left: the journal (and its WAL, if any), the exports.
        var bytes = Data()
        for name in ["j.sqlite", "j.sqlite-wal", "export.jsonl", "export.csv"] {
            if let d = FileManager.default.contents(atPath: e.dir.appendingPathComponent(name).path) { bytes.append(d) }
        }
        XCTAssertGreaterThan(bytes.count, 100_000)
        let text = String(decoding: bytes, as: UTF8.self)
        let candidates = try NSRegularExpression(pattern: "user[-_]?[0-9]{4}(@example\\.com)?|fe0[0-9]{29}|00000000-0000-4000-8000-[0-9]{12}")
        var inClear: Set<String> = []
        for match in candidates.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let found = String(text[Range(match.range, in: text)!])
            if values.contains(found) { inClear.insert(found) }
        }
        XCTAssertEqual(inClear, [], "identities in clear: \(inClear.sorted().prefix(10))")

        for i in stride(from: 1, through: people, by: 97) {
            let p = SandboxSeed.GeneratedPerson(index: i)
            for identity in [["email=\(p.email)"], ["gafapay.id=\(p.gafapayId)"]] {
                let show = try e.erasure(["journal", "show", "--journal", "j.sqlite", "--person"] + identity)
                XCTAssertEqual(show.status, 0, show.all)
                XCTAssertTrue(show.stdout.contains("deleted"), show.stdout)
                XCTAssertFalse(show.stdout.contains(p.gafapayId) || show.stdout.contains(p.email), show.stdout)
            }
        }
        let nobody = try e.erasure(["journal", "show", "--journal", "j.sqlite", "--person", "email=nobody@example.com"])
        XCTAssertEqual(nobody.status, 1, nobody.all)
        let verify = try e.erasure(["journal", "verify", "--journal", "j.sqlite"])
        XCTAssertEqual(verify.status, 0, verify.all)
        await e.shutdown()
    }
}

extension JournalCommandTests {
    /// Issue 15: a signing key made by keygen signs each run; verify checks it against the public
    /// key and a head kept elsewhere; an export verifies offline; prune keeps the chain verifiable;
    /// show and export filter; the CSV export is flat.
    func testSignedRunsVerifyOfflineAndAfterPruning() async throws {
        let e = try await E2E(config: { $0 + "\n[journal]\nsigning_key = \"file:install.key\"\n" })
        let keygen = try e.erasure(["journal", "keygen", "--out", "install.key"])
        XCTAssertEqual(keygen.status, 0, keygen.all)
        let run = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--json", "--journal", "j.sqlite"])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertFalse(run.stderr.contains("generated the signing key"), run.stderr)
        let verify = try e.erasure(["journal", "verify", "--journal", "j.sqlite", "--public-key", "install.key.pub"])
        XCTAssertEqual(verify.status, 0, verify.all)
        XCTAssertTrue(verify.stdout.contains("1 runs signed by key"), verify.stdout)
        let head = try XCTUnwrap(verify.stdout.split(whereSeparator: \.isWhitespace).first { $0.count == 64 }.map(String.init))
        let anchored = try e.erasure(["journal", "verify", "--journal", "j.sqlite", "--head", head])
        XCTAssertEqual(anchored.status, 0, anchored.all)
        let unknownHead = try e.erasure(["journal", "verify", "--journal", "j.sqlite", "--head", String(repeating: "a", count: 64)])
        XCTAssertEqual(unknownHead.status, 1, unknownHead.all)

        _ = try e.erasure(["journal", "keygen", "--out", "other.key"])
        let wrongKey = try e.erasure(["journal", "verify", "--journal", "j.sqlite", "--public-key", "other.key.pub"])
        XCTAssertEqual(wrongKey.status, 1, wrongKey.all)

        let export = try e.erasure(["journal", "export", "--journal", "j.sqlite", "--output", "all.jsonl"])
        XCTAssertEqual(export.status, 0, export.all)
        let offline = try e.erasure(["journal", "verify", "--export", "all.jsonl", "--public-key", "install.key.pub"])
        XCTAssertEqual(offline.status, 0, offline.all)
        let offlineWrong = try e.erasure(["journal", "verify", "--export", "all.jsonl", "--public-key", "other.key.pub"])
        XCTAssertEqual(offlineWrong.status, 1, offlineWrong.all)

        let gafapay = try e.erasure(["journal", "export", "--journal", "j.sqlite", "--vendor", "gafapay", "--format", "csv"])
        let rows = gafapay.stdout.split(separator: "\n")
        XCTAssertTrue(rows.first?.hasPrefix("seq,run_id,step_id,person_key,identity,vendor") == true, gafapay.stdout)
        XCTAssertGreaterThan(rows.count, 1)
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.contains(",gafapay,") }, gafapay.stdout)
        let deletedOnly = try e.erasure(["journal", "show", "--journal", "j.sqlite", "--outcome", "deleted", "--json"])
        XCTAssertEqual(deletedOnly.status, 0, deletedOnly.all)
        let notFound = try e.erasure(["journal", "show", "--journal", "j.sqlite", "--outcome", "not_found"])
        XCTAssertEqual(notFound.status, 1, notFound.all)
        let future = try e.erasure(["journal", "show", "--journal", "j.sqlite", "--since", "2999-01-01"])
        XCTAssertEqual(future.status, 1, future.all)

        let prune = try e.erasure(["journal", "prune", "--journal", "j.sqlite", "--before", "2999-01-01"])
        XCTAssertEqual(prune.status, 0, prune.all)
        XCTAssertTrue(prune.stdout.contains("pruned \(e.vendorCount) receipts"), prune.stdout)
        let afterPrune = try e.erasure(["journal", "verify", "--journal", "j.sqlite", "--public-key", "install.key.pub",
                                        "--head", head])
        XCTAssertEqual(afterPrune.status, 0, afterPrune.all)
        XCTAssertTrue(afterPrune.stdout.contains("(\(e.vendorCount) pruned)"), afterPrune.stdout)
        let gone = try e.erasure(["journal", "show", "--journal", "j.sqlite", "--person", "email=ada@example.com"])
        XCTAssertEqual(gone.status, 1, gone.all)
        await e.shutdown()
    }
}

extension JournalCommandTests {
    /// Renders `html` with headless Chromium (Debian's package) into `png`; returns its stderr.
    func renderWithChromium(_ html: String, _ png: String) throws -> String {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let binary = try XCTUnwrap(chromium, "chromium is not installed (scripts/test installs Debian's package)")
        let r = try E2E.exec(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
                              "--screenshot=\(png)", "--window-size=1100,1400", "file://\(html)"],
                             cwd: (html as NSString).deletingLastPathComponent, executable: binary)
        XCTAssertEqual(r.status, 0, r.stderr)
        let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size ?? 0, 10_000, "\(png) was not rendered: \(r.stderr)")
        return r.stderr
    }

    /// Issue 15: the certificate and the run report are self-contained, deterministic HTML that
    /// headless Chromium renders without errors.
    func testCertificateAndReportRenderInChromium() async throws {
        let e = try await E2E()
        try await e.fault(["vendor": "pagos", "count": 6, "status": 500, "body": "{\"error\":\"internal\"}"])
        let run = try e.erasure(["run", "offboard"] + RunCommandTests.ada + ["--json", "--journal", "j.sqlite"])
        XCTAssertEqual(run.status, 1, run.all)   // pagos failed
        let dir = e.dir.path
        for (name, args) in [("certificate", ["certificate", "--person", "email=ada@example.com", "gafapay.id=6f1b82443e524459831de59d430a0c41"]),
                             ("report", ["report"])] {
            var pages: [Data] = []
            for round in 0..<2 {
                let out = "\(dir)/\(name)-\(round).html"
                let r = try e.erasure(["journal"] + args + ["--journal", "j.sqlite", "--out", out])
                XCTAssertEqual(r.status, 0, r.all)
                pages.append(try Data(contentsOf: URL(fileURLWithPath: out)))
            }
            XCTAssertEqual(pages[0], pages[1], "\(name): the same journal gives the same page")
            let html = String(decoding: pages[0], as: UTF8.self)
            for external in ["src=", "href=", "url(", "<script", "@import"] {
                XCTAssertFalse(html.contains(external), "\(name) refers to something outside itself: \(external)")
            }
            let log = try renderWithChromium("\(dir)/\(name)-0.html", "\(dir)/\(name).png")
            for error in ["Failed to load resource", "Uncaught", "ERR_FILE_NOT_FOUND"] {
                XCTAssertFalse(log.contains(error), "\(name): \(error)\n\(log)")
            }
            if name == "certificate" {
                XCTAssertTrue(html.contains("Certificate of erasure") && html.contains("⟨email:") && html.contains("Ed25519"), html)
                XCTAssertEqual(html.components(separatedBy: "ada@example.com").count - 1, 1,
                               "the identity as given appears once (the journal holds only its pseudonym)")
                for vendor in ["cubicasa", "dragonpass", "engagelab", "gafapay", "pagos"] {
                    XCTAssertTrue(html.contains("<td>\(vendor)</td>"), vendor)
                }
            } else {
                XCTAssertTrue(html.contains("<svg") && html.contains("Failures (") && html.contains("internal"), html)
            }
        }
        await e.shutdown()
    }
}
