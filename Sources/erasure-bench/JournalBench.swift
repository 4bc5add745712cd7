// journal: the CPU one durable journal write costs, measured alone (no HTTP, no Lua): `lanes`
// concurrent people, each doing what a batch does per deletion (markSent, a pause standing for
// the request, complete with a one-request receipt) with the real Journal on a temp file.
// Prints CPU (user+sys of this process) per write and the writes per second.
import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation

enum JournalBench {
    static func run(_ args: [String]) async throws {
        let people = option("--people", in: args, default: 4000)
        let lanes = option("--lanes", in: args, default: 64)
        let pauseMicros = option("--pause-us", in: args, default: 2000)
        let rounds = option("--rounds", in: args, default: 3)
        let vendors = ["dragonpass", "pagos", "engagelab", "gafapay"]
        print("journal: \(people) people x \(vendors.count) vendors, \(lanes) lanes, \(pauseMicros) µs between markSent and complete (the request), 2 durable writes per deletion")
        var best: Double?
        for round in 1...rounds {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-bench-journal-\(getpid())-\(round)")
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
            let run = try await journal.beginRun(RunInfo(workflow: "bench", inputPath: "people.csv", inputSHA256: "x",
                                                         configFingerprint: "f", dryRun: false, argv: []))
            let next = Counter()
            let cpu0 = cpuSeconds(), wall0 = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<lanes {
                    group.addTask {
                        while let i = next.take(below: people) {
                            let identity = ["dragonpass.id": "user-\(i)", "pagos.username": "user\(i)",
                                            "engagelab.alias": "user_\(i)", "gafapay.id": String(format: "fe%030d", i)]
                            let person = PersonRef(line: i + 2, identity: identity)
                            for v in vendors {
                                let key = StepKey(run: run, person: person, vendor: v, action: "delete")
                                try await journal.markSent(key)
                                try await Task.sleep(for: .microseconds(pauseMicros))
                                let request = ReceiptRequest(method: "DELETE", url: "http://127.0.0.1:1/\(v)/users/user-\(i)",
                                                             status: 200, requestBody: nil, responseBody: Array("{}".utf8))
                                try await journal.complete(key, result: StepResult(outcome: "deleted", message: "deleted", httpStatus: 200),
                                                           evidence: ReceiptEvidence(requests: [request]))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let cpu = cpuSeconds() - cpu0, wall = (ContinuousClock.now - wall0) / .seconds(1)
            try journal.close()
            let writes = Double(people * vendors.count * 2)
            let perWrite = cpu / writes * 1e6
            best = min(best ?? .infinity, perWrite)
            print(String(format: "  round %d: %7.1f µs CPU per write, %8.0f writes/s, %.2f s", round, perWrite, writes / wall, wall))
        }
        print(String(format: "journal: %.1f µs CPU per durable write (best of %d)", best ?? 0, rounds))
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func take(below limit: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}
