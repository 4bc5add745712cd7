import AsyncHTTPClient
import Foundation
import NIOCore
import Sandbox
import XCTest

/// One plugin file, several vendors (issue 16): `[vendors.slack]` and `[vendors.zoom]` both name
/// `plugin = "scim"` with different profiles and services. Each is its own vendor in the report,
/// the journal, rate limits and identity scoping, and reaches only its own base_url.
final class SCIMVendorsTests: XCTestCase {
    typealias Sample = SandboxSeed.Sample

    /// The sandbox's `[vendors.scim]` base_url and token (the first SCIM service).
    static func scimTable(_ toml: String) -> (base: String, token: String) {
        let table = toml.components(separatedBy: "[vendors.scim]\n")[1]
        func value(_ key: String) -> String {
            let line = table.split(separator: "\n").first { $0.hasPrefix("\(key) = ") } ?? ""
            return String(line.dropFirst(key.count + 3)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return (value("base_url"), value("token"))
    }

    func testTwoScimVendorsInOneBatchEachReportedJournaledAndRateLimitedOnItsOwn() async throws {
        let zoomService = try await SandboxServer.start(host: "127.0.0.1", port: 0, seed: .default)
        let token = SandboxCredentials.default.scim.token
        let e = try await E2E { toml in
            let slack = SCIMVendorsTests.scimTable(toml)
            return toml + """

                [vendors.slack]
                plugin = "scim"
                profile = "slack"
                base_url = "\(slack.base)"
                token = "env:SLACK_SCIM_TOKEN"
                rate_limit = 4

                [vendors.zoom]
                plugin = "scim"
                profile = "zoom"
                base_url = "\(zoomService.baseURL)/scim/v2"
                token = "env:ZOOM_SCIM_TOKEN"
                rate_limit = 200

                """
        }
        let env = ["SLACK_SCIM_TOKEN": token, "ZOOM_SCIM_TOKEN": token]
        let list = try e.erasure(["plugins", "list"], env: env)
        XCTAssertTrue(list.stdout.split(separator: "\n").contains { $0.hasPrefix("scim ") && $0.contains(" scim, slack, zoom ") }, list.all)

        // Scoped identities: Ada at Slack is Grace at Zoom, and the other way round.
        let csv = e.dir.appendingPathComponent("leavers.csv").path
        try "slack.email,zoom.email\nada@example.com,grace@example.com\ngrace@example.com,ada@example.com\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        // --yes: one pass (a planning pass first is another engine, whose pace starts afresh).
        let r = try e.erasure(["run", "offboard", "--users", csv, "--json", "--journal", "j.sqlite", "--yes"], env: env)
        XCTAssertEqual(r.status, 0, r.all)
        let outcomes = r.lines.filter { $0["outcome"] != nil && $0["vendor"] != nil }
        XCTAssertEqual(Set(outcomes.compactMap { $0["vendor"] as? String }), ["slack", "zoom"], r.all)
        for vendor in ["slack", "zoom"] {
            let mine = outcomes.filter { $0["vendor"] as? String == vendor }
            XCTAssertEqual(mine.map { $0["outcome"] as? String }, ["deleted", "deleted"], r.all)
            let said = vendor == "slack" ? "deactivated — Slack keeps the account" : "deleted by Zoom's SCIM DELETE"
            XCTAssertTrue(mine.allSatisfy { ($0["message"] as? String ?? "").hasPrefix(said) }, r.all)
        }
        // Each service was sent only its own vendor's requests, and deleted both people.
        let slackState = try await e.state()["scim"] as? [String: Any]
        let slackIds = (slackState?["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        let zoomIds = zoomService.currentState().scim.users.map(\.id)
        for id in [Sample.adaSCIMId, Sample.graceSCIMId] {
            XCTAssertFalse(slackIds.contains(id))
            XCTAssertFalse(zoomIds.contains(id))
        }
        // Journaled on its own: each vendor's receipts hold its own two DELETEs.
        for vendor in ["slack", "zoom"] {
            let rows = try e.erasure(["journal", "export", "--journal", "j.sqlite", "--vendor", vendor, "--format", "csv"])
            let lines = rows.stdout.split(separator: "\n").dropFirst()
            XCTAssertTrue(lines.allSatisfy { $0.contains(",\(vendor),") }, rows.stdout)
            XCTAssertEqual(lines.filter { $0.contains(",DELETE,") }.count, 2, rows.stdout)
        }
        // Rate-limited on its own: Slack's requests keep 4 a second apart (rate_limit = 4); Zoom's
        // (rate_limit = 200) follow each other at once, never held to Slack's pace.
        let slackTimes = try await e.requests().filter { $0["vendor"] as? String == "scim" }.compactMap { Self.time($0["time"]) }
        let zoomTimes = try await Self.requests(zoomService).compactMap { Self.time($0["time"]) }
        XCTAssertGreaterThanOrEqual(slackTimes.count, 6)
        XCTAssertGreaterThanOrEqual(zoomTimes.count, 6)
        XCTAssertGreaterThanOrEqual(Self.gaps(slackTimes).min() ?? 0, 0.2, "Slack's requests at most 4 a second: \(Self.gaps(slackTimes))")
        XCTAssertLessThan(Self.gaps(zoomTimes).min() ?? 1, 0.2, "Zoom's requests are not paced like Slack's: \(Self.gaps(zoomTimes))")
        await zoomService.stop()
        await e.shutdown()
    }

    /// A mistyped `plugin` is a config error before anything is sent, with a did-you-mean; and
    /// `plugins check` names it.
    func testAMistypedPluginIsAConfigError() async throws {
        let e = try await E2E { $0 + "\n[vendors.slack]\nplugin = \"scmi\"\nbase_url = \"http://127.0.0.1:9/scim/v2\"\n" }
        let r = try e.erasure(["delete", "slack", "email=ada@example.com"])
        XCTAssertEqual(r.status, 2, r.all)
        XCTAssertTrue(r.stderr.contains("[vendors.slack] plugin: no plugin named 'scmi'; did you mean 'scim'?"), r.all)
        let run = try e.erasure(["run", "offboard", "email=ada@example.com", "--dry-run"])
        XCTAssertEqual(run.status, 2, run.all)
        let check = try e.erasure(["plugins", "check"])
        XCTAssertEqual(check.status, 1, check.all)
        XCTAssertTrue(check.stdout.contains("no plugin named 'scmi'"), check.all)
        let sent = try await e.requests()
        XCTAssertEqual(sent.count, 0, "nothing may be sent")
        await e.shutdown()
    }

    /// Two vendors sharing one plugin file each reach only their own base_url's origin.
    func testAVendorOfASharedPluginReachesOnlyItsOwnBaseURL() async throws {
        let other = try await SandboxServer.start(host: "127.0.0.1", port: 0, seed: .default)
        let e = try await E2E { toml in
            let own = SCIMVendorsTests.scimTable(toml)
            return toml + """

                [vendors.hop-a]
                plugin = "hop"
                base_url = "\(own.base)"
                other = "\(other.baseURL)/scim/v2"

                [vendors.hop-b]
                plugin = "hop"
                base_url = "\(other.baseURL)/scim/v2"
                other = "\(own.base)"

                """
        }
        let folder = e.dir.appendingPathComponent("more")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            -- Looks the user up at its own base_url, then tries the URL in `other`.
            return {
              name = "hop", version = "1.0.0", identity = { "id" },
              config = { base_url = { required = true }, other = { required = true } },
              lookup = function(ctx, user)
                ctx.http.get(ctx.url(ctx.config.base_url, "ServiceProviderConfig"))
                ctx.http.get(ctx.url(ctx.config.other, "ServiceProviderConfig"))
              end,
              delete = function() return { outcome = "not_found" } end,
            }
            """.write(to: folder.appendingPathComponent("hop.lua"), atomically: true, encoding: .utf8)
        let env = ["ERASURE_PLUGIN_PATH": folder.path]
        for (vendor, own, foreign) in [("hop-a", e.sandbox, other), ("hop-b", other, e.sandbox)] {
            try await e.clearLog()
            other.reset()
            let r = try e.erasure(["lookup", vendor, "id=1", "--json"], env: env)
            XCTAssertEqual(r.status, 1, r.all)
            XCTAssertEqual(r.lines.last?["outcome"] as? String, "failed", r.all)
            XCTAssertTrue((r.lines.last?["message"] as? String ?? "").contains("allowed hosts"), r.all)
            let ownSeen = try await Self.requests(own).filter { $0["vendor"] as? String == "scim" }
            let foreignSeen = try await Self.requests(foreign).filter { $0["vendor"] as? String == "scim" }
            XCTAssertEqual(ownSeen.count, 1, vendor)
            XCTAssertEqual(foreignSeen.count, 0, "\(vendor) reached another vendor's service")
        }
        await other.stop()
        await e.shutdown()
    }

    /// Seconds between consecutive times.
    static func gaps(_ times: [Date]) -> [Double] {
        let sorted = times.sorted()
        return zip(sorted, sorted.dropFirst()).map { $1.timeIntervalSince($0) }
    }

    static func time(_ v: Any?) -> Date? {
        guard let s = v as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s) ?? ISO8601DateFormatter().date(from: s)
    }

    /// The request log of a sandbox other than the harness's.
    static func requests(_ sandbox: SandboxServer) async throws -> [[String: Any]] {
        let resp = try await HTTPClient.shared.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/requests"),
                                                       timeout: .seconds(10))
        let body = try await resp.body.collect(upTo: 64 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["requests"] as? [[String: Any]] ?? []
    }
}
