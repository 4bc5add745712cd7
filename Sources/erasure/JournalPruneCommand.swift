import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal prune --before DATE`: retention.
struct JournalPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove what the journal holds about steps finished before DATE; the chain stays verifiable.",
        discussion: """
            Each pruned receipt keeps only its place in the chain (seq, previous hash, hash), so \
            erasure journal verify still checks the chain and the run signatures, and says how many \
            receipts were pruned. Unfinished steps are kept. The file is rewritten so the removed \
            bytes are gone from it.
            """)

    @OptionGroup var location: JournalCommand.Location

    @Option(name: .long, help: ArgumentHelp("YYYY-MM-DD or ISO 8601 (UTC).", valueName: "DATE"))
    var before: String

    func run() async throws {
        guard let time = JournalFilter.time(before) else {
            JournalCommand.fail("--before \(before): expected YYYY-MM-DD or an ISO 8601 time")
        }
        let journal = try location.open()
        do {
            let result = try await journal.prune(before: time)
            try journal.close()
            JournalCommand.printLine("journal \(location.journal): pruned \(result.receiptsPruned) receipts and "
                                     + "removed \(result.stepsRemoved) steps finished before \(time)")
        } catch {
            JournalCommand.fail("cannot prune \(location.journal): \(error)")
        }
    }
}
