import ArgumentParser

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
