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
            engine.useStateStore(JournalStateStore(journal: journal))
            let inputSHA: String?
            var identity: [String: String] = [:]
            switch people {
            case .csv(let source): inputSHA = Digest.file(source.path)
            case .one(let one):
                identity = one.flattened
                inputSHA = journal.identityDigest(identity)
            }
            let name = displayPath(workflow.path)
            let run: RunID
            if resume {
                run = try await journal.runToResume(workflow: name, inputSHA256: inputSHA, dryRun: engine.dryRun).id
            } else {
                run = try await journal.beginRun(RunInfo(workflow: name, inputPath: input, inputSHA256: inputSHA,
                                                         configFingerprint: engine.configFingerprint,
                                                         dryRun: engine.dryRun, argv: argv.map(engine.redactor.redact),
                                                         identity: identity))
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
