import ArgumentParser
import ErasureHost

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
              erasure run offboard --users leavers.csv --dry-run

            Exit status: 0 done, 1 an outcome failed, 2 usage, config or plugin error (nothing sent).
            """,
        subcommands: [
            DeleteCommand.self, SuspendCommand.self, LookupCommand.self, RunCommand.self,
            PluginsCommand.self, SandboxCommand.self, JournalCommand.self,
        ]
    )
}

// In top-level code a bare `Erasure.main()` resolves to the synchronous entry point (which refuses
// async commands); inside an async function the async one is chosen.
func erasureMain() async {
    MallocTuning.apply()
    await Erasure.main()
}
await erasureMain()
