import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation

/// Which earlier run a batch resumes: none (a new run), the latest of its workflow and input, or one by id.
public enum Resume: Sendable, Equatable {
    case none, latest
    case run(String)
}

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
            engine.useStateStore(JournalStateStore(journal: journal))
            let run = try await journal.beginRun(RunInfo(
                workflow: "\(action.rawValue) \(vendor)", inputPath: nil, inputSHA256: journal.identityDigest(user),
                configFingerprint: engine.configFingerprint, dryRun: engine.dryRun,
                argv: argv.map(engine.redactor.redact), identity: user))
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

    /// A workflow over one person, a CSV or a plan's people, journaled unless `journalPath` is nil.
    /// A plan applied by `erasure apply` (`planFile`: its path and SHA-256) is journaled as one
    /// run per plan file: applying it again resumes that run, finished or not, so nothing it
    /// sent is sent again.
    public func batch(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, sink: any OutcomeSink,
                      journal journalPath: String?, resume: Resume, input: String?, planFile: Plan.FileRef? = nil,
                      argv: [String]) async -> Result<BatchResult, Error> {
        guard let journalPath else {
            return .success(await BatchRunner.run(workflow, people: people, options: options, sink: sink, hooks: nil))
        }
        do {
            let journal = try openJournal(journalPath)
            defer { try? journal.close() }
            engine.useStateStore(JournalStateStore(journal: journal))
            let (inputSHA, identity) = journalInput(people, journal: journal, planFile: planFile)
            let name = displayPath(workflow.path)
            let existing: RunID?
            if let planFile {
                existing = try await journal.findResumableRun(workflow: name, inputSHA256: planFile.sha256, dryRun: false)?.id
            } else {
                existing = try await earlierRun(resume, journal: journal, workflow: name, inputSHA: inputSHA, dryRun: engine.dryRun)
            }
            let run: RunID
            if let existing {
                run = existing
            } else {
                run = try await journal.beginRun(RunInfo(workflow: name, inputPath: planFile?.path ?? input, inputSHA256: inputSHA,
                                                         configFingerprint: engine.configFingerprint,
                                                         dryRun: engine.dryRun, argv: argv.map(engine.redactor.redact),
                                                         identity: identity))
            }
            let hooks = JournalHooks(journal: journal, run: run, freshRun: existing == nil)
            var result = await BatchRunner.run(workflow, people: people, options: options, sink: sink, hooks: hooks)
            result.run = run.rawValue
            if !result.interrupted { try await journal.endRun(run) }
            return .success(result)
        } catch {
            return .failure(error)
        }
    }

    /// The run `resume` names (validated against this input and dry-run flag), or nil for a new run.
    func earlierRun(_ resume: Resume, journal: Journal, workflow name: String, inputSHA: String?, dryRun: Bool) async throws
        -> RunID?
    {
        switch resume {
        case .latest:
            return try await journal.runToResume(workflow: name, inputSHA256: inputSHA, dryRun: dryRun).id
        case .run(let id):
            guard let run = try await journal.run(RunID(id)) else { throw JournalError.unknownRun(RunID(id)) }
            try Journal.validateResume(run: run, inputSHA256: inputSHA, dryRun: dryRun)
            return run.id
        case .none:
            return nil
        }
    }

    /// How the journal names a batch's input: the SHA-256 of the CSV (or of the plan file being
    /// applied), or for one person the digest of their identity (which the run row also needs).
    func journalInput(_ people: PeopleInput, journal: Journal, planFile: Plan.FileRef?) -> (String?, [String: String]) {
        switch people {
        case .csv(let source): return (Digest.file(source.path), [:])
        case .one(let one): return (journal.identityDigest(one.flattened), one.flattened)
        case .planned(let plan):
            if let planFile { return (planFile.sha256, [:]) }
            if let file = plan.input { return (file.sha256, [:]) }
            let identity = plan.people.first?.identity ?? [:]
            return (journal.identityDigest(identity), identity)
        }
    }

    /// Before a new run: the id and start of an earlier run of this workflow over the same input
    /// that never ended (interrupted, or the machine died), or nil. Nil too when the journal does
    /// not exist yet (it is not created here).
    public func unfinishedRun(_ workflow: Workflow, people: PeopleInput, journal journalPath: String, dryRun: Bool) async throws
        -> (id: String, startedAt: String)?
    {
        guard FileManager.default.fileExists(atPath: journalPath) else { return nil }
        let journal = try openJournal(journalPath)
        defer { try? journal.close() }
        let (inputSHA, _) = journalInput(people, journal: journal, planFile: nil)
        return try await journal.unfinishedRun(workflow: displayPath(workflow.path), inputSHA256: inputSHA, dryRun: dryRun)
            .map { ($0.id.rawValue, $0.startedAt) }
    }

    /// The plan of a workflow over people: every lookup made, every mutation held back (the
    /// engine must be a dry-run one), each person's requests and records collected. `resuming`:
    /// the plan of a resumed real run leaves out what its journal says is done (read, never written).
    public func plan(_ workflow: Workflow, people: PeopleInput, options: BatchOptions, sink: any OutcomeSink,
                     input: String?, resuming: (journal: String, resume: Resume)? = nil) async throws -> (Plan, BatchResult) {
        precondition(engine.dryRun, "a plan is made by a dry run")
        var options = options
        let collector = PlanCollector()
        options.collector = collector
        var hooks: ReadOnlyHooks?
        var journal: Journal?
        defer { try? journal?.close() }
        if let resuming, resuming.resume != .none {
            let opened = try openJournal(resuming.journal)
            journal = opened
            let (inputSHA, _) = journalInput(people, journal: opened, planFile: nil)
            if let run = try await earlierRun(resuming.resume, journal: opened, workflow: displayPath(workflow.path),
                                              inputSHA: inputSHA, dryRun: false) {
                hooks = ReadOnlyHooks(JournalHooks(journal: opened, run: run))
            }
        }
        let result = await BatchRunner.run(workflow, people: people, options: options, sink: sink, hooks: hooks)
        let (planned, problems) = collector.collected
        return (Plan.made(by: workflow, input: input, people: planned, problems: problems), result)
    }

    /// Opens (or creates) a journal whose every text column goes through the run's redactor, whose
    /// identities are pseudonymised under the journal key (`[journal]` of the config) unless the
    /// config says `clear_identities = true`, and whose runs are signed. A key generated now is
    /// announced on stderr.
    func openJournal(_ path: String) throws -> Journal {
        let redactor = engine.redactor
        func announce(_ generated: String?, _ what: String, _ note: String) {
            guard let generated else { return }
            FileHandle.standardError.write(Data("erasure: generated the \(what) in \(generated)\(note)\n".utf8))
        }
        do {
            let settings = try ConfigFile.load(path: engine.configPath).journal
            var key: JournalKey?
            if !settings.clearIdentities {
                let loaded = try JournalKey.load(reference: settings.key, journal: path, create: true)
                announce(loaded.generated, "journal key", ": keep it (with it, `erasure journal show --person` finds "
                         + "a person; without it, nobody can)")
                key = loaded.key
            }
            let signer = try SigningKey.load(reference: settings.signingKey, journal: path, create: true)
            announce(signer.generated, "signing key of the journal's runs",
                     " (its public key, for an auditor: \(signer.generated ?? "").pub; one per installation: "
                     + "erasure journal keygen, then [journal] signing_key)")
            return try Journal.open(path: path, redact: { redactor.redact($0) }, pseudonymsUnder: key,
                                    signingWith: signer.key)
        } catch {
            throw SetupError("cannot open the journal \(path): \(error)")
        }
    }
}
