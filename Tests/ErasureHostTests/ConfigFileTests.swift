import Foundation
import XCTest

@testable import ErasureHost
import ErasureTesting

final class ConfigTests: XCTestCase {
    var dir: URL!

    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-config-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Writes erasure.toml in the temp folder and loads it.
    func load(_ toml: String) throws -> ConfigFile {
        let path = dir.appendingPathComponent("erasure.toml").path
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigFile.load(path: path)
    }

    let cubicasa = ConfigSchema(keys: [
        "base_url": KeySpec(default: .string("https://app.cubi.casa/api/integrate/v3")),
        "api_key": KeySpec(required: true, secret: true),
    ])
    let pagos = ConfigSchema(keys: [
        "base_url": KeySpec(required: true),
        "site_id": KeySpec(required: true, type: .integer),
        "token_url": KeySpec(),
        "client_id": KeySpec(),
        "client_secret": KeySpec(secret: true),
        "verbose": KeySpec(default: .boolean(false)),
    ])

    func configError(_ body: () throws -> Void) -> ConfigError? {
        do {
            try body()
            XCTFail("expected a ConfigError")
            return nil
        } catch let e as ConfigError {
            return e
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testLocate() {
        XCTAssertEqual(ConfigFile.locate(explicit: "a.toml", environment: ["ERASURE_CONFIG": "b.toml"]), "a.toml")
        XCTAssertEqual(ConfigFile.locate(explicit: nil, environment: ["ERASURE_CONFIG": "b.toml"]), "b.toml")
        XCTAssertEqual(ConfigFile.locate(explicit: nil, environment: [:]), "erasure.toml")
    }

    func testResolvesLiteralsEnvFileAndDefaults() throws {
        try "s3cret-from-file\n\n".write(to: dir.appendingPathComponent("pagos.secret"), atomically: true, encoding: .utf8)
        let file = try load("""
            [vendors.pagos]
            base_url = "http://127.0.0.1:9/pagos/"
            site_id = "env:PAGOS_SITE"
            token_url = "http://127.0.0.1:9/pagos/connect/token"
            client_id = "erasure"
            client_secret = "file:pagos.secret"
            rate_limit = 5
            retries = 2
            hosts = ["auth.pagos.example"]
            """)
        XCTAssertEqual(file.vendorNames, ["pagos"])
        let c = try file.resolve(vendor: "pagos", schema: pagos, environment: ["PAGOS_SITE": "7"])
        XCTAssertEqual(c["site_id"], .integer(7))
        XCTAssertEqual(c["client_secret"], .string("s3cret-from-file"))
        XCTAssertEqual(c["verbose"], .boolean(false))
        XCTAssertEqual(c.baseURL, "http://127.0.0.1:9/pagos", "trailing slash trimmed")
        XCTAssertEqual(c.rateLimit, 5)
        XCTAssertEqual(c.maxAttempts, 2, "retries: the old name of max_attempts still works")
        XCTAssertTrue(c.usesDeprecatedRetries)
        XCTAssertEqual(c.hosts, ["auth.pagos.example"])
        XCTAssertEqual(c.sources["site_id"], .env("PAGOS_SITE"))
        XCTAssertEqual(c.sources["client_secret"], .file("pagos.secret"))
        XCTAssertEqual(c.sources["verbose"], .default)
        XCTAssertEqual(c.secretValues, ["s3cret-from-file"])
        XCTAssertTrue(c.literalSecretKeys.isEmpty, "no literal secret")

        let policy = c.httpPolicy(pluginHosts: ["api.pagos.example"], dryRun: true, redactor: Redactor())
        XCTAssertEqual(Set(policy.allowedOrigins.map(\.description)),
                       ["http://127.0.0.1:9", "https://auth.pagos.example:443", "https://api.pagos.example:443"])
        XCTAssertEqual(policy.retry.maxTries, 2)
        XCTAssertEqual(policy.rateLimit, 5)
        XCTAssertTrue(policy.dryRun)
    }

    func testMissingRequiredKeyNamesFileTableAndKey() throws {
        let file = try load("""
            [vendors.cubicasa]
            base_url = "http://127.0.0.1:9/cubicasa"
            """)
        let e = configError { _ = try file.resolve(vendor: "cubicasa", schema: cubicasa, environment: [:]) }
        XCTAssertEqual(e?.description, "\(file.path): [vendors.cubicasa] api_key: required key is missing")
        XCTAssertTrue(file.path.hasSuffix("erasure.toml"))
    }

    func testWrongTypeUnknownKeyAndEveryProblemAtOnce() throws {
        let file = try load("""
            [vendors.pagos]
            base_url = "http://127.0.0.1:9/pagos"
            site_id = "one"
            client_secert = "x"
            rate_limit = "fast"
            """)
        let e = configError { _ = try file.resolve(vendor: "pagos", schema: pagos, environment: [:]) }
        let text = e?.description ?? ""
        XCTAssertTrue(text.contains("[vendors.pagos] site_id: expected integer, got string \"one\""), text)
        XCTAssertTrue(text.contains("[vendors.pagos] client_secert: unknown key; did you mean 'client_secret'?"), text)
        XCTAssertTrue(text.contains("[vendors.pagos] rate_limit: expected number"), text)
        XCTAssertEqual(e?.problems.count, 3)
    }

    /// `action_timeout`: seconds one plugin action may take; a common key of every vendor,
    /// more than 0 and at most a day.
    func testActionTimeout() throws {
        let ok = try load("""
            [vendors.cubicasa]
            api_key = "env:K"
            action_timeout = 2.5
            """).resolve(vendor: "cubicasa", schema: cubicasa, environment: ["K": "key"])
        XCTAssertEqual(ok.actionTimeout, 2.5)
        let unset = try load("[vendors.cubicasa]\napi_key = \"env:K\"").resolve(vendor: "cubicasa", schema: cubicasa,
                                                                                 environment: ["K": "key"])
        XCTAssertNil(unset.actionTimeout)
        for bad in ["0", "-1", "86401", "\"soon\""] {
            let file = try load("[vendors.cubicasa]\napi_key = \"env:K\"\naction_timeout = \(bad)")
            let e = configError { _ = try file.resolve(vendor: "cubicasa", schema: cubicasa, environment: ["K": "key"]) }
            XCTAssertTrue(e?.description.contains("[vendors.cubicasa] action_timeout:") ?? false, e?.description ?? bad)
        }
    }

    func testWrongTypeOfSecretNeverShowsTheValue() throws {
        let file = try load("""
            [vendors.cubicasa]
            api_key = 123456789
            """)
        let e = configError { _ = try file.resolve(vendor: "cubicasa", schema: cubicasa, environment: [:]) }
        XCTAssertEqual(e?.description, "\(file.path): [vendors.cubicasa] api_key: expected string, got integer")
    }

    func testUnknownVendorTableSuggestsTheClosest() throws {
        let file = try load("""
            [vendors.cubicassa]
            api_key = "env:K"
            """)
        let e = configError { try file.checkVendors(known: ["cubicasa", "pagos"]) }
        XCTAssertEqual(e?.description,
                       "\(file.path): [vendors.cubicassa] unknown vendor: no plugin named 'cubicassa'; did you mean [vendors.cubicasa]?")
    }

    func testMissingEnvVariableAndUnreadableFileAreNamed() throws {
        let file = try load("""
            [vendors.pagos]
            base_url = "http://127.0.0.1:9/pagos"
            site_id = 1
            client_id = "env:PAGOS_CLIENT_ID_UNSET"
            client_secret = "file:missing/secret.txt"
            """)
        let e = configError { _ = try file.resolve(vendor: "pagos", schema: pagos, environment: [:]) }
        let text = e?.description ?? ""
        XCTAssertTrue(text.contains("[vendors.pagos] client_id: environment variable PAGOS_CLIENT_ID_UNSET is not set"), text)
        XCTAssertTrue(text.contains("[vendors.pagos] client_secret: cannot read file 'missing/secret.txt'"), text)
    }

    func testLiteralSecretWorksWithOneWarningNamingTheKeys() throws {
        let schema = ConfigSchema(keys: pagos.keys.merging(["token": KeySpec(secret: true)]) { a, _ in a })
        let file2 = try load("""
            [vendors.pagos]
            base_url = "http://127.0.0.1:9/pagos"
            site_id = 1
            client_secret = "literal-secret-1"
            token = "literal-token-2"
            """)
        let c = try file2.resolve(vendor: "pagos", schema: schema, environment: [:])
        XCTAssertEqual(c["token"], .string("literal-token-2"))
        XCTAssertEqual(c.literalSecretKeys, ["client_secret", "token"])
    }

    func testSyntaxErrorAndMissingFile() throws {
        let e = configError { _ = try self.load("[vendors.x\nkey = ") }
        XCTAssertTrue(e?.description.contains("erasure.toml:1") ?? false, e?.description ?? "")
        XCTAssertTrue(e?.description.contains("TOML syntax error") ?? false)
        let missing = configError { _ = try ConfigFile.load(path: "/nonexistent/erasure.toml") }
        XCTAssertEqual(missing?.description, "/nonexistent/erasure.toml: config file not found")
        let top = configError { _ = try self.load("[vendor.cubicasa]\napi_key = \"x\"") }
        XCTAssertTrue(top?.description.contains("vendor: unknown top-level key or table (did you mean [vendors.NAME]?)") ?? false,
                      top?.description ?? "")
    }

    func testFingerprintIgnoresSecretsAndFollowsSettings() throws {
        func fp(_ key: String, _ base: String) throws -> String {
            let f = try load("""
                [vendors.cubicasa]
                base_url = "\(base)"
                api_key = "env:K"
                """)
            return try f.resolve(vendor: "cubicasa", schema: cubicasa, environment: ["K": key]).fingerprint
        }
        let a = try fp("secret-one", "http://127.0.0.1:1/c")
        XCTAssertEqual(a.count, 64)
        XCTAssertEqual(a, try fp("secret-two", "http://127.0.0.1:1/c"), "no secret influences the fingerprint")
        XCTAssertNotEqual(a, try fp("secret-one", "http://127.0.0.1:2/c"))
    }

    func testSecretValuesFeedTheRedactor() throws {
        let f = try load("""
            [vendors.cubicasa]
            api_key = "env:CUBI_KEY"
            """)
        let c = try f.resolve(vendor: "cubicasa", schema: cubicasa, environment: ["CUBI_KEY": "cK-81f3-secret"])
        let r = Redactor()
        c.registerSecrets(in: r)
        XCTAssertEqual(r.redact("GET /users?key=cK-81f3-secret"), "GET /users?key=***")
    }

    /// Issue 12, finding 17: the Basic pairs a plugin could build from a vendor's table are hidden
    /// from start-up, before any plugin asks for the header.
    func testBasicPairsOfAVendorsValuesAreRegisteredFromTheConfig() throws {
        let schema = ConfigSchema(keys: ["app_key": KeySpec(required: true), "master_secret": KeySpec(required: true, secret: true),
                                         "other_secret": KeySpec(secret: true)])
        let f = try load("""
            [vendors.engagelab]
            base_url = "https://push.example"
            app_key = "5a0e1c2b3d4f"
            master_secret = "env:MS"
            other_secret = "env:OS"
            """)
        let c = try f.resolve(vendor: "engagelab", schema: schema, environment: ["MS": "m4ster-S3cret", "OS": "second-S3cret"])
        let r = Redactor()
        c.registerSecrets(in: r)
        for (user, password) in [("5a0e1c2b3d4f", "m4ster-S3cret"), ("second-S3cret", "m4ster-S3cret"),
                                 ("m4ster-S3cret", "second-S3cret"), ("https://push.example", "second-S3cret")] {
            let b64 = Data("\(user):\(password)".utf8).base64EncodedString()
            XCTAssertEqual(r.redact("Authorization: Basic \(b64)"), "Authorization: Basic ***", "\(user):\(password)")
        }
        XCTAssertEqual(r.redact("app_key=5a0e1c2b3d4f"), "app_key=5a0e1c2b3d4f", "a key that is not secret shows")
    }
}

final class LoggingAndHelpersTests: XCTestCase {
    func testLogLinesCarryPluginAndNeverASecret() {
        let lines = LinesBox()
        let redactor = Redactor(secrets: ["SEKRIT-value-9"])
        let log = HostLog.logger(plugin: "engagelab", redactor: redactor, level: .debug) { lines.append($0) }
        log.info("calling with SEKRIT-value-9", metadata: ["url": "https://x/?k=SEKRIT-value-9"])
        log.debug("debug line")
        log.trace("not shown")
        let all = lines.all
        XCTAssertEqual(all.count, 2)
        XCTAssertTrue(all[0].contains(" info [engagelab] calling with ***"), all[0])
        XCTAssertTrue(all[0].contains("url=https://x/?k=***"), all[0])
        XCTAssertFalse(all.joined().contains("SEKRIT"))
    }

    func testUUIDAndNow() {
        let u = HostHelpers.uuid()
        XCTAssertNotNil(UUID(uuidString: u))
        XCTAssertEqual(Array(u)[14], "4", "version 4")
        XCTAssertNotEqual(u, HostHelpers.uuid())
        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let t = HostHelpers.now(date)
        XCTAssertEqual(t.epoch, 1_700_000_000.25)
        XCTAssertEqual(t.iso8601, "2023-11-14T22:13:20.250Z")
    }

    func testRetryAfterParsing() {
        let now = Date(timeIntervalSince1970: 1_445_412_470)  // 2015-10-21T07:27:50Z
        XCTAssertEqual(RetryPolicy.parseRetryAfter("1", now: now), 1)
        XCTAssertEqual(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now), 10)
        XCTAssertNil(RetryPolicy.parseRetryAfter("soon", now: now))
        // never cut short: HTTPEngine fails a wait past max_retry_wait instead (HTTPEngineWaitTests)
        XCTAssertEqual(RetryPolicy().delay(retry: 1, retryAfter: "3600", now: now).seconds, 3600)
        XCTAssertEqual(RetryPolicy().delay(retry: 1, retryAfter: nil, vendorReset: 42, now: now).seconds, 42)
        XCTAssertFalse(RetryPolicy().delay(retry: 1, retryAfter: "soon", now: now).askedByVendor)
        for retry in 1...10 {
            let d = RetryPolicy().backoff(retry: retry)
            XCTAssertLessThanOrEqual(d, min(10, 0.2 * pow(2, Double(retry - 1))))
            XCTAssertGreaterThanOrEqual(d, 0)
        }
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) {
        lock.lock()
        lines.append(s)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
