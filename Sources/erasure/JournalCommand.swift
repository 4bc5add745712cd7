import ArgumentParser
import ErasureHost
import ErasureJournal
import ErasurePlugins
import ErasureRun
import Foundation

/// `erasure journal export|verify|show`: read a run journal (never creates one).
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Inspect a run journal: export receipts, verify the receipt chain, show runs.",
        subcommands: [Export.self, Verify.self, Show.self])

    struct Location: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The journal file.", valueName: "FILE"))
        var journal: String = "./erasure-journal.sqlite"

        @Option(name: .long, help: ArgumentHelp(
            "The config whose [journal] key names the journal key (default: $ERASURE_CONFIG, else ./erasure.toml, "
            + "if present; else the key file next to the journal).", valueName: "FILE"))
        var config: String?

        /// Opens the existing journal, or prints why not and exits 2. With `key`, with the journal
        /// key (to recompute pseudonyms).
        func open(key: Bool = false) throws -> Journal {
            do {
                return try Journal.openExisting(path: journal, pseudonymsUnder: key ? loadKey() : nil)
            } catch let error as JournalError {
                JournalCommand.fail("\(error)")
            } catch {
                JournalCommand.fail("journal \(journal): \(error)")
            }
        }

        /// The journal key: the config's `[journal] key`, else the key file next to the journal.
        func loadKey() throws -> JournalKey {
            let path = ConfigFile.locate(explicit: config)
            var reference: String?
            if config != nil || FileManager.default.fileExists(atPath: path) {
                reference = try ConfigFile.load(path: path).journal.key
            }
            return try JournalKey.load(reference: reference, journal: journal, create: false).key
        }
    }

    static func fail(_ message: String, code: Int32 = 2) -> Never {
        FileHandle.standardError.write(Data("erasure: \(message)\n".utf8))
        Foundation.exit(code)
    }

    static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    // MARK: export

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every receipt, in chain order: JSON lines or CSV.")

        @OptionGroup var location: Location

        @Option(name: .long, help: "jsonl (one JSON object per receipt per line) or csv (columns as stored).")
        var format: Format = .jsonl

        @Option(name: .long, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
        var output: String?

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case jsonl, csv
        }

        func run() async throws {
            let journal = try location.open()
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
                count = try await journal.export(format: format == .csv ? .csv : .jsonl, to: handle)
            } catch {
                JournalCommand.fail("export of \(location.journal) failed: \(error)")
            }
            if let output {
                try handle.close()
                FileHandle.standardError.write(Data("erasure: \(count) receipts written to \(output)\n".utf8))
            }
        }
    }

    // MARK: verify

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the receipt chain; name the first receipt altered or removed.",
            discussion: "Exit status: 0 the chain is intact, 1 it was tampered with, 2 no usable journal.")

        @OptionGroup var location: Location

        func run() async throws {
            let journal = try location.open()
            let result: ChainVerification
            do {
                result = try await journal.verify()
            } catch {
                JournalCommand.fail("cannot read \(location.journal): \(error)")
            }
            if let violation = result.violation {
                JournalCommand.printLine("journal \(location.journal): TAMPERED: \(violation)")
                JournalCommand.printLine("(\(result.receiptsChecked) receipts verified before it)")
            }
            if let violation = result.rowViolation {
                JournalCommand.printLine("journal \(location.journal): TAMPERED: \(violation)")
            }
            if !result.isIntact { throw ExitCode(1) }
            JournalCommand.printLine("journal \(location.journal): OK, \(result.receiptsChecked) receipts, "
                                     + "chain head #\(result.headSeq) \(result.headHash)")
        }
    }

    // MARK: show

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the runs, or show one run: counts per vendor × outcome and failures.")

        @Argument(help: "A run id (or a unique prefix of it). Without it, list the runs.")
        var run: String?

        @OptionGroup var location: Location

        @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
            "Every step and receipt of this person (KEY=VALUE..., each must match): their pseudonyms are "
            + "recomputed with the journal key.", valueName: "KEY=VALUE"))
        var person: [String] = []

        @Flag(name: .long, help: "JSON: one object per run (list), or the run's summary.")
        var json = false

        func run() async throws {
            if !person.isEmpty { return try await showPerson() }
            let journal = try location.open()
            do {
                if let run {
                    try await show(journal, run)
                } else {
                    try await list(journal)
                }
            } catch let error as ExitCode {
                throw error
            } catch {
                JournalCommand.fail("cannot read \(location.journal): \(error)")
            }
        }

        func list(_ journal: Journal) async throws {
            let runs = try await journal.runOverviews()
            if json {
                for r in runs { JournalCommand.printLine(try encode(r)) }
                return
            }
            if runs.isEmpty {
                JournalCommand.printLine("journal \(location.journal): no runs")
                return
            }
            let rows = runs.map { r in
                [r.run.id.rawValue, r.run.workflow, r.run.startedAt, r.run.dryRun ? "yes" : "no",
                 r.run.endedAt == nil ? "no" : "yes", String(r.steps), String(r.done), String(r.failed)]
            }
            printTable(["RUN", "WORKFLOW", "STARTED", "DRY-RUN", "ENDED", "STEPS", "DONE", "FAILED"], rows)
        }

        func show(_ journal: Journal, _ prefix: String) async throws {
            let summary = try await journal.summary(run: try await resolveRun(journal, prefix))
            if json {
                JournalCommand.printLine(try encode(summary))
                return
            }
            let r = summary.run
            JournalCommand.printLine("run \(r.id)  \(r.workflow)\(r.dryRun ? "  (dry-run)" : "")")
            JournalCommand.printLine("started \(r.startedAt)" + (r.endedAt.map { "  ended \($0)" } ?? "  (not ended)"))
            if let input = r.inputPath {
                JournalCommand.printLine("input \(input)" + (r.inputSHA256.map { "  sha256 \($0)" } ?? ""))
            }
            JournalCommand.printLine("")
            printTable(["VENDOR", "ACTION", "OUTCOME", "COUNT"], summary.counts.map { c in
                [c.vendor, c.action, c.outcome ?? "(\(c.state.rawValue))", String(c.count)]
            })
            if !summary.failures.isEmpty {
                JournalCommand.printLine("\nfailures:")
                for f in summary.failures {
                    var line = "  \(f.vendor)/\(f.action)  \(f.person.key)"
                    if let status = f.httpStatus { line += "  HTTP \(status)" }
                    if let retryable = f.retryable { line += retryable ? "  retryable" : "  not retryable" }
                    line += ": " + (f.message ?? "(no message)")
                    JournalCommand.printLine(line)
                }
            }
        }

        func showPerson() async throws {
            var identity: [String: String] = [:]
            for pair in person {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    JournalCommand.fail("--person \(pair): expected KEY=VALUE")
                }
                identity[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            let journal = try location.open(key: true)
            var runID: RunID?
            if let run { runID = try await resolveRun(journal, run) }
            let history: PersonHistory
            do {
                history = try await journal.history(of: identity, run: runID)
            } catch {
                JournalCommand.fail("cannot read \(location.journal): \(error)")
            }
            if json {
                JournalCommand.printLine(try encode(history))
                return
            }
            for (name, pseudonym) in history.pseudonyms.sorted(by: { $0.key < $1.key }) {
                JournalCommand.printLine("\(name) is \(pseudonym) in the journal")
            }
            if history.steps.isEmpty {
                JournalCommand.printLine("journal \(location.journal): no step for this person")
                throw ExitCode(1)
            }
            printTable(["RUN", "VENDOR", "ACTION", "STATE", "OUTCOME", "UPDATED", "RECEIPT"], history.steps.map { s in
                [String(s.run.rawValue.prefix(8)), s.vendor, s.action, s.state.rawValue, s.outcome ?? "", s.updatedAt,
                 s.receiptSeq.map { "#\($0)" } ?? ""]
            })
            JournalCommand.printLine("")
            for r in history.receipts {
                JournalCommand.printLine("receipt #\(r.seq) \(r.hash)  \(r.time)  \(r.vendor)/\(r.action) \(r.outcome)")
                for q in r.requests {
                    JournalCommand.printLine("  \(q.method) \(q.url) -> \(q.status.map(String.init) ?? "no answer")")
                }
            }
        }

        func resolveRun(_ journal: Journal, _ prefix: String) async throws -> RunID {
            let matches = try await journal.runs().filter { $0.id.rawValue.hasPrefix(prefix.lowercased()) }
            guard matches.count == 1, let record = matches.first else {
                JournalCommand.fail(matches.isEmpty
                    ? "journal \(location.journal): no run \(prefix) (erasure journal show lists them)"
                    : "journal \(location.journal): \(prefix) matches \(matches.count) runs; give more of the id")
            }
            return record.id
        }

        func printTable(_ header: [String], _ rows: [[String]]) {
            let all = [header] + rows
            let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
            for row in all {
                let cells = row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }
                JournalCommand.printLine(cells.joined(separator: "  "))
            }
        }

        func encode<T: Encodable>(_ value: T) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        }
    }
}
