import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Send exactly the mutations a plan holds (see `erasure plan`), person by person.",
        discussion: """
            Before anything is sent, the plan is refused (exit 2, naming what changed) if its \
            workflow, a plugin or the config changed since it was made, or it is older than \
            --max-age; and, as for `run`, over --max-deletions nothing is sent (on a terminal you are \
            shown the plan and asked to type the number of deletions).

            Then the workflow runs again for each person of the plan, with its parameters. Each \
            vendor that has a lookup is looked up again first: a person gone is `not_found`; a \
            record that differs from the one planned leaves that vendor's step `skipped` ("changed \
            since plan"). Any deletion or suspension request that is not exactly one of the plan's \
            for that person, vendor and action is not sent: the step is `skipped` ("changed since \
            plan"), never improvised.

            The journal records the apply as one run per plan file: applying the same plan again \
            resumes it — after a crash or Ctrl-C it finishes the rest, and once finished it sends \
            nothing.

            Examples:
              erasure apply leavers.plan
              erasure apply leavers.plan --max-deletions 500 --concurrency 32
              erasure apply leavers.plan --yes --json > outcomes.jsonl

            Exit status: 0 done, 1 any failed, 2 the plan refused (changed, too old, over \
            --max-deletions, unreadable) or a usage or config error (nothing sent), 130 interrupted.
            """)

    @Argument(help: ArgumentHelp("The plan file `erasure plan --out` wrote.", valueName: "PLAN"))
    var plan: String

    @Flag(name: .long, help: "No question, and no --max-deletions limit unless one is given.")
    var yes = false

    @Option(name: .long, help: ArgumentHelp("The most deletions (one person at one vendor) the plan may hold (default 100; with --yes, no limit unless given).", valueName: "N"))
    var maxDeletions: Int?

    @Option(name: .long, help: "People in flight at once (1 to 4096).")
    var concurrency = 16

    @Option(name: .long, help: ArgumentHelp("The journal file.", valueName: "FILE"))
    var journal = "erasure-journal.sqlite"

    @Option(name: .long, help: ArgumentHelp("The oldest plan applied: a number with s, m, h or d (24h, 90m).", valueName: "AGE"))
    var maxAge = "24h"

    @OptionGroup var options: ConfigOption

    func validate() throws {
        if concurrency < 1 || concurrency > 4096 { throw ValidationError("--concurrency must be between 1 and 4096") }
        if let maxDeletions, maxDeletions < 0 { throw ValidationError("--max-deletions must be 0 or more") }
        if Self.seconds(maxAge) == nil { throw ValidationError("--max-age \(maxAge): write a number with s, m, h or d (e.g. 24h)") }
    }

    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let last = text.last else { return nil }
        let (number, unit) = units[last].map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let n = Double(number), n >= 0, n.isFinite else { return nil }
        return n * unit
    }

    func run() async throws {
        let (loaded, planSHA256) = try readPlan(plan)
        let (engine, workflow) = try await usage { () -> (Engine, Workflow) in
            var engineOptions = try options.engineOptions(dryRun: false, concurrency: concurrency)
            // The config the plan was made with, unless one is named now.
            if engineOptions.configPath == nil && (engineOptions.environment["ERASURE_CONFIG"] ?? "").isEmpty {
                engineOptions.configPath = loaded.config.path
            }
            let engine = try await Engine.start(engineOptions, needed: nil)
            do {
                let refusals = loaded.refusals(engine: engine, maxAge: Self.seconds(maxAge)!)
                if !refusals.isEmpty {
                    throw UsageError("refusing \(plan): nothing was sent\n" + refusals.map { "  " + $0 }.joined(separator: "\n")
                                     + "\n  make a new plan: erasure plan …")
                }
                return (engine, try await Workflow.load(path: loaded.workflow.path, engine: engine, params: loaded.params))
            } catch {
                await engine.shutdown()
                throw error
            }
        }
        do {
            try DeletionGate.check(loaded, limit: maxDeletions ?? (yes ? nil : DeletionGate.defaultLimit), ask: !yes,
                                   planPath: plan, retry: "apply it")
        } catch {
            await engine.shutdown()
            throw error
        }
        let report = Report(style: options.json ? .json : .human, color: Report.wantsColor())
        let interrupts = Interrupts {
            stderr("\nerasure: interrupted: the people in flight finish, nobody new starts (Ctrl-C again stops at once)")
        }
        var batch = BatchOptions()
        batch.concurrency = concurrency
        batch.progress = isatty(2) == 1 && loaded.people.count > 1
        batch.stop = interrupts.stop
        batch.inputOrder = !options.json
        let planFile = Plan.FileRef(path: Plan.absolute(plan), sha256: planSHA256)
        let result = await Runner(engine: engine).batch(
            workflow, people: .planned(loaded), options: batch, sink: report, journal: journal, resume: .none,
            input: nil, planFile: planFile, argv: CommandLine.arguments)
        await engine.shutdown()
        interrupts.cancel()
        let outcome: BatchResult
        switch result {
        case .success(let r): outcome = r
        case .failure(let e): throw usageFailure(e)
        }
        let people = "\(outcome.people) \(outcome.people == 1 ? "person" : "people")"
        if options.json || outcome.interrupted {
            stderr(people + "\n" + report.summary())
        } else {
            print("\n" + people)
            print(report.summary(), terminator: "")
        }
        if outcome.interrupted {
            stderr("erasure: interrupted: \(outcome.people) people started and finished; nobody else was started.\n"
                   + "  resume with: \(resumeCommand(run: nil, addResume: false))")
            throw ExitCode(130)
        }
        if outcome.failed { throw ExitCode(1) }
    }
}
