import ErasureHost
import AsyncHTTPClient
import Foundation
import Sandbox

// `erasure-bench batch` (issues 6 and 7): erase N generated people from all five vendors of an
// in-process sandbox with the release `erasure` binary, then replay exactly the requests it sent
// (taken from the sandbox's request log) with
//   - a plain Swift AsyncHTTPClient loop (the floor), and
//   - a Python asyncio + httpx script (scripts/bench_replay.py: what an operator would otherwise write),
// at the same concurrency, and print deletions/s for each and the ratios; then the same erasure run
// with its journal on (overhead %), and the peak RSS of a dry-run over 10 000 and 100 000 CSV rows.
//
// A benchmark, not a test: it prints what it measures, ratios of numbers taken in the same run.
//
// Fairness notes (also printed):
//   - every contender is its own process (the sandbox lives in this one), at the same concurrency;
//   - erasure is timed as the whole process (start-up, config, Lua plugins, CSV, report included);
//     the two replays are timed from their first request to their last answer (their start-up and
//     loading of the request list are left out), which favours them;
//   - the replays keep each person's requests in their original order, one person at a time per
//     worker (like erasure: `concurrency` people in flight); requests naming no person (the Pagos
//     token, CubiCasa list pages) are replayed in their place in the log as one-request groups.
//
// `erasure-bench batch --replay FILE --concurrency C` is the floor itself (run as a child process).

func benchBatch(_ args: [String]) async throws {
    if let file = BatchBench.value("--replay", args) {
        try await BatchBench.replay(file: file, concurrency: Int(BatchBench.value("--concurrency", args) ?? "") ?? 64)
        return
    }
    try await BatchBench(args).run()
}

struct BatchBench {
    var people = 2000
    var concurrency = 64
    var rounds = 1
    var erasure: String
    var plugins: String
    var python = "python3"
    var replayScript = "scripts/bench_replay.py"
    var rssRows = [10_000, 100_000]
    var keep = false
    var serve = false
    var cubicasaCache = 60
    /// Extra (no journal, journal) pairs run back to back for the journal's overhead.
    var journalPairs = 4

    static func value(_ name: String, _ args: [String]) -> String? {
        guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    init(_ args: [String]) throws {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        erasure = Self.value("--erasure", args) ?? me.deletingLastPathComponent().appendingPathComponent("erasure").path
        plugins = Self.value("--plugins", args) ?? FileManager.default.currentDirectoryPath + "/plugins"
        if let v = Self.value("--people", args) { people = Int(v) ?? people }
        if let v = Self.value("--concurrency", args) { concurrency = Int(v) ?? concurrency }
        if let v = Self.value("--rounds", args) { rounds = max(1, Int(v) ?? rounds) }
        if let v = Self.value("--python", args) { python = v }
        if let v = Self.value("--replay-script", args) { replayScript = v }
        if let v = Self.value("--rss-rows", args) {
            rssRows = v.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        keep = args.contains("--keep")
        serve = args.contains("--serve")
        if let v = Self.value("--cubicasa-cache", args) { cubicasaCache = Int(v) ?? cubicasaCache }
        if let v = Self.value("--journal-pairs", args) { journalPairs = max(0, Int(v) ?? journalPairs) }
        plugins = URL(fileURLWithPath: plugins).standardizedFileURL.path
        replayScript = URL(fileURLWithPath: replayScript).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: erasure) else {
            throw BatchBenchError("batch: no erasure binary at \(erasure) (build it: swift build -c release; or pass --erasure PATH)")
        }
        guard FileManager.default.fileExists(atPath: plugins + "/offboard.lua") || FileManager.default.fileExists(atPath: plugins + "/workflows/offboard.lua") else {
            throw BatchBenchError("batch: no plugins/workflows/offboard.lua under \(plugins) (run from the repository, or pass --plugins DIR)")
        }
    }

    func run() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-bench-batch-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: dir) } }

        var seed = SandboxSeed.generated(people: people)
        seed.settings.engagelabRateLimit = 0            // the emulator must not be the bottleneck
        seed.settings.requestLogLimit = max(100_000, people * 40)
        let sandbox = try await SandboxServer.start(host: "127.0.0.1", port: 0, seed: seed)
        defer { let s = sandbox; Task { await s.stop() } }
        // configTOML() sets no rate_limit: nothing in erasure throttles the run.
        // CubiCasa's run-wide page cache (list_cache_seconds, the plugin's default 60 s): cached pages
        // only prove presence; an absence is confirmed on fresh pages (see plugins/cubicasa.lua).
        try sandbox.configTOML()
            .replacingOccurrences(of: "[vendors.cubicasa]\n", with: "[vendors.cubicasa]\nlist_cache_seconds = \(cubicasaCache)\n")
            .write(to: dir.appendingPathComponent("erasure.toml"), atomically: true, encoding: .utf8)
        var csv = "dragonpass.id,pagos.username,engagelab.alias,gafapay.id,cubicasa.id\n"
        for i in 1...max(1, people) {
            let p = SandboxSeed.GeneratedPerson(index: i)
            csv += "\(p.dragonpassId),\(p.pagosUserName),\(p.engagelabAlias),\(p.gafapayId),\(p.cubicasaId)\n"
        }
        try csv.write(to: dir.appendingPathComponent("people.csv"), atomically: true, encoding: .utf8)
        let expected = 5 * people
        if serve {   // for profiling by hand: the sandbox and the files, no measurement
            FileHandle.standardOutput.write(Data("batch --serve: sandbox at \(sandbox.baseURL); erasure.toml and people.csv in \(dir.path) (POST /_sandbox/reset between runs)\n".utf8))
            try await Task.sleep(for: .seconds(3600))
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount

        print("batch: \(people) people x 5 vendors = \(expected) deletions, concurrency \(concurrency), sandbox in-process at \(sandbox.baseURL) (\(cores) cores, shared by sandbox and client)")
        print("  each contender is its own process; erasure timed as a whole process, the replays (the exact requests of erasure's run, from the sandbox log, one person's requests in order per worker) from first request to last answer; cubicasa list_cache_seconds = \(cubicasaCache)")

        // (seconds, deletions) of each contender in each round
        var erasureRuns: [(Double, Int)] = [], journalRuns: [(Double, Int)] = [], floorRuns: [(Double, Int)] = [], pythonRuns: [(Double, Int)] = []
        var requestCount = 0
        var pythonNote: String?
        func show(_ name: String, _ r: (Double, Int)) {
            print("    " + name.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: "%6.2f s  %6d deletions  %8.0f deletions/s", r.0, r.1, Double(r.1) / r.0))
        }
        for round in 1...rounds {
            if rounds > 1 { print("  round \(round)/\(rounds)") }
            // (1) erasure, no journal
            sandbox.reset()
            let e = try runErasure(in: dir, journal: nil, expected: expected)
            erasureRuns.append((e.seconds, e.deleted))
            show("erasure (no journal)", erasureRuns.last!)

            // the requests erasure sent, exactly: the sandbox's log of that run
            let log = try await fetchLog(sandbox)
            requestCount = log.count
            let groups = Self.group(log, people: people)
            let file = dir.appendingPathComponent("requests.json")
            try Self.writeReplay(groups, base: sandbox.baseURL, to: file)

            // (2) the floor: AsyncHTTPClient, same requests, same concurrency (child process)
            sandbox.reset()
            let f = try runReplay(["batch", "--replay", file.path, "--concurrency", String(concurrency)],
                                  executable: CommandLine.arguments[0], name: "floor", expect: log.count)
            floorRuns.append((f, e.deleted))
            show("AsyncHTTPClient floor", floorRuns.last!)

            // (3) Python asyncio + httpx
            sandbox.reset()
            if let py = which(python) {
                do {
                    let p = try runReplay([replayScript, file.path, "--concurrency", String(concurrency)],
                                          executable: py, name: "python", expect: log.count)
                    pythonRuns.append((p, e.deleted))
                    show("Python asyncio + httpx", pythonRuns.last!)
                } catch {
                    pythonNote = "\(error)"
                    print("    Python asyncio + httpx  skipped: \(error)")
                }
            } else {
                pythonNote = "no \(python) on PATH"
            }

            // (4) erasure with its journal (issue 7)
            sandbox.reset()
            let j = try runErasure(in: dir, journal: "bench.sqlite", expected: expected)
            journalRuns.append((j.seconds, j.deleted))
            show("erasure (journal)", journalRuns.last!)
        }

        // The journal's overhead: more (no journal, journal) pairs back to back, the order
        // alternating so that a machine getting slower or faster does not favour either side.
        var pairs: [(without: Double, with: Double)] = zip(erasureRuns, journalRuns).map {
            (Double($0.0.1) / $0.0.0, Double($0.1.1) / $0.1.0)
        }
        if journalPairs > 0 { print("  journal pairs (no journal and journal back to back, \(journalPairs) more)") }
        for i in 0..<journalPairs {
            var without = 0.0, with = 0.0
            for journaled in (i % 2 == 0 ? [true, false] : [false, true]) {
                sandbox.reset()
                let r = try runErasure(in: dir, journal: journaled ? "bench.sqlite" : nil, expected: expected)
                if journaled { with = Double(r.deleted) / r.seconds; journalRuns.append((r.seconds, r.deleted)) }
                else { without = Double(r.deleted) / r.seconds; erasureRuns.append((r.seconds, r.deleted)) }
            }
            pairs.append((without, with))
            print(String(format: "    pair %d                  %8.0f vs %8.0f deletions/s  overhead %5.1f %%", i + 1, without, with,
                         (1 - with / without) * 100))
        }

        // best of the rounds for each (the least disturbed by the machine)
        let best = { (runs: [(Double, Int)]) -> Double? in runs.map { Double($0.1) / $0.0 }.max() }
        let e = best(erasureRuns)!, j = best(journalRuns)!, f = best(floorRuns)!
        print("batch results (\(requestCount) HTTP requests per run, \(rounds > 1 ? "best of \(rounds) rounds" : "1 round"))")
        print(String(format: "  erasure run offboard      %8.0f deletions/s  (whole process: start-up, config, Lua, CSV, report)", e))
        print(String(format: "  AsyncHTTPClient floor     %8.0f deletions/s  (send loop only, same requests)", f))
        if let p = best(pythonRuns) {
            print(String(format: "  Python asyncio + httpx    %8.0f deletions/s  (send loop only, same requests)", p))
        } else {
            print("  Python asyncio + httpx    not measured (\(pythonNote ?? "skipped"))")
        }
        print(String(format: "  erasure / floor           %8.2fx   (aim >= 0.9x)", e / f))
        if let p = best(pythonRuns) {
            print(String(format: "  erasure / python          %8.2fx   (aim >= 3x)", e / p))
        }
        // Paired runs on 2 shared cores swing by ±20 % between runs (other tenants, and CubiCasa's
        // list walks vary with timing); the median of the pairs' overheads is the figure that
        // holds from one bench run to the next. The best-of comparison is printed too.
        let overheads = pairs.map { (1 - $0.with / $0.without) * 100 }.sorted()
        let median = overheads.isEmpty ? 0 : overheads.count % 2 == 1 ? overheads[overheads.count / 2]
            : (overheads[overheads.count / 2 - 1] + overheads[overheads.count / 2]) / 2
        print("journal overhead (issue 7)")
        print(String(format: "  without journal           %8.0f deletions/s  (best of %d)", e, erasureRuns.count))
        print(String(format: "  with journal              %8.0f deletions/s  (best of %d)", j, journalRuns.count))
        print(String(format: "  overhead, best vs best    %8.1f %%", (1 - j / e) * 100))
        print(String(format: "  overhead, median of pairs %8.1f %%   (aim < 10 %%; ", median) + "\(overheads.count) pairs: "
              + overheads.map { String(format: "%.1f", $0) }.joined(separator: ", ") + ")")

        await sandbox.stop()
        if !rssRows.isEmpty { try measureRSS(in: dir) }
    }

    // MARK: - erasure

    struct ErasureRun { var seconds: Double; var deleted: Int; var notFound: [String: Int] }

    /// Runs `erasure run offboard` over people.csv; returns its wall time (s) and the deletions
    /// it reported. Every person exists at every vendor: anything but `deleted` is reported, and
    /// fewer than 95 % deletions, or a failure, stops the benchmark.
    func runErasure(in dir: URL, journal: String?, expected: Int) throws -> ErasureRun {
        var args = ["run", "offboard", "--users", "people.csv", "--concurrency", String(concurrency), "--yes", "--json"]
        if let journal {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(journal))
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(at: dir.appendingPathComponent(journal + suffix)) }
            args += ["--journal", journal]
        } else {
            args.append("--no-journal")
        }
        let out = dir.appendingPathComponent("erasure.out")
        let (status, seconds, err) = try Self.spawn(erasure, args, cwd: dir, stdout: out,
                                                    env: ["ERASURE_PLUGIN_PATH": plugins])
        let text = try String(contentsOf: out, encoding: .utf8)
        var deleted = 0
        var notFound: [String: Int] = [:]
        var other: [Substring] = []
        for line in text.split(separator: "\n") {
            if line.contains("\"outcome\":\"deleted\"") { deleted += 1 }
            else if line.contains("\"outcome\":\"found\"") { continue }
            else if line.contains("\"outcome\":\"not_found\""), let v = Self.field("vendor", line) { notFound[v, default: 0] += 1 }
            else { other.append(line) }
        }
        guard status == 0, other.isEmpty, deleted * 100 >= expected * 95 else {
            throw BatchBenchError("batch: erasure exited \(status) with \(deleted) of \(expected) deletions\n"
                                  + other.prefix(5).joined(separator: "\n") + "\n" + err.suffix(2000))
        }
        if deleted != expected {
            let missed = notFound.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("    note: \(expected - deleted) of \(expected) people reported not_found although the sandbox had them (\(missed))"
                  + (notFound["cubicasa"] != nil ? ": CubiCasa's offset-paged list walk misses users that concurrent deletions shift to an already-read page" : ""))
        }
        return ErasureRun(seconds: seconds, deleted: deleted, notFound: notFound)
    }

    static func field(_ name: String, _ line: Substring) -> String? {
        guard let r = line.range(of: "\"\(name)\":\"") else { return nil }
        let rest = line[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    // MARK: - the request log and the replay file

    struct LoggedRequest: Decodable {
        var seq: Int
        var method: String
        var path: String
        var query: String
        var headers: [String: String]
        var body: String
        var body_base64: Bool?
        var status: Int
    }

    func fetchLog(_ sandbox: SandboxServer) async throws -> [LoggedRequest] {
        struct Log: Decodable { var requests: [LoggedRequest] }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: sandbox.baseURL + "/_sandbox/requests"),
                                                           timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 30)
        let log = try JSONDecoder().decode(Log.self, from: Data(body.readableBytesView))
        return log.requests.sorted { $0.seq < $1.seq }
    }

    /// Groups the log by person (a request belongs to the person whose id appears as a whole token
    /// in its path, query or body), groups in order of their first request; requests naming
    /// nobody are groups of one, in their place.
    static func group(_ log: [LoggedRequest], people: Int) -> [[LoggedRequest]] {
        var owner: [Substring: Int] = [:]
        for i in 1...max(1, people) {
            let p = SandboxSeed.GeneratedPerson(index: i)
            for id in [p.dragonpassId, p.pagosUserName, p.engagelabAlias, p.engagelabRegistrationId, p.gafapayId, p.cubicasaId, p.email] {
                owner[Substring(id)] = i
            }
        }
        func person(of r: LoggedRequest) -> Int? {
            for text in [r.path, r.query, r.body_base64 == true ? "" : r.body] {
                for token in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." || $0 == "@") }) {
                    if let i = owner[token] { return i }
                }
            }
            return nil
        }
        var groups: [[LoggedRequest]] = []
        var index: [Int: Int] = [:]
        for r in log {
            if let p = person(of: r) {
                if let g = index[p] { groups[g].append(r) } else { index[p] = groups.count; groups.append([r]) }
            } else {
                groups.append([r])
            }
        }
        return groups
    }

    struct ReplayRequest: Codable {
        var method: String
        var url: String
        var headers: [[String]]
        var body: String          // base64
        var status: Int
    }
    struct ReplayFile: Codable { var groups: [[ReplayRequest]] }

    /// Headers the HTTP client sets itself (Host, framing, connection management) are dropped.
    static let ownHeaders: Set<String> = ["host", "content-length", "connection", "transfer-encoding", "keep-alive"]

    static func writeReplay(_ groups: [[LoggedRequest]], base: String, to file: URL) throws {
        let out = ReplayFile(groups: groups.map { g in
            g.map { r in
                let bytes = r.body_base64 == true ? (Data(base64Encoded: r.body) ?? Data()) : Data(r.body.utf8)
                return ReplayRequest(method: r.method, url: base + r.path + (r.query.isEmpty ? "" : "?" + r.query),
                                     headers: r.headers.filter { !ownHeaders.contains($0.key.lowercased()) }
                                        .sorted { $0.key < $1.key }.map { [$0.key, $0.value] },
                                     body: bytes.base64EncodedString(), status: r.status)
            }
        })
        try JSONEncoder().encode(out).write(to: file)
    }

    /// Runs a replayer (this binary's `--replay`, or the Python script); returns the seconds it
    /// reports for its send loop, after checking it sent every request and got the same statuses.
    func runReplay(_ args: [String], executable: String, name: String, expect: Int) throws -> Double {
        let dir = FileManager.default.temporaryDirectory
        let out = dir.appendingPathComponent("erasure-bench-\(name)-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let (status, _, err) = try Self.spawn(executable, args, cwd: nil, stdout: out, env: [:])
        struct Result: Decodable { var seconds: Double; var sent: Int; var mismatched: Int; var errors: Int }
        guard status == 0, let data = try? Data(contentsOf: out), let r = try? JSONDecoder().decode(Result.self, from: data) else {
            throw BatchBenchError("\(name) replay exited \(status): \(err.suffix(2000))")
        }
        guard r.sent == expect else { throw BatchBenchError("\(name) replay sent \(r.sent) of \(expect) requests") }
        if r.errors > 0 || r.mismatched > 0 {
            print("    note: \(name) replay: \(r.errors) transport errors, \(r.mismatched) answers whose status differs from erasure's run")
        }
        return r.seconds
    }

    // MARK: - the floor (child process)

    /// Sends every group of FILE, `concurrency` groups in flight, each group's requests in order,
    /// with one HTTPClient (per-host connection limit = concurrency). Prints
    /// `{"seconds","sent","mismatched","errors"}`.
    static func replay(file: String, concurrency: Int) async throws {
        let groups = try JSONDecoder().decode(ReplayFile.self, from: Data(contentsOf: URL(fileURLWithPath: file))).groups
        // Requests are built before the clock starts (the Python script does the same).
        struct Prepared: Sendable { var request: HTTPClientRequest; var status: Int }
        let prepared: [[Prepared]] = groups.map { g in
            g.map { r in
                var req = HTTPClientRequest(url: r.url)
                req.method = .init(rawValue: r.method)
                for h in r.headers where h.count == 2 { req.headers.add(name: h[0], value: h[1]) }
                let body = [UInt8](Data(base64Encoded: r.body) ?? Data())
                if !body.isEmpty { req.body = .bytes(body) }
                return Prepared(request: req, status: r.status)
            }
        }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let next = Counter()
        let start = ContinuousClock.now
        let totals = await withTaskGroup(of: (Int, Int, Int).self) { tasks in
            for _ in 0..<concurrency {
                tasks.addTask {
                    var sent = 0, mismatched = 0, errors = 0
                    while true {
                        let g = next.take()
                        if g >= prepared.count { break }
                        for p in prepared[g] {
                            sent += 1
                            do {
                                let response = try await client.execute(p.request, timeout: .seconds(30))
                                _ = try await response.body.collect(upTo: 64 << 20)
                                if Int(response.status.code) != p.status { mismatched += 1 }
                            } catch {
                                errors += 1
                            }
                        }
                    }
                    return (sent, mismatched, errors)
                }
            }
            var t = (0, 0, 0)
            for await r in tasks { t.0 += r.0; t.1 += r.1; t.2 += r.2 }
            return t
        }
        let elapsed = ContinuousClock.now - start
        try await client.shutdown()
        let seconds = elapsed.seconds
        print("{\"seconds\":\(seconds),\"sent\":\(totals.0),\"mismatched\":\(totals.1),\"errors\":\(totals.2)}")
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func take() -> Int { lock.withLock { defer { value += 1 }; return value } }
    }

    // MARK: - peak RSS

    /// Peak RSS of `erasure run --dry-run --users X` over CSVs of `rssRows` people, with a workflow
    /// that calls skip("bench") for everyone: no HTTP at all, so what is measured is the batch
    /// machinery itself (CSV streaming, the Lua coroutines, the report, the journal).
    func measureRSS(in dir: URL) throws {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            print("peak RSS: /usr/bin/time missing (apt-get install time); not measured")
            return
        }
        let workflow = dir.appendingPathComponent("skip.lua")
        try Data(PackageResources.skip_everyone_lua).write(to: workflow)
        print("peak RSS: erasure run <skip(\"bench\") workflow> --dry-run --users N.csv --json (journal on), no HTTP")
        var results: [(Int, Int, Double)] = []
        for rows in rssRows {
            let csvURL = dir.appendingPathComponent("rss-\(rows).csv")
            var csv = "dragonpass.id,pagos.username,engagelab.alias,gafapay.id,cubicasa.id\n"
            csv.reserveCapacity(rows * 110)
            for i in 1...rows {   // people the sandbox does not have (not that it is asked anything)
                let p = SandboxSeed.GeneratedPerson(index: 10_000_000 + i)
                csv += "\(p.dragonpassId),\(p.pagosUserName),\(p.engagelabAlias),\(p.gafapayId),\(p.cubicasaId)\n"
            }
            try csv.write(to: csvURL, atomically: true, encoding: .utf8)
            let rssFile = dir.appendingPathComponent("rss-\(rows).txt")
            try? FileManager.default.removeItem(at: dir.appendingPathComponent("rss.sqlite"))
            let (status, seconds, err) = try Self.spawn(
                time, ["-f", "%M", "-o", rssFile.path, erasure, "run", workflow.path, "--users", csvURL.path,
                       "--dry-run", "--json", "--concurrency", String(concurrency), "--journal", "rss.sqlite"],
                cwd: dir, stdout: URL(fileURLWithPath: "/dev/null"), env: ["ERASURE_PLUGIN_PATH": plugins])
            let text = (try? String(contentsOf: rssFile, encoding: .utf8)) ?? ""
            guard status == 0, let kb = text.split(separator: "\n").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }).last else {
                throw BatchBenchError("peak RSS: erasure over \(rows) rows exited \(status): \(text) \(err.suffix(2000))")
            }
            results.append((rows, kb, seconds))
            print(String(format: "  %7d rows   peak RSS %7.1f MB   (%.1f s, %.0f people/s)", rows, Double(kb) / 1024, seconds, Double(rows) / seconds))
            try? FileManager.default.removeItem(at: csvURL)
        }
        if results.count >= 2 {
            let a = results[0], b = results[results.count - 1]
            print(String(format: "  ratio %d / %d rows: %.2fx peak RSS for %.0fx the rows (flat = about 1x)",
                         b.0, a.0, Double(b.1) / Double(a.1), Double(b.0) / Double(a.0)))
        }
    }

    // MARK: - processes

    func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a process with stdout to `stdout`; returns exit status, wall seconds and stderr.
    static func spawn(_ executable: String, _ args: [String], cwd: URL?, stdout: URL, env: [String: String])
        throws -> (Int32, Double, String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out: FileHandle
        if stdout.path == "/dev/null" {
            out = FileHandle.nullDevice
        } else {
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            out = try FileHandle(forWritingTo: stdout)
        }
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-bench-stderr-\(getpid())-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try p.run()
        p.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        if out !== FileHandle.nullDevice { try? out.close() }
        try? err.close()
        let errText = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (p.terminationStatus, elapsed.seconds, errText)
    }
}

struct BatchBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
