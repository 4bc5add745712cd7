import ArgumentParser
import ErasureHost
import ErasureJournal
import ErasurePlugins
import ErasureRun
import Foundation

/// What `delete` and `suspend` take: one vendor, one person, dry-run, journal.
struct MutatingActionArguments: ParsableArguments {
    @Argument(help: "The vendor: a plugin name (see `erasure plugins list`).")
    var vendor: String

    @Argument(help: ArgumentHelp("The person, as KEY=VALUE (e.g. email=ada@example.com, id=42).", valueName: "KEY=VALUE"))
    var identity: [String] = []

    @Flag(name: .long, help: "Send only reads; list the requests a real run would send.")
    var dryRun = false

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: ArgumentHelp("Record the step and its receipt in this journal.", valueName: "FILE"))
    var journal = "erasure-journal.sqlite"

    @Flag(name: .long, help: "Do not record the step in a journal.")
    var noJournal = false

    func run(_ action: Action) async throws {
        try await runSingle(action, vendor: vendor, identity: identity, dryRun: dryRun, options: options,
                            journal: noJournal ? nil : journal)
    }
}

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Erase one person from one vendor.",
        discussion: """
            The plugin looks the person up where it has to (an email to an id, an alias to its devices) and \
            sends the deletion. Outcomes: deleted, not_found (already gone: a success), planned (--dry-run), failed.

            Examples:
              erasure delete cubicasa email=ada@example.com --dry-run
              erasure delete gafapay id=6f1b82443e524459831de59d430a0c41
              erasure delete engagelab alias=ada_lovelace --json

            Exit status: 0 done (deleted/not_found/planned), 1 failed, 2 usage or config error (nothing sent).
            """)

    @OptionGroup var arguments: MutatingActionArguments

    func run() async throws { try await arguments.run(.delete) }
}

struct SuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Suspend one person at one vendor instead of deleting them.",
        discussion: """
            Only vendors whose plugin can suspend (see `erasure plugins list`), e.g.:
              erasure suspend gafapay id=6f1b82443e524459831de59d430a0c41 --dry-run
            """)

    @OptionGroup var arguments: MutatingActionArguments

    func run() async throws { try await arguments.run(.suspend) }
}

struct LookupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Show what one vendor holds about one person (read-only).",
        discussion: """
            Outcomes: found (with the vendor's record), not_found, failed.
              erasure lookup cubicasa email=ada@example.com
            """)

    @Argument(help: "The vendor: a plugin name.")
    var vendor: String

    @Argument(help: ArgumentHelp("The person, as KEY=VALUE.", valueName: "KEY=VALUE"))
    var identity: [String] = []

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await runSingle(.lookup, vendor: vendor, identity: identity, dryRun: false, options: options, journal: nil)
    }
}

/// delete / suspend / lookup: one action of one plugin for one person.
func runSingle(_ action: Action, vendor: String, identity arguments: [String], dryRun: Bool, options: ConfigOption,
               journal: String?) async throws {
    let (engine, user) = try await usage { () -> (Engine, [String: String]) in
        let identity = try Identity(arguments: arguments)
        if identity.isEmpty {
            throw UsageError("say who: give the person as KEY=VALUE, e.g. erasure \(action.rawValue) \(vendor) id=42")
        }
        var engineOptions = EngineOptions()
        engineOptions.configPath = options.config
        engineOptions.dryRun = dryRun
        engineOptions.concurrency = 4
        let engine = try await Engine.start(engineOptions, needed: [vendor])
        do {
            guard let spec = engine.plugins[vendor], spec.actions.contains(action) else {
                throw UsageError("\(vendor) cannot \(action.rawValue): its plugin has no \(action.rawValue) action "
                                 + "(it can: \(engine.plugins[vendor]!.actions.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
            return (engine, try engine.identity(for: vendor, from: identity))
        } catch {
            await engine.shutdown()
            throw error
        }
    }
    let report = Report(style: options.json ? .json : .human, color: Report.wantsColor())
    let outcome = await Runner(engine: engine).single(vendor: vendor, action: action, user: user,
                                                       journalPath: journal, argv: CommandLine.arguments)
    await engine.shutdown()
    switch outcome {
    case .success(let o):
        report.add(o, line: nil)
        if o.kind == .failed { throw ExitCode(1) }
    case .failure(let error):
        throw usageFailure(error)
    }
}
