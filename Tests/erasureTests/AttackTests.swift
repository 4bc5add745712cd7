import Foundation
import Hummingbird
import Logging
import Sandbox
import XCTest

/// Every attack in `Attacks/`: one Lua file each, a plugin written by an adversary (or a careless
/// author), run by the real binary against the sandbox. Its header says what it tries and the
/// safe outcome, exactly: what was sent (the sandbox's effects, the canary's requests), what was
/// reported (outcomes, exit status, output), how long it may take.
///
/// The header is a JSON object in a `--[[attack … ]]` comment at the top of the file:
///
///     { "summary": "…",
///       "args": ["run", "offboard", "email=ada@example.com"],   // erasure's arguments; --config and --json are added
///       "config": { "base_url": "{{SANDBOX}}/cubicasa/api/integrate/v3", "action_timeout": 2 },  // the attack vendor's [vendors.NAME] table
///       "faults": [ { … } ],            // posted to the sandbox's /_sandbox/faults first (optional)
///       "expect": {
///         "exit": 0,                    // the exit status
///         "outcomes": [ { "vendor": "cubicasa", "outcome": "deleted", "message": "substring" } ],  // each is reported
///         "absent_outcomes": [ { "vendor": "cubicasa", "outcome": "deleted" } ],                 // none is reported
///         "effects": ["cubicasa DELETE /cubicasa/api/integrate/v3/users/u-1 deleted"],          // exactly the sandbox's effects
///         "canary_requests": 0,         // requests the canary listener received (another port of loopback)
///         "sandbox_state_contains": ["…"],  // each is in the sandbox's final state (GET /_sandbox/state)
///         "output_contains": ["…"], "output_lacks": ["…"],  // stdout and stderr
///         "seconds": 10                 // the command ends within this (a bound, not a speed measurement);
///                                       // it is killed at three times this (at least 60 s)
///       } }
///
/// In "args" and "config", `{{SANDBOX}}` is the sandbox's base URL, `{{CANARY}}` the canary's,
/// `{{CANARY_PORT}}` its port, `{{SANDBOX_PORT}}` the sandbox's.
final class AttackTests: XCTestCase {
    struct Expect: Decodable {
        struct OutcomeMatch: Decodable {
            var vendor: String
            var outcome: String
            var message: String?
        }
        var exit: Int32?
        var outcomes: [OutcomeMatch]?
        var absent_outcomes: [OutcomeMatch]?
        var effects: [String]?
        var canary_requests: Int?
        var sandbox_state_contains: [String]?
        var output_contains: [String]?
        var output_lacks: [String]?
        var seconds: Double?
    }

    struct Attack: Decodable {
        var summary: String
        var args: [String]
        var config: [String: JSONAny]?
        var faults: [JSONAny]?
        var expect: Expect
    }

    /// Any JSON value, passed through to the sandbox as it is.
    struct JSONAny: Decodable {
        let value: Any
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode([String: JSONAny].self) { value = v.mapValues(\.value) }
            else if let v = try? c.decode([JSONAny].self) { value = v.map(\.value) }
            else if let v = try? c.decode(Int.self) { value = v }
            else if let v = try? c.decode(Double.self) { value = v }
            else if let v = try? c.decode(Bool.self) { value = v }
            else { value = try c.decode(String.self) }
        }
    }

    static var folder: URL { URL(fileURLWithPath: E2E.repo).appendingPathComponent("Tests/erasureTests/Attacks") }

    func testEveryAttackEndsSafely() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: AttackTests.folder.path)
            .filter { $0.hasSuffix(".lua") }.sorted()
        XCTAssertFalse(files.isEmpty, "no attack in \(AttackTests.folder.path)")
        for file in files {
            try await run(file)
        }
    }

    func run(_ file: String) async throws {
        let source = try String(contentsOf: AttackTests.folder.appendingPathComponent(file), encoding: .utf8)
        guard let open = source.range(of: "--[[attack"), let close = source.range(of: "]]", range: open.upperBound..<source.endIndex)
        else { return XCTFail("\(file): no --[[attack {…} ]] header") }
        let attack: Attack
        do {
            attack = try JSONDecoder().decode(Attack.self, from: Data(source[open.upperBound..<close.lowerBound].utf8))
        } catch {
            return XCTFail("\(file): the attack header is not valid: \(error)")
        }
        guard let nameRange = source.range(of: #"name\s*=\s*"([a-z][a-z0-9_-]*)""#, options: .regularExpression) else {
            return XCTFail("\(file): no plugin name")
        }
        let name = String(source[nameRange]).split(separator: "\"")[1]

        let canary = try await Canary.start()
        let e2e = try await E2E(config: { toml in toml })
        let plugins = e2e.dir.appendingPathComponent("attack-plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try source.write(to: plugins.appendingPathComponent(file), atomically: true, encoding: .utf8)
        func fill(_ s: String) -> String {
            s.replacingOccurrences(of: "{{SANDBOX}}", with: e2e.sandbox.baseURL)
                .replacingOccurrences(of: "{{CANARY}}", with: canary.base)
                .replacingOccurrences(of: "{{CANARY_PORT}}", with: String(canary.port))
                .replacingOccurrences(of: "{{SANDBOX_PORT}}", with: String(e2e.sandbox.port))
        }
        var toml = try String(contentsOfFile: e2e.configPath, encoding: .utf8)
        toml += "\n[vendors.\(name)]\n"
        for (key, value) in (attack.config ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let text = value.value as? String else {
                toml += "\(key) = \(value.value)\n"  // a number or a boolean, as it is
                continue
            }
            toml += "\(key) = \"\(fill(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"\n"
        }
        try toml.write(toFile: e2e.configPath, atomically: true, encoding: .utf8)
        for fault in attack.faults ?? [] { try await e2e.fault(fault.value as? [String: Any] ?? [:]) }

        let started = Date()
        let result = try e2e.erasure(attack.args.map(fill) + ["--json"], env: ["ERASURE_PLUGIN_PATH": plugins.path],
                                     killAfter: max(60, (attack.expect.seconds ?? 20) * 3))
        let elapsed = Date().timeIntervalSince(started)
        let what = "\(file) (\(attack.summary))"
        let shown = "\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)"
        let expect = attack.expect

        if let exit = expect.exit { XCTAssertEqual(result.status, exit, "\(what): exit status\(shown)") }
        if let seconds = expect.seconds { XCTAssertLessThan(elapsed, seconds, "\(what): took \(elapsed) s\(shown)") }
        let lines = result.lines
        func matches(_ m: Expect.OutcomeMatch, _ line: [String: Any]) -> Bool {
            line["vendor"] as? String == m.vendor && line["outcome"] as? String == m.outcome
                && (m.message.map { (line["message"] as? String ?? "").contains($0) } ?? true)
        }
        for m in expect.outcomes ?? [] where !lines.contains(where: { matches(m, $0) }) {
            XCTFail("\(what): no \(m.vendor) \(m.outcome) \(m.message ?? "") outcome\(shown)")
        }
        for m in expect.absent_outcomes ?? [] where lines.contains(where: { matches(m, $0) }) {
            XCTFail("\(what): reported \(m.vendor) \(m.outcome)\(shown)")
        }
        if let effects = expect.effects {
            let seen = try await e2e.requests().compactMap { r -> String? in
                guard let effect = r["effect"] as? String else { return nil }
                let vendor = (r["path"] as? String ?? "").split(separator: "/").first.map(String.init) ?? ""
                return "\(vendor) \(r["method"] as? String ?? "") \(r["path"] as? String ?? "") \(effect)"
            }
            XCTAssertEqual(seen.sorted(), effects.map(fill).sorted(), "\(what): the sandbox's effects\(shown)")
        }
        if let n = expect.canary_requests {
            let got = await canary.requests
            XCTAssertEqual(got.count, n, "\(what): the canary received \(got)\(shown)")
        }
        if let wanted = expect.sandbox_state_contains {
            let state = String(decoding: try JSONSerialization.data(withJSONObject: try await e2e.state()), as: UTF8.self)
            for s in wanted where !state.contains(fill(s)) {
                XCTFail("\(what): the sandbox's final state lacks \(s)\(shown)")
            }
        }
        for s in expect.output_contains ?? [] where !result.all.contains(fill(s)) {
            XCTFail("\(what): output lacks \(s)\(shown)")
        }
        for s in expect.output_lacks ?? [] where result.all.contains(fill(s)) {
            XCTFail("\(what): output shows \(s)\(shown)")
        }
        await e2e.shutdown()
        await canary.stop()
    }
}

/// A listener on another loopback port that no plugin is allowed to reach: it answers 200 and
/// remembers each request's method, target and headers (a smuggled second request shows here).
final class Canary: Sendable {
    actor Log {
        var requests: [String] = []
        func add(_ r: String) { requests.append(r) }
    }
    let log: Log
    let port: Int
    private let task: Task<Void, any Error>
    var base: String { "http://127.0.0.1:\(port)" }
    var requests: [String] { get async { await log.requests } }

    private init(port: Int, task: Task<Void, any Error>, log: Log) {
        self.port = port
        self.task = task
        self.log = log
    }

    static func start() async throws -> Canary {
        let log = Log()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            router.on("**", method: method) { req, _ in
                await log.add("\(req.method) \(req.uri) host=\(req.head.authority ?? "")")
                return "ok"
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var quiet = Logger(label: "canary")
        quiet.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: quiet)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await p in ports { port = p; break }
        let canary = Canary(port: port, task: task, log: log)
        return canary
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
