import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation

/// The run layer's two entry points over one engine: one action for one person
/// (`erasure delete | suspend | lookup`) and a workflow over many people (`erasure run`), each
/// journaled unless no journal is given.
public struct Runner: Sendable {
    public let engine: Engine

    public init(engine: Engine) { self.engine = engine }

    /// One action for one person, journaled when `journalPath` is given (delete and suspend). A
    /// setup problem (e.g. the journal cannot be opened) is a failure result; every vendor
    /// problem is an outcome.
    public func single(vendor: String, action: Action, user: [String: String], journalPath: String?,
                       argv: [String]) async -> Result<Outcome, Error> {
        guard action.isMutating else { return .success(await engine.perform(vendor: vendor, action: action, user: user).0) }
        guard let journalPath else {
            return .success(await MutatingStep(engine: engine, vendor: vendor, action: action, user: user,
                                               beforeMutating: nil).run(record: nil))
        }
        do {
            let journal = try openJournal(journalPath)
            defer { try? journal.close() }
            let run = try await journal.beginRun(RunInfo(
                workflow: "\(action.rawValue) \(vendor)", inputPath: nil,
                inputSHA256: Digest.sha256Hex(Array(PersonRef.canonicalJSON(user).utf8)),
                configFingerprint: engine.configFingerprint, dryRun: engine.dryRun,
                argv: argv.map(engine.redactor.redact)))
            let hooks = JournalHooks(journal: journal, run: run)
            let person = PersonKey(line: nil, identity: user)
            let outcome = await MutatingStep(engine: engine, vendor: vendor, action: action, user: user, beforeMutating: {
                try await hooks.sent(person: person, vendor: vendor, action: action)
            }).run(record: nil)
            try await hooks.done(person: person, outcome: outcome)
            try await journal.endRun(run)
            return .success(outcome)
        } catch {
            return .failure(error)
        }
    }

    /// A workflow over one person or a CSV, journaled unless `journalPath` is nil.
    public func batch(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, sink: any OutcomeSink,
                      journal journalPath: String?, resume: Bool, input: String?,
                      argv: [String]) async -> Result<BatchResult, Error> {
        let budget = DeletionBudget(limit: engine.dryRun ? nil : options.maxDeletions)
        guard let journalPath else {
            return .success(await BatchRunner.run(workflow, people: people, options: options, sink: sink,
                                                  hooks: nil, budget: budget))
        }
        do {
            let journal = try openJournal(journalPath)
            defer { try? journal.close() }
            let inputSHA: String?
            switch people {
            case .csv(let source): inputSHA = Digest.file(source.path)
            case .one(let identity): inputSHA = Digest.sha256Hex(Array(PersonRef.canonicalJSON(identity.flattened).utf8))
            }
            let name = displayPath(workflow.path)
            let run: RunID
            if resume {
                run = try await journal.runToResume(workflow: name, inputSHA256: inputSHA, dryRun: engine.dryRun).id
            } else {
                run = try await journal.beginRun(RunInfo(workflow: name, inputPath: input, inputSHA256: inputSHA,
                                                         configFingerprint: engine.configFingerprint,
                                                         dryRun: engine.dryRun, argv: argv.map(engine.redactor.redact)))
            }
            let hooks = JournalHooks(journal: journal, run: run, freshRun: !resume)
            let result = await BatchRunner.run(workflow, people: people, options: options, sink: sink,
                                               hooks: hooks, budget: budget)
            if !result.stoppedByLimit { try await journal.endRun(run) }
            return .success(result)
        } catch {
            return .failure(error)
        }
    }

    /// Opens (or creates) a journal whose every text column goes through the run's redactor.
    func openJournal(_ path: String) throws -> Journal {
        let redactor = engine.redactor
        do {
            return try Journal.open(path: path, redact: { redactor.redact($0) })
        } catch {
            throw SetupError("cannot open the journal \(path): \(error)")
        }
    }
}
