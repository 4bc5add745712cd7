import Foundation
import Sandbox

/// `erasure-bench sandbox-rps`: how many requests/s the sandbox answers on loopback, measured with
/// wrk (Debian package `wrk`) against an in-process server. Two scenarios: a cheap GET (CubiCasa
/// `GET /users?limit=1`, auth + pagination + request log) and a DELETE (GafaPay
/// `DELETE user/user_detail/<unknown id>`: header checks, state lookup, BASE_ERROR_IN_REMOVING; the
/// state does not change, so every request does the same work).
///
/// Environment: ERASURE_BENCH_SECONDS (default 5), ERASURE_BENCH_CONNECTIONS (default 64),
/// ERASURE_BENCH_WRK_THREADS (default 1: on 2 cores one is left to the server).
/// Target: >= 20 000 requests/s per scenario on the 2-core build machine (issue 3).
func benchSandboxRPS() async throws {
    let env = ProcessInfo.processInfo.environment
    guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw SandboxError("sandbox-rps: wrk not found; install it with `apt-get install -y wrk`")
    }
    let seconds = Int(env["ERASURE_BENCH_SECONDS"] ?? "") ?? 5
    let connections = Int(env["ERASURE_BENCH_CONNECTIONS"] ?? "") ?? 64
    let threads = Int(env["ERASURE_BENCH_WRK_THREADS"] ?? "") ?? 1

    let server = try await SandboxServer.start(host: "127.0.0.1", port: 0, seed: .default)
    let c = server.credentials
    let script = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-bench-\(getpid()).lua")
    defer { try? FileManager.default.removeItem(at: script) }

    struct Scenario { let name: String; let path: String; let method: String; let headers: [String: String] }
    let scenarios = [
        Scenario(name: "GET    cubicasa users?limit=1", path: "/cubicasa/api/integrate/v3/users?limit=1", method: "GET",
                 headers: ["api-key": c.cubicasa.apiKey]),
        Scenario(name: "DELETE gafapay user_detail/<unknown>",
                 path: "/gafapay/gafapay/v3/user/user_detail/0123456789abcdef0123456789abcdef", method: "DELETE",
                 headers: ["authorization": "Token \(c.gafapay.token)", "companyid": c.gafapay.companyId,
                           "requestid": "be08f79e-7eac-40e1-acbe-00f6ae7b8f7b"]),
    ] + (env["ERASURE_BENCH_SANDBOX_FLOOR"] == "1" ? [
        // diagnostics: the server's floor (not logged) and an unrouted path (logged, tiny answer)
        Scenario(name: "GET    /_sandbox/faults (floor)", path: "/_sandbox/faults", method: "GET", headers: [:]),
        Scenario(name: "GET    /nowhere (logged 404)", path: "/nowhere", method: "GET", headers: [:]),
    ] : [])
    print("sandbox-rps: wrk -t\(threads) -c\(connections) -d\(seconds)s against \(server.baseURL) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
    var results: [(String, Double)] = []
    do {
        for s in scenarios {
            server.reset()
            var lua = "wrk.method = \"\(s.method)\"\n"
            for (k, v) in s.headers { lua += "wrk.headers[\"\(k)\"] = \"\(v)\"\n" }
            try lua.write(to: script, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: wrk)
            p.arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, server.baseURL + s.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard p.terminationStatus == 0,
                  let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
                  let rps = Double(line.split(separator: " ").last ?? "")
            else { throw SandboxError("sandbox-rps: wrk failed:\n\(text)") }
            let non2xx = text.split(separator: "\n").first { $0.contains("Non-2xx") }.map { " (\($0.trimmingCharacters(in: .whitespaces)))" } ?? ""
            let p50 = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("50%") }
                .map { " p50 " + ($0.split(separator: " ").last.map(String.init) ?? "?") } ?? ""
            print("sandbox-rps \(s.name): \(Int(rps.rounded())) requests/s\(p50)\(non2xx)")
            results.append((s.name, rps))
        }
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
    let worst = results.map(\.1).min() ?? 0
    print("sandbox-rps: min \(Int(worst.rounded())) requests/s (target >= 20000) \(worst >= 20_000 ? "OK" : "BELOW TARGET")")
}
