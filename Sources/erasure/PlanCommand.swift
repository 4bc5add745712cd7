import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a batch without sending anything, to review it and apply exactly that later.",
        discussion: """
            Runs the workflow for every person as --dry-run does: every lookup is made, every \
            deletion and suspension is held back. The plan file holds what it was made from (the \
            workflow and its SHA-256, the input file's SHA-256, the config's fingerprint without \
            secrets, each plugin's version and SHA-256, the time) and, per person and vendor, the \
            hash of the record the lookup saw and the exact requests `erasure apply` will send \
            (method, URL, body; secrets redacted). It holds identities in clear, like the CSV: it is \
            written readable by you only.

            The summary counts, per vendor, the deletions and suspensions, the people the vendor does \
            not know (NOT_FOUND), and the BLIND steps: planned at a vendor that has no lookup (Pagos), \
            so planned whether or not the person is still there.

            Examples:
              erasure plan offboard --users leavers.csv --out leavers.plan
              erasure plan show leavers.plan
              erasure apply leavers.plan

            Exit status: 0 planned, 1 a lookup or an input line failed (the plan is written all the \
            same; nothing is planned for them), 2 usage or config error (no plan written).
            """,
        subcommands: [MakePlan.self, ShowPlan.self],
        defaultSubcommand: MakePlan.self)

    struct MakePlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "make", abstract: "Write the plan of a workflow over people (the default: `erasure plan WORKFLOW …`).")

        @OptionGroup var batch: BatchArguments

        @Option(name: .long, help: ArgumentHelp("Where to write the plan (JSON).", valueName: "PLAN"))
        var out: String

        @OptionGroup var options: ConfigOption

        func run() async throws {
            let setup = try await batch.setup(options, dryRun: true)
            let report = Report(style: .json, color: false)
            let interrupts = Interrupts { stderr("\nerasure: interrupted: no plan is written") }
            var batchOptions = batch.batchOptions()
            batchOptions.stop = interrupts.stop
            let (plan, result) = try await Runner(engine: setup.engine).plan(
                setup.workflow, people: setup.people, options: batchOptions,
                sink: options.json ? report as any OutcomeSink : SilentSink(), input: batch.users)
            await setup.engine.shutdown()
            interrupts.cancel()
            if interrupts.interrupted { throw ExitCode(130) }
            do {
                let data = try plan.encoded()
                guard FileManager.default.createFile(atPath: out, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    throw UsageError("cannot write the plan to \(out)")
                }
            } catch {
                throw usageFailure(error)
            }
            let text = PlanReport.text(plan, path: out) + "apply it with: erasure apply \(shellQuoted(out))\n"
            if options.json { stderr(text) } else { print(text, terminator: "") }
            if result.failed { throw ExitCode(1) }
        }
    }

    struct ShowPlan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print a plan's summary again (--json: as one JSON object).")

        @Argument(help: ArgumentHelp("The plan file.", valueName: "PLAN"))
        var plan: String

        @Flag(name: .long, help: "The summary as one JSON object.")
        var json = false

        func run() async throws {
            let loaded = try readPlan(plan).plan
            print(json ? PlanReport.json(loaded, path: plan) : PlanReport.text(loaded, path: plan), terminator: json ? "\n" : "")
        }
    }
}

/// A plan file, or exit 2 saying why it cannot be read.
/// The plan at `path`, and the SHA-256 of the very bytes it was read from (what the journal names).
func readPlan(_ path: String) throws -> (plan: Plan, sha256: String) {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw usageFailure(UsageError("cannot read the plan \(path)"))
    }
    do { return (try Plan.decode(data), Digest.sha256Hex(data)) } catch {
        throw usageFailure(UsageError("\(path) is not a plan erasure can read: \(error)"))
    }
}
