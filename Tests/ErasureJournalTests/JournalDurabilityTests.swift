import ErasureJournal
import ErasureHost
import Foundation
import XCTest

/// Durability: what a journal commits survives the process (a fresh connection, a fresh
/// process, and a process killed with SIGKILL without closing anything).
final class JournalDurabilityTests: XCTestCase {
    func testFreshOpenReadsBackEverything() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("j.sqlite").path
        var keys: [StepKey] = []
        let run: RunID
        do {
            let journal = try Journal.open(path: path)
            run = try await journal.beginRun(sampleRun())
            for i in 0..<20 {
                keys.append(StepKey(run: run, person: person(i + 2, "p\(i)@example.com"), vendor: "dragonpass", action: "delete"))
            }
            try await journal.markPending(keys)
            for k in keys[0..<15] { try await journal.markSent(k) }
            for k in keys[0..<10] {
                try await journal.complete(k, result: StepResult(outcome: "deleted"),
                                           evidence: deleteEvidence(vendor: "dragonpass", id: k.person.key))
            }
            // A second, independent connection sees the committed state while the first is open.
            let other = try Journal.openExisting(path: path)
            let v1 = try await other.steps(inState: .sent, run: run).count
            XCTAssertEqual(v1, 5)
            try other.close()
            try journal.close()
        }
        let reopened = try Journal.openExisting(path: path)
        let v2 = try await reopened.steps(inState: .done, run: run).count
        XCTAssertEqual(v2, 10)
        let v3 = try await reopened.steps(inState: .sent, run: run).map(\.person)
        XCTAssertEqual(v3, keys[10..<15].map(\.person))
        let v4 = try await reopened.steps(inState: .pending, run: run).count
        XCTAssertEqual(v4, 5)
        let v5 = try await reopened.receipts().count
        XCTAssertEqual(v5, 10)
        let v6 = try await reopened.verify().isIntact
        XCTAssertTrue(v6)
    }

    /// The parent half: runs this test binary again as a child that writes, then SIGKILLs itself.
    func testStateSurvivesSIGKILL() async throws {
        let dir = try makeTempDir()
        let path = dir.appendingPathComponent("crash.sqlite").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["ErasureJournalTests.JournalCrashChild/testChildWritesThenKillsItself"]
        var env = ProcessInfo.processInfo.environment
        env["ERASURE_JOURNAL_CRASH_CHILD"] = path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the child must die by SIGKILL")
        XCTAssertEqual(process.terminationStatus, SIGKILL)

        let journal = try Journal.openExisting(path: path)
        let v7 = try await journal.runs().first
        let run = try XCTUnwrap(v7)
        XCTAssertNil(run.endedAt)
        let v8 = try await journal.steps(inState: .done, run: run.id).count
        XCTAssertEqual(v8, JournalCrashChild.done)
        let v9 = try await journal.steps(inState: .sent, run: run.id).count
        XCTAssertEqual(v9,
                       JournalCrashChild.sent - JournalCrashChild.done)
        let v10 = try await journal.steps(run: run.id).count
        XCTAssertEqual(v10, JournalCrashChild.total)
        let verification = try await journal.verify()
        XCTAssertTrue(verification.isIntact, "\(String(describing: verification.violation))")
        XCTAssertEqual(verification.receiptsChecked, JournalCrashChild.done)
        // Resume picks the same run.
        let resumed = try await journal.runToResume(workflow: "offboard", inputSHA256: String(repeating: "a", count: 64),
                                                    dryRun: false)
        XCTAssertEqual(resumed.id, run.id)
    }
}

/// The child half of `testStateSurvivesSIGKILL`; does nothing unless started by it.
final class JournalCrashChild: XCTestCase {
    static let total = 300, sent = 200, done = 120

    func testChildWritesThenKillsItself() async throws {
        guard let path = ProcessInfo.processInfo.environment["ERASURE_JOURNAL_CRASH_CHILD"] else {
            throw XCTSkip("helper process of JournalDurabilityTests.testStateSurvivesSIGKILL")
        }
        let journal = try Journal.open(path: path)
        let run = try await journal.beginRun(sampleRun())
        let keys = (0..<Self.total).map {
            StepKey(run: run, person: person($0 + 2, "p\($0)@example.com"), vendor: "engagelab", action: "delete")
        }
        try await journal.markPending(keys)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, key) in keys.enumerated() where i < Self.sent {
                group.addTask {
                    try await journal.markSent(key)
                    if i < Self.done {
                        try await journal.complete(key, result: StepResult(outcome: "deleted"),
                                                   evidence: deleteEvidence(vendor: "engagelab", id: "\(i)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        kill(getpid(), SIGKILL)
    }
}
