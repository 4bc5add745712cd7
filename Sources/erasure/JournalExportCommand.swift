import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal export`: the receipts (and run signatures) for an auditor.
struct JournalExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the receipts in chain order: JSON lines (verifiable offline) or a flat CSV.",
        discussion: """
            jsonl: one receipt per line, its texts exactly as stored, then the run signatures and the \
            chain head; anyone with the public key checks it with no database: \
            erasure journal verify --export FILE --public-key KEY.pub
            csv: one row per request of each receipt, one value per cell.
            """)

    @OptionGroup var location: JournalCommand.Location
    @OptionGroup var filters: JournalCommand.Filters

    @Option(name: .long, help: "jsonl or csv.")
    var format: Format = .jsonl

    @Option(name: .long, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    func run() async throws {
        let journal = try location.open(key: !filters.person.isEmpty)
        let filter = try await filters.filter(journal, location)
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil),
                  let h = FileHandle(forWritingAtPath: output) else {
                JournalCommand.fail("cannot write \(output)")
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        let count: Int
        do {
            count = try await journal.export(format: format == .csv ? .csv : .jsonl, filter: filter, to: handle)
        } catch {
            JournalCommand.fail("export of \(location.journal) failed: \(error)")
        }
        if let output {
            try handle.close()
            FileHandle.standardError.write(Data("erasure: \(count) receipts written to \(output)\n".utf8))
        }
    }
}
