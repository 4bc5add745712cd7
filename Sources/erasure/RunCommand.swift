import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow for one person, or for every person of a CSV.",
        discussion: """
            A workflow is a Lua file run once per person: it looks people up and decides to delete, \
            suspend or skip, vendor by vendor. Shipped workflows (plugins/workflows/):
              offboard            every configured vendor: look up, delete if present
              query-then-delete   one vendor (--param vendor=NAME): look up, delete what was found
              suspend-instead     GafaPay: suspend when the record must be kept, delete otherwise

            People come from KEY=VALUE arguments (one person) or --users FILE.csv (- for standard input),
            whose header names identity keys; VENDOR.KEY scopes a key to one vendor. Every column must be \
            a key some configured vendor takes (a typo is exit 2, before anything is sent):
              email,gafapay.id,engagelab.alias
              ada@example.com,6f1b82443e524459831de59d430a0c41,ada_lovelace

            Before sending anything, a real run plans the whole batch (every lookup made, every \
            mutation held back, as --dry-run does) and counts its deletions — one person at one vendor \
            each. Over --max-deletions (default 100) it stops there, nothing sent, exit 2, with the \
            count. On a terminal it shows the plan and asks you to type the number of deletions. Then \
            it sends exactly what was planned: a person whose record changed in between is `skipped` \
            ("changed since plan") at that vendor, never improvised, and no person is left half-done by \
            the limit. --yes skips the question, and the plan and the limit too unless --max-deletions is \
            given (automation: `--yes --max-deletions N` still plans first and sends nothing over N). To review a plan \
            and apply it later: `erasure plan`, `erasure apply`.

            Examples:
              erasure run offboard --users leavers.csv --dry-run
              erasure run offboard --users leavers.csv --max-deletions 500
              erasure run offboard email=ada@example.com gafapay.id=6f1b82443e524459831de59d430a0c41
              erasure run query-then-delete --param vendor=cubicasa email=ada@example.com

            A journal (default ./erasure-journal.sqlite) records every step. Ctrl-C stops taking new \
            people, lets the ones in flight finish and prints the command that resumes (a second Ctrl-C \
            stops at once); after a crash, the same command with --resume [RUN] finishes the batch \
            without deleting anyone twice.
            Exit status: 0 done, 1 any failed, 2 usage or config error or over --max-deletions \
            (nothing sent), 130 interrupted.
            """)

    @OptionGroup var batch: BatchArguments

    @Flag(name: .long, help: "Send only reads; every deletion and suspension is planned, none sent.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("The most deletions (one person at one vendor) a run may send; checked against the plan before anything is sent (default 100; with --yes, no limit unless given).",
                                            valueName: "N"))
    var maxDeletions: Int?

    @Flag(name: .long, help: "Send without asking; without planning first, and without a limit, unless --max-deletions is given.")
    var yes = false

    @Option(name: .long, help: ArgumentHelp("The journal file.", valueName: "FILE"))
    var journal = "erasure-journal.sqlite"

    @Flag(name: .long, help: ArgumentHelp("Resume the last unfinished run of this workflow and input from the journal; --resume RUN resumes that run.",
                                          valueName: "RUN"))
    var resume = false

    /// `--resume RUN`: the run id main moved out of `--resume`'s way (see `ResumeArgument`).
    @Option(name: .customLong(ResumeArgument.runOption), help: .hidden)
    var resumeRun: String?

    @Flag(name: .long, help: "Run without a journal (no resume, no receipts).")
    var noJournal = false

    @OptionGroup var recording: RecordOption

    @OptionGroup var options: ConfigOption

    func validate() throws {
        if let maxDeletions, maxDeletions < 0 { throw ValidationError("--max-deletions must be 0 or more") }
        if (resume || resumeRun != nil) && noJournal { throw ValidationError("--resume needs the journal") }
    }

    func run() async throws {
        // An explicit limit holds with --yes too: a safety rail given is never ignored.
        let planFirst = !dryRun && (!yes || maxDeletions != nil)
        let fixtures = try recording.fixtures()
        var setup = try await batch.setup(options, dryRun: dryRun || planFirst, fixtures: fixtures)
        if !noJournal && !resume && resumeRun == nil, let unfinished = try? await Runner(engine: setup.engine).unfinishedRun(
            setup.workflow, people: setup.people, journal: journal, dryRun: dryRun) {
            stderr("erasure: the journal holds an unfinished run of this workflow over the same input: \(unfinished.id) "
                   + "(started \(unfinished.startedAt)). This is a new run; to finish that one instead, rerun with "
                   + "--resume \(unfinished.id)")
        }
        let report = Report(style: options.json ? .json : .human, color: Report.wantsColor())
        let interrupts = Interrupts {
            stderr("\nerasure: interrupted: the people in flight finish, nobody new starts (Ctrl-C again stops at once)")
        }
        var batchOptions = batch.batchOptions()
        batchOptions.stop = interrupts.stop
        batchOptions.inputOrder = !options.json
        let resumeFrom: Resume = resumeRun.map { .run($0) } ?? (resume ? .latest : .none)
        if planFirst {
            let planned: (Plan, BatchResult)
            do {
                planned = try await Runner(engine: setup.engine).plan(
                    setup.workflow, people: setup.people, options: batchOptions, sink: SilentSink(), input: batch.users,
                    resuming: noJournal ? nil : (journal, resumeFrom))
            } catch {
                await setup.engine.shutdown()
                throw usageFailure(error)
            }
            let plan = planned.0
            await setup.engine.shutdown()
            if interrupts.interrupted {
                stderr("erasure: interrupted while planning: nothing was sent")
                throw ExitCode(130)
            }
            try DeletionGate.check(plan, limit: maxDeletions ?? DeletionGate.defaultLimit, ask: !yes, planPath: nil, retry: "rerun")
            setup = try await batch.reload(options, people: .planned(plan), fixtures: fixtures)
        }
        let result: Result<BatchResult, Error> = await Runner(engine: setup.engine).batch(
            setup.workflow, people: setup.people, options: batchOptions, sink: report,
            journal: noJournal ? nil : journal, resume: resumeFrom, input: batch.users, argv: CommandLine.arguments)
        await setup.engine.shutdown()
        interrupts.cancel()
        let outcome: BatchResult
        switch result {
        case .success(let r): outcome = r
        case .failure(let e): throw usageFailure(e)
        }
        let people = "\(outcome.people) \(outcome.people == 1 ? "person" : "people")"
            + (outcome.badRows > 0 ? ", \(outcome.badRows) input line\(outcome.badRows == 1 ? "" : "s") not usable" : "")
        if options.json || outcome.interrupted {
            stderr(people + "\n" + report.summary())
        } else if batch.users != nil {
            print("\n" + people)
            print(report.summary(), terminator: "")
        }
        if outcome.interrupted {
            stderr("erasure: interrupted: \(outcome.people) people started and finished; nobody else was started."
                   + (noJournal ? " Without a journal, rerunning starts over (finished people are found gone)."
                      : "\n  resume with: \(resumeCommand(run: outcome.run, addResume: true))"))
            throw ExitCode(130)
        }
        if outcome.failed { throw ExitCode(1) }
    }
}

/// Where the outcomes of the planning pass go: nowhere (the run reports what it then sends).
struct SilentSink: OutcomeSink {
    func add(_ outcome: Outcome, line: Int?, person: String?) {}
}
