import ArgumentParser

struct LookupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Show what one vendor holds about one person (read-only).",
        discussion: """
            Outcomes: found (with the vendor's record), not_found, failed.
              erasure lookup cubicasa email=ada@example.com
            """)

    @Argument(help: "The vendor: a plugin name.", completion: Completions.vendors)
    var vendor: String

    @Argument(help: ArgumentHelp("The person, as KEY=VALUE.", valueName: "KEY=VALUE"))
    var identity: [String] = []

    @OptionGroup var recording: RecordOption

    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await runSingle(.lookup, vendor: vendor, identity: identity, dryRun: false, options: options, journal: nil,
                            fixtures: try recording.fixtures())
    }
}
