import Foundation
import Logging
import XCTest

@testable import ErasureHost
@testable import ErasurePlugins
import ErasureRun

/// A temporary folder holding test plugins (`NAME.lua`) and an `erasure.toml`, from which the
/// real `Engine` is started — so every `ctx` call in these tests goes through the real runtime.
package final class LuaFixture {
    package let dir: URL
    package var configPath: String { dir.appendingPathComponent("erasure.toml").path }

    package init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("luahost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    package func remove() { try? FileManager.default.removeItem(at: dir) }

    /// Writes `plugins/NAME.lua`: a plugin table with `config` (Lua table body), `hosts` and
    /// `identity`, then `body` (which defines `plugin.lookup` / `plugin.delete` ...). A module-level
    /// `local shared = {}` is visible to every call of the plugin during the run.
    package func plugin(_ name: String, config: String = "", hosts: String = "{}", identity: String = #"{ "id" }"#,
                extra: String = "", body: String) throws {
        let source = """
            local shared = {}
            local plugin = {
              name = "\(name)",
              version = "1.0.0",
              description = "test plugin \(name)",
              hosts = \(hosts),
              config = { \(config) },
              identity = \(identity),
              \(extra)
            }
            \(body)
            return plugin
            """
        try write("plugins/\(name).lua", source)
    }

    package func config(_ toml: String) throws { try write("erasure.toml", toml) }

    @discardableResult
    package func write(_ relative: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    package func options(dryRun: Bool = false, concurrency: Int = 16, environment: [String: String] = [:],
                 logLevel: Logger.Level = .warning) -> EngineOptions {
        var o = EngineOptions()
        o.configPath = configPath
        o.locator = PluginLocator(folders: [dir.appendingPathComponent("plugins").path])
        o.dryRun = dryRun
        o.concurrency = concurrency
        o.environment = environment
        o.logLevel = logLevel
        return o
    }

    package func start(_ needed: [String]? = ["acme"], dryRun: Bool = false, concurrency: Int = 16,
               environment: [String: String] = [:], logLevel: Logger.Level = .warning) async throws -> Engine {
        try await Engine.start(options(dryRun: dryRun, concurrency: concurrency, environment: environment,
                                       logLevel: logLevel), needed: needed)
    }
}

extension Engine {
    /// One action through the same path as `erasure delete|lookup` (no journal).
    package func act(vendor: String = "acme", action: Action = .delete, _ user: [String: String]) async throws -> Outcome {
        try await Runner(engine: self).single(vendor: vendor, action: action, user: user, journalPath: nil, argv: []).get()
    }
}

/// Runs `body` with file descriptor 2 redirected to a temporary file; returns what was written.
/// Everything the process prints to stderr meanwhile (logs, warnings) is captured.
package func capturingStderr<T>(_ body: () async throws -> T) async rethrows -> (T, String) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)").path
    FileManager.default.createFile(atPath: path, contents: nil)
    let fd = open(path, O_WRONLY | O_APPEND)
    precondition(fd >= 0, "cannot open \(path)")
    fflush(nil)
    let saved = dup(2)
    dup2(fd, 2)
    close(fd)
    func restore() -> String {
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: path)
        return text
    }
    do {
        let value = try await body()
        return (value, restore())
    } catch {
        FileHandle.standardError.write(Data(restore().utf8))
        throw error
    }
}

/// Verifies a JWT with an independent implementation: Python's stdlib `hmac` (HS256) and the
/// `cryptography` package (RS256). Returns the claims on success, nil for a bad signature.
package func verifyJWTIndependently(_ token: String, alg: String, key: String) throws -> [String: Any]? {
    let script = #"""
    import base64, hashlib, hmac, json, sys
    token, alg, key_path = sys.argv[1], sys.argv[2], sys.argv[3]
    key = open(key_path, 'rb').read()
    def b64d(s):
        return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
    h, p, s = token.split('.')
    header = json.loads(b64d(h))
    assert header['alg'] == alg, header
    signing_input = (h + '.' + p).encode()
    sig = b64d(s)
    if alg == 'HS256':
        ok = hmac.compare_digest(hmac.new(key, signing_input, hashlib.sha256).digest(), sig)
    else:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
        try:
            serialization.load_pem_public_key(key).verify(sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
            ok = True
        except Exception:
            ok = False
    if not ok:
        print('bad signature'); sys.exit(1)
    print(json.dumps(json.loads(b64d(p))))
    """#
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jwtv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try script.write(to: dir.appendingPathComponent("verify.py"), atomically: true, encoding: .utf8)
    try key.write(to: dir.appendingPathComponent("key"), atomically: true, encoding: .utf8)
    let (status, out) = try runPython(dir.appendingPathComponent("verify.py").path,
                                      [token, alg, dir.appendingPathComponent("key").path])
    guard status == 0 else { return nil }
    return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
}

/// A fresh 2048-bit RSA key pair made by Python's `cryptography` (PKCS#8 private, SPKI public PEM).
package func makeRSAKeyPair() throws -> (privatePEM: String, publicPEM: String) {
    let script = #"""
    import json
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives import serialization
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    priv = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption()).decode()
    pub = k.public_key().public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    print(json.dumps({"private": priv, "public": pub}))
    """#
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rsagen-\(UUID().uuidString).py").path
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (status, out) = try runPython(path, [])
    guard status == 0, let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: String],
          let priv = obj["private"], let pub = obj["public"]
    else { throw SetupError("python3 cryptography could not make an RSA key: \(out)") }
    return (priv, pub)
}

/// Runs `python3 script args...`; returns its exit status and its output (stdout and stderr).
package func runPython(_ script: String, _ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A JSON object from text (test failure when it is not one).
package func parseObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  "not a JSON object: \(text)", file: file, line: line)
}
