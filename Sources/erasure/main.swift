import ArgumentParser
import ErasureHost
import Foundation

/// The `erasure` command. Each subcommand lives in its own file (`<Name>Command.swift`).
struct Erasure: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erasure",
        abstract: "Erase a person from the SaaS vendors that hold their data.",
        discussion: """
            Each vendor's flow is a Lua plugin (plugins/*.lua); workflows combine plugins. \
            Rehearse first: `erasure sandbox --port 0 --print-config > erasure.toml` serves local \
            emulators of every vendor and prints a config pointing at them, and --dry-run on any \
            action lists the requests a real run would send without sending them.

            Start here:
              erasure sandbox --port 0 --print-config > erasure.toml   (leave it running)
              erasure plugins list
              erasure delete cubicasa email=ada@example.com --dry-run
              erasure plan offboard --users leavers.csv --out leavers.plan   (review it, then:)
              erasure apply leavers.plan

            Logs (host and plugins' ctx.log) go to standard error: -v, -vv, --log-level LEVEL or \
            $ERASURE_LOG=LEVEL.
            Exit status: 0 done, 1 an outcome failed, 2 usage, config or plugin error (nothing sent), \
            130 interrupted (the summary says how to resume).
            """,
        version: erasureVersion,
        subcommands: [
            DeleteCommand.self, SuspendCommand.self, LookupCommand.self, RunCommand.self, PlanCommand.self,
            ApplyCommand.self, PluginsCommand.self, SandboxCommand.self, JournalCommand.self,
        ]
    )

    /// Parses and runs; every usage error — the argument parser's included — exits 2 (Contract 3).
    static func entry(_ arguments: [String]) async -> Never {
        do {
            try HelpTopic.check(arguments)
            var command = try parseAsRoot(ResumeArgument.rewrite(arguments))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

let erasureVersion = "1.0.0"

// In top-level code a bare `Erasure.main()` resolves to the synchronous entry point (which refuses
// async commands); inside an async function the async one is chosen.
func erasureMain() async {
    MallocTuning.apply()
    await Erasure.entry(Array(CommandLine.arguments.dropFirst()))
}
await erasureMain()
