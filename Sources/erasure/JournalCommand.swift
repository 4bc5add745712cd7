import ArgumentParser
import ErasureHost
import ErasureJournal
import Foundation

/// `erasure journal …`: read a run journal (never creates one), prune it, make a signing key.
/// Each subcommand is in `Journal<Name>Command.swift`.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Inspect a run journal: show, export, verify, certificate, report, prune; make a signing key.",
        discussion: """
            The journal holds identities only as pseudonyms (keyed hashes, e.g. ⟨email:3f9a…⟩) under \
            the journal key, and each run's final chain head signed with an Ed25519 key. \
            `show --person email=…` recomputes a person's pseudonym to find them.
            """,
        subcommands: [JournalShowCommand.self, JournalExportCommand.self, JournalVerifyCommand.self,
                      JournalCertificateCommand.self, JournalReportCommand.self, JournalPruneCommand.self,
                      JournalKeygenCommand.self])

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

        /// The run `prefix` names (a unique prefix of its id), or exits 2 saying why not.
        func resolveRun(_ journal: Journal, _ prefix: String) async throws -> RunID {
            let matches = try await journal.runs().filter { $0.id.rawValue.hasPrefix(prefix.lowercased()) }
            guard matches.count == 1, let record = matches.first else {
                JournalCommand.fail(matches.isEmpty
                    ? "journal \(journal.path): no run \(prefix) (erasure journal show lists them)"
                    : "journal \(journal.path): \(prefix) matches \(matches.count) runs; give more of the id")
            }
            return record.id
        }
    }

    /// `--run --person --since --until --vendor --outcome`, for show and export.
    struct Filters: ParsableArguments {
        @Option(name: .customLong("run"), help: ArgumentHelp("Only this run (an id, or a unique prefix).", valueName: "RUN"))
        var runPrefix: String?

        @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
            "Only this person (KEY=VALUE..., each must match): their pseudonyms are recomputed with the journal key.",
            valueName: "KEY=VALUE"))
        var person: [String] = []

        @Option(name: .long, help: ArgumentHelp("Only from this time on (YYYY-MM-DD or ISO 8601, UTC).", valueName: "TIME"))
        var since: String?

        @Option(name: .long, help: ArgumentHelp("Only before this time (YYYY-MM-DD or ISO 8601, UTC).", valueName: "TIME"))
        var until: String?

        @Option(name: .long, help: "Only this vendor.")
        var vendor: String?

        @Option(name: .long, help: "Only this outcome (deleted, suspended, not_found, planned, skipped, failed).")
        var outcome: String?

        var identity: [String: String] {
            var identity: [String: String] = [:]
            for pair in person {
                guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                    JournalCommand.fail("--person \(pair): expected KEY=VALUE")
                }
                identity[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            return identity
        }

        var isEmpty: Bool {
            runPrefix == nil && person.isEmpty && since == nil && until == nil && vendor == nil && outcome == nil
        }

        func filter(_ journal: Journal, _ location: Location) async throws -> JournalFilter {
            func time(_ option: String, _ text: String?) -> String? {
                guard let text else { return nil }
                guard let time = JournalFilter.time(text) else {
                    JournalCommand.fail("--\(option) \(text): expected YYYY-MM-DD or an ISO 8601 time")
                }
                return time
            }
            var run: RunID?
            if let runPrefix { run = try await location.resolveRun(journal, runPrefix) }
            return JournalFilter(run: run, identity: identity, since: time("since", since), until: time("until", until),
                                 vendor: vendor, outcome: outcome)
        }
    }

    static func fail(_ message: String, code: Int32 = 2) -> Never {
        FileHandle.standardError.write(Data("erasure: \(message)\n".utf8))
        Foundation.exit(code)
    }

    static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func printTable(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            printLine(cells.joined(separator: "  "))
        }
    }
}
