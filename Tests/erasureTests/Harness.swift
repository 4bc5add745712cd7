import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Sandbox
import XCTest

/// Runs the built `erasure` binary against an in-process sandbox over loopback.
/// Every output of every run is kept, so a test can check no secret ever appeared.
final class E2E: @unchecked Sendable {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
        /// The `--json` lines on stdout, parsed.
        var lines: [[String: Any]] {
            stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }
    }

    let sandbox: SandboxServer
    let dir: URL
    let configPath: String
    let secrets: [String]
    private(set) var outputs: [String] = []
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    static var binary: String? {
        if let b = ProcessInfo.processInfo.environment["ERASURE_BIN"], FileManager.default.isExecutableFile(atPath: b) {
            return b
        }
        let guess = repo + "/.build/debug/erasure"
        return FileManager.default.isExecutableFile(atPath: guess) ? guess : nil
    }

    static var repo: String {
        if let r = ProcessInfo.processInfo.environment["ERASURE_REPO"] { return r }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    init(seed: SandboxSeed = .default, config: ((String) -> String)? = nil) async throws {
        guard E2E.binary != nil else { throw XCTSkip("erasure binary not built (set ERASURE_BIN)") }
        sandbox = try await SandboxServer.start(host: "127.0.0.1", port: 0, seed: seed)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var toml = sandbox.configTOML()
        if let config { toml = config(toml) }
        configPath = dir.appendingPathComponent("erasure.toml").path
        try toml.write(toFile: configPath, atomically: true, encoding: .utf8)
        secrets = E2E.secretValues(in: toml)
    }

    /// The values of the secret keys of a config (what must never be printed).
    static func secretValues(in toml: String) -> [String] {
        let secretKeys: Set<String> = ["token", "jwt_secret", "client_secret", "master_secret", "api_key"]
        var out: [String] = []
        for line in toml.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, secretKeys.contains(parts[0]) else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if value.count >= 6, !value.hasPrefix("env:"), !value.hasPrefix("file:") { out.append(value) }
        }
        return out
    }

    /// How many vendors the sandbox's config names: a run over everyone reaches each of them.
    var vendorCount: Int { sandbox.configTOML().components(separatedBy: "[vendors.").count - 1 }

    func shutdown() async {
        assertNoSecretPrinted()
        try? await http.shutdown()
        await sandbox.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func assertNoSecretPrinted(file: StaticString = #filePath, line: UInt = #line) {
        for secret in secrets {
            for output in outputs where output.contains(secret) {
                XCTFail("a secret value was printed:\n\(output)", file: file, line: line)
            }
        }
    }

    /// Runs `erasure ARGS --config <sandbox config>` (unless the args carry their own --config).
    /// `killAfter`: seconds after which the process is killed (a test of a limit must fail, not hang).
    @discardableResult
    func erasure(_ args: [String], env: [String: String] = [:], stdin: String? = nil,
                 cwd: String? = nil, killAfter: Double? = nil) throws -> Result {
        var full = args
        if !args.contains("--config") && ["delete", "suspend", "lookup", "run", "plugins", "plan", "apply"].contains(args.first ?? "")
            && args.dropFirst().first != "show" {
            full += ["--config", configPath]
        }
        // Run in the test's own folder (journals land there); the repo's plugins come through the path.
        var environment = env
        let builtin = E2E.repo + "/plugins"
        environment["ERASURE_PLUGIN_PATH"] = env["ERASURE_PLUGIN_PATH"].map { builtin + ":" + $0 } ?? builtin
        let r = try E2E.exec(full, env: environment, stdin: stdin, cwd: cwd ?? dir.path, killAfter: killAfter)
        outputs.append(r.stdout)
        outputs.append(r.stderr)
        return r
    }

    /// Starts `erasure ARGS` without waiting (output to files in the test folder), to kill it.
    func start(_ args: [String], output: URL? = nil) throws -> Process {
        var full = args
        if !args.contains("--config") { full += ["--config", configPath] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: E2E.binary!)
        p.arguments = full
        p.currentDirectoryURL = dir
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["ERASURE_PLUGIN_PATH"] = E2E.repo + "/plugins"
        p.environment = environment
        let out = output ?? dir.appendingPathComponent("started-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func exec(_ args: [String], env: [String: String] = [:], stdin: String? = nil, cwd: String,
                     executable: String? = nil, killAfter: Double? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? binary!)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "ERASURE_PLUGIN_PATH")
        environment.removeValue(forKey: "ERASURE_CONFIG")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        if let killAfter {
            let pid = p.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + killAfter) { if p.isRunning { kill(pid, SIGKILL) } }
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes while the process runs so a large output cannot block it.
        let outBox = DataBox(), errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        let outData = outBox.data, errData = errBox.data
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    // MARK: sandbox control

    func control(_ method: HTTPMethod, _ path: String, json: Any? = nil) async throws -> Any? {
        var req = HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/" + path)
        req.method = method
        if let json {
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let resp = try await http.execute(req, timeout: .seconds(10))
        let body = try await resp.body.collect(upTo: 64 << 20)
        XCTAssertLessThan(resp.status.code, 300, "sandbox control \(path): \(String(buffer: body))")
        if body.readableBytes == 0 { return nil }
        return try? JSONSerialization.jsonObject(with: Data(buffer: body))
    }

    func fault(_ spec: [String: Any]) async throws { _ = try await control(.POST, "faults", json: spec) }

    func requests() async throws -> [[String: Any]] {
        let r = try await control(.GET, "requests") as? [String: Any]
        return r?["requests"] as? [[String: Any]] ?? []
    }

    func clearLog() async throws { _ = try await control(.POST, "reset") }

    /// Clears the request log only (the vendors' state stays).
    func clearRequests() async throws { _ = try await control(.DELETE, "requests") }

    func state() async throws -> [String: Any] {
        try await control(.GET, "state") as? [String: Any] ?? [:]
    }

    /// Vendor requests other than reads: what a dry run must never send.
    static func mutating(_ requests: [[String: Any]]) -> [[String: Any]] {
        requests.filter { r in
            let method = r["method"] as? String ?? ""
            let path = r["path"] as? String ?? ""
            if ["GET", "HEAD", "OPTIONS"].contains(method) { return false }
            if path.hasSuffix("/connect/token") { return false }      // auth: allowed in a dry run
            if path.hasSuffix("/users/search") { return false }       // DragonPass lookup, read-only POST
            return true
        }
    }

    /// Waits until `check` holds (the sandbox's EngageLab deletes asynchronously).
    func eventually(_ what: String, timeout: Double = 5, _ check: () async throws -> Bool) async throws {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try await check() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("timed out waiting for \(what)")
    }
}

final class DataBox: @unchecked Sendable { var data = Data() }

/// The sample person of the sandbox (docs/sandbox.md).
enum Ada {
    static let dragonpass = ["delete", "dragonpass", "id=3EF5D065-76F8-4D3E-801A-B329D15F461A"]
    static let pagos = ["delete", "pagos", "username=ada.lovelace"]
    static let engagelab = ["delete", "engagelab", "alias=ada_lovelace"]
    static let gafapay = ["delete", "gafapay", "id=6f1b82443e524459831de59d430a0c41"]
    static let cubicasa = ["delete", "cubicasa", "email=ada@example.com"]
    static let all: [(vendor: String, args: [String])] = [
        ("dragonpass", dragonpass), ("pagos", pagos), ("engagelab", engagelab),
        ("gafapay", gafapay), ("cubicasa", cubicasa),
    ]
    static let engagelabDevices = ["1a0018970a8b1c2d3e4", "1a0018970a8b1c2d3e5"]
}
