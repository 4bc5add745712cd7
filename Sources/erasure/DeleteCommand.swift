import ArgumentParser

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
