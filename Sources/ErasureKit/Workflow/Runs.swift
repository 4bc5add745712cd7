import Crypto
import Foundation

extension Engine {
    /// `erasure delete | suspend | lookup`: one action for one person, journaled when `journalPath`
    /// is given (delete and suspend). A usage problem (e.g. the journal cannot be opened) is a
    /// failure result; every vendor problem is an outcome.
    public func performSingle(vendor: String, action: Action, user: [String: String], journalPath: String?,
                              argv: [String]) async -> Result<Outcome, Error> {
        guard let journalPath, action.isMutating else {
            return .success(await perform(vendor: vendor, action: action, user: user).0)
        }
        do {
            let journal = try openJournal(journalPath)
            defer { try? journal.close() }
            let run = try await journal.beginRun(RunInfo(
                workflow: "\(action.rawValue) \(vendor)", inputPath: nil,
                inputSHA256: Digest.sha256Hex(Array(PersonRef.canonicalJSON(user).utf8)),
                configFingerprint: configFingerprint, dryRun: dryRun, argv: argv.map(redactor.redact)))
            let hooks = JournalHooks(journal: journal, run: run)
            let person = PersonKey(line: nil, identity: user)
            let (outcome, _) = await perform(vendor: vendor, action: action, user: user, beforeMutating: {
                try await hooks.sent(person: person, vendor: vendor, action: action)
            })
            try await hooks.done(person: person, outcome: outcome)
            try await journal.endRun(run)
            return .success(outcome)
        } catch {
            return .failure(error)
        }
    }

    /// `erasure run`: a workflow over one person or a CSV, journaled unless `journal` is nil.
    public func runBatch(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, report: Report,
                         journal journalPath: String?, resume: Bool, input: String?,
                         argv: [String]) async -> Result<BatchResult, Error> {
        let budget = DeletionBudget(limit: dryRun ? nil : options.maxDeletions)
        guard let journalPath else {
            return .success(await BatchRunner.run(workflow, people: people, options: options, report: report,
                                                  hooks: nil, budget: budget))
        }
        do {
            let journal = try openJournal(journalPath)
            defer { try? journal.close() }
            let inputSHA: String?
            switch people {
            case .csv(let source): inputSHA = Engine.fileSHA256(source.path)
            case .one(let identity): inputSHA = Digest.sha256Hex(Array(PersonRef.canonicalJSON(identity.flattened).utf8))
            }
            let name = displayPath(workflow.path)
            let run: RunID
            if resume {
                run = try await journal.runToResume(workflow: name, inputSHA256: inputSHA, dryRun: dryRun).id
            } else {
                run = try await journal.beginRun(RunInfo(workflow: name, inputPath: input, inputSHA256: inputSHA,
                                                         configFingerprint: configFingerprint, dryRun: dryRun,
                                                         argv: argv.map(redactor.redact)))
            }
            let hooks = JournalHooks(journal: journal, run: run, freshRun: !resume)
            let result = await BatchRunner.run(workflow, people: people, options: options, report: report,
                                               hooks: hooks, budget: budget)
            if !result.stoppedByLimit { try await journal.endRun(run) }
            return .success(result)
        } catch {
            return .failure(error)
        }
    }
}

/// SHA-256 over data given in pieces.
struct IncrementalSHA256 {
    private var hasher = SHA256()
    mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
    func finalize() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
