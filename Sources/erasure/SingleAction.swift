import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

/// What `delete` and `suspend` take: one vendor, one person, dry-run, journal.
struct MutatingActionArguments: ParsableArguments {
    @Argument(help: "The vendor: a plugin name (see `erasure plugins list`).", completion: Completions.vendors)
    var vendor: String

    @Argument(help: ArgumentHelp("The person, as KEY=VALUE (e.g. email=ada@example.com, id=42).", valueName: "KEY=VALUE"))
    var identity: [String] = []

    @Flag(name: .long, help: "Send only reads; list the requests a real run would send.")
    var dryRun = false

    @OptionGroup var options: ConfigOption

    @OptionGroup var recording: RecordOption

    @Option(name: .long, help: ArgumentHelp("Record the step and its receipt in this journal.", valueName: "FILE"))
    var journal = "erasure-journal.sqlite"

    @Flag(name: .long, help: "Do not record the step in a journal.")
    var noJournal = false

    func run(_ action: Action) async throws {
        try await runSingle(action, vendor: vendor, identity: identity, dryRun: dryRun, options: options,
                            journal: noJournal ? nil : journal, fixtures: try recording.fixtures())
    }
}

/// delete / suspend / lookup: one action of one plugin for one person.
func runSingle(_ action: Action, vendor: String, identity arguments: [String], dryRun: Bool, options: ConfigOption,
               journal: String?, fixtures: FixtureRecorder? = nil) async throws {
    let (engine, user) = try await usage { () -> (Engine, [String: String]) in
        let identity = try Identity(arguments: try validUTF8(arguments))
        if identity.isEmpty {
            throw UsageError("say who: give the person as KEY=VALUE, e.g. erasure \(action.rawValue) \(vendor) id=42")
        }
        let engine = try await Engine.start(try options.engineOptions(dryRun: dryRun, concurrency: 4, fixtures: fixtures), needed: [vendor])
        do {
            guard let spec = engine.plugins[vendor], spec.actions.contains(action) else {
                throw UsageError("\(vendor) cannot \(action.rawValue): its plugin has no \(action.rawValue) action "
                                 + "(it can: \(engine.plugins[vendor]!.actions.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
            try engine.checkIdentityKeys(identity.keys)
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
