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

            Examples:
              erasure run offboard --users leavers.csv --dry-run
              erasure run offboard --users leavers.csv --max-deletions 500
              erasure run offboard email=ada@example.com gafapay.id=6f1b82443e524459831de59d430a0c41
              erasure run query-then-delete --param vendor=cubicasa email=ada@example.com

            A real run stops before its first deletion past --max-deletions (default 100) unless --yes.
            A journal (default ./erasure-journal.sqlite) records every step; after a crash, the same command \
            with --resume finishes the batch without deleting anyone twice.
            Exit status: 0 done, 1 any failed (or stopped by --max-deletions), 2 usage or config error.
            """)

    @Argument(help: "The workflow: a name under plugins/workflows/ (offboard) or a path to a .lua file.")
    var workflow: String

    @Argument(help: ArgumentHelp("One person, as KEY=VALUE (instead of --users).", valueName: "KEY=VALUE"))
    var identity: [String] = []

    @Option(name: .long, help: ArgumentHelp("A CSV of people (header = identity keys), or - for standard input.",
                                            valueName: "FILE"))
    var users: String?

    @Flag(name: .long, help: "Send only reads; every deletion and suspension is planned, none sent.")
    var dryRun = false

    @Option(name: .long, help: "People in flight at once.")
    var concurrency = 16

    @Option(name: .long, help: "Stop a real run before its first deletion past this many.")
    var maxDeletions = 100

    @Flag(name: .long, help: "No limit on deletions (overrides --max-deletions).")
    var yes = false

    @Option(name: .long, help: ArgumentHelp("The journal file.", valueName: "FILE"))
    var journal = "erasure-journal.sqlite"

    @Flag(name: .long, help: "Resume the last unfinished run of this workflow and input from the journal.")
    var resume = false

    @Flag(name: .long, help: "Run without a journal (no resume, no receipts).")
    var noJournal = false

    @Option(name: .long, help: ArgumentHelp("A workflow parameter, e.g. --param vendor=cubicasa.", valueName: "KEY=VALUE"))
    var param: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "How long the workflow may take for one person.",
        discussion: "Default: three actions per vendor the person is sent to, each to its action_timeout (60 s unless the vendor's table says otherwise).",
        valueName: "SECONDS"))
    var personTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("The longest line of --users; a longer one is reported and skipped.",
                                            valueName: "BYTES"))
    var maxLineBytes = CSVPeople.defaultMaxLineBytes

    @OptionGroup var options: ConfigOption

    func validate() throws {
        if concurrency < 1 || concurrency > 4096 { throw ValidationError("--concurrency must be between 1 and 4096") }
        if maxDeletions < 0 { throw ValidationError("--max-deletions must be 0 or more") }
        if users != nil && !identity.isEmpty { throw ValidationError("give people either with --users or as KEY=VALUE, not both") }
        if users == nil && identity.isEmpty { throw ValidationError("say who: --users FILE.csv, or KEY=VALUE for one person") }
        if resume && noJournal { throw ValidationError("--resume needs the journal") }
        if let t = personTimeout, !(t > 0 && t <= 86_400) { throw ValidationError("--person-timeout must be a number of seconds, more than 0 and at most 86400") }
        if maxLineBytes < 1 { throw ValidationError("--max-line-bytes must be at least 1") }
    }

    func run() async throws {
        let setup = try await usage { () -> RunSetup in
            var params: [String: String] = [:]
            for p in param {
                guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                    throw UsageError("--param \(p): write KEY=VALUE")
                }
                params[String(p[..<eq])] = String(p[p.index(after: eq)...])
            }
            let locator = PluginLocator.standard()
            guard let path = locator.workflow(workflow) else {
                let known = locator.workflowNames()
                throw UsageError("no workflow \(workflow) (a path, or one of: \(known.isEmpty ? "none found" : known.joined(separator: ", ")))")
            }
            let people: PeopleInput = try users.map { .csv(try CSVPeople(path: $0, maxLineBytes: maxLineBytes)) }
                ?? .one(try Identity(arguments: try validUTF8(identity)))
            var engineOptions = EngineOptions()
            engineOptions.configPath = options.config
            engineOptions.dryRun = dryRun
            engineOptions.concurrency = concurrency
            engineOptions.locator = locator
            let engine = try await Engine.start(engineOptions, needed: nil)
            do {
                switch people {
                case .csv(let source):
                    do { try engine.checkIdentityKeys(source.header) } catch let e as IdentityError {
                        throw UsageError("\(source.path == "-" ? "standard input" : displayPath(source.path)):1: column \(e)")
                    }
                case .one(let person):
                    try engine.checkIdentityKeys(person.keys)
                }
                let wf = try await Workflow.load(path: path, engine: engine, params: params)
                return RunSetup(engine: engine, workflow: wf, people: people)
            } catch {
                await engine.shutdown()
                throw error
            }
        }
        let report = Report(style: options.json ? .json : .human, color: Report.wantsColor())
        var batch = BatchOptions()
        batch.concurrency = concurrency
        batch.maxDeletions = yes ? nil : maxDeletions
        batch.progress = users != nil && isatty(2) == 1
        batch.personTimeout = personTimeout.map { .nanoseconds(Int64($0 * 1e9)) }
        let result: Result<BatchResult, Error> = await Runner(engine: setup.engine).batch(
            setup.workflow, people: setup.people, options: batch, sink: report,
            journal: noJournal ? nil : journal, resume: resume, input: users, argv: CommandLine.arguments)
        await setup.engine.shutdown()
        let outcome: BatchResult
        switch result {
        case .success(let r): outcome = r
        case .failure(let e): throw usageFailure(e)
        }
        let people = "\(outcome.people) \(outcome.people == 1 ? "person" : "people")"
            + (outcome.badRows > 0 ? ", \(outcome.badRows) input line\(outcome.badRows == 1 ? "" : "s") not usable" : "")
        if options.json {
            stderr(people + "\n" + report.summary())
        } else if users != nil {
            print("\n" + people)
            print(report.summary(), terminator: "")
        }
        if outcome.stoppedByLimit {
            stderr("erasure: stopped: this run reached --max-deletions \(maxDeletions) before its next deletion; nothing past it was sent.\n"
                   + "  check the plan with --dry-run, then rerun with --max-deletions N (or --yes)"
                   + (noJournal ? "" : " and --resume to continue where it stopped"))
            throw ExitCode(1)
        }
        if outcome.failed { throw ExitCode(1) }
    }
}

struct RunSetup: @unchecked Sendable {
    var engine: Engine
    var workflow: Workflow
    var people: PeopleInput
}
