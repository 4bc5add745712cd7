import ArgumentParser
import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

/// What `run` and `plan` take to go through a workflow: the workflow, its people, its parameters
/// and the batch's limits.
struct BatchArguments: ParsableArguments {
    @Argument(help: "The workflow: a name under plugins/workflows/ (offboard) or a path to a .lua file.",
              completion: Completions.workflows)
    var workflow: String

    @Argument(help: ArgumentHelp("One person, as KEY=VALUE (instead of --users).", valueName: "KEY=VALUE"))
    var identity: [String] = []

    @Option(name: .long, help: ArgumentHelp("A CSV of people (header = identity keys), or - for standard input.",
                                            valueName: "FILE"))
    var users: String?

    @Option(name: .long, help: ArgumentHelp("A workflow parameter, e.g. --param vendor=cubicasa.", valueName: "KEY=VALUE"))
    var param: [String] = []

    @Option(name: .long, help: "People in flight at once (1 to 4096).")
    var concurrency = 16

    @Option(name: .long, help: ArgumentHelp(
        "How long the workflow may take for one person.",
        discussion: "Default: three actions per vendor the person is sent to, each to its action_timeout (60 s unless the vendor's table says otherwise).",
        valueName: "SECONDS"))
    var personTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("The longest line of --users; a longer one is reported and skipped.",
                                            valueName: "BYTES"))
    var maxLineBytes = CSVPeople.defaultMaxLineBytes

    func validate() throws {
        if concurrency < 1 || concurrency > 4096 { throw ValidationError("--concurrency must be between 1 and 4096") }
        if users != nil && !identity.isEmpty { throw ValidationError("give people either with --users or as KEY=VALUE, not both") }
        if users == nil && identity.isEmpty { throw ValidationError("say who: --users FILE.csv, or KEY=VALUE for one person") }
        if let t = personTimeout, !(t > 0 && t <= 86_400) { throw ValidationError("--person-timeout must be a number of seconds, more than 0 and at most 86400") }
        if maxLineBytes < 1 { throw ValidationError("--max-line-bytes must be at least 1") }
    }

    func params() throws -> [String: String] {
        var params: [String: String] = [:]
        for p in param {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw UsageError("--param \(p): write KEY=VALUE") }
            params[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        return params
    }

    /// Config, plugins, people and workflow, each checked before anything is sent (exit 2 otherwise).
    func setup(_ options: ConfigOption, dryRun: Bool, fixtures: FixtureRecorder? = nil) async throws -> RunSetup {
        try await usage { () -> RunSetup in
            let params = try params()
            let locator = PluginLocator.standard()
            guard let path = locator.workflow(workflow) else {
                let known = locator.workflowNames()
                let hint = closestMatch(workflow, in: Set(known)).map { "did you mean \($0)? " } ?? ""
                throw UsageError("no workflow \(workflow): \(hint)(a path, or one of: \(known.isEmpty ? "none found" : known.joined(separator: ", ")))")
            }
            let people: PeopleInput = try users.map { .csv(try CSVPeople(path: $0, maxLineBytes: maxLineBytes)) }
                ?? .one(try Identity(arguments: try validUTF8(identity)))
            let engine = try await Engine.start(try options.engineOptions(dryRun: dryRun, concurrency: concurrency, locator: locator,
                                                                             fixtures: fixtures),
                                                needed: nil)
            do {
                switch people {
                case .csv(let source):
                    do { try engine.checkIdentityKeys(source.header) } catch let e as IdentityError {
                        throw UsageError("\(source.path == "-" ? "standard input" : displayPath(source.path)):1: column \(e)")
                    }
                case .one(let person):
                    try engine.checkIdentityKeys(person.keys)
                case .planned:
                    break
                }
                let wf = try await Workflow.load(path: path, engine: engine, params: params)
                return RunSetup(engine: engine, workflow: wf, people: people)
            } catch {
                await engine.shutdown()
                throw error
            }
        }
    }

    /// After the planning pass: an engine that sends (no dry run) and the workflow again, over `people`.
    func reload(_ options: ConfigOption, people: PeopleInput, fixtures: FixtureRecorder? = nil) async throws -> RunSetup {
        try await usage { () -> RunSetup in
            let locator = PluginLocator.standard()
            guard let path = locator.workflow(workflow) else { throw UsageError("no workflow \(workflow)") }
            let engine = try await Engine.start(try options.engineOptions(dryRun: false, concurrency: concurrency, locator: locator,
                                                                             fixtures: fixtures),
                                                needed: nil)
            do {
                return RunSetup(engine: engine, workflow: try await Workflow.load(path: path, engine: engine, params: try params()),
                                people: people)
            } catch {
                await engine.shutdown()
                throw error
            }
        }
    }

    func batchOptions() -> BatchOptions {
        var batch = BatchOptions()
        batch.concurrency = concurrency
        batch.progress = users != nil && isatty(2) == 1
        batch.personTimeout = personTimeout.map { .nanoseconds(Int64($0 * 1e9)) }
        return batch
    }
}

struct RunSetup: @unchecked Sendable {
    var engine: Engine
    var workflow: Workflow
    var people: PeopleInput
}
