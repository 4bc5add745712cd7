import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal show [RUN] [filters]`: the runs, one run's counts and failures, or the steps
/// and receipts a filter selects (a person: `--person email=…`).
struct JournalShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List the runs, show one run (counts per vendor × outcome, failures), or what a filter selects.",
        discussion: """
            The list shows unfinished runs first (interrupted, or cut off by a crash): finish one with \
            the command that started it and --resume RUN, or for a plan, `erasure apply PLAN` again.

            With --person, --since, --until, --vendor or --outcome: every step and receipt selected \
            (exit 1 when there is none). A person is found by recomputing their pseudonyms with the journal key:
              erasure journal show --person email=ada@example.com
            """)

    @Argument(help: "A run id (or a unique prefix of it). Without it, list the runs.")
    var run: String?

    @OptionGroup var location: JournalCommand.Location
    @OptionGroup var filters: JournalCommand.Filters

    @Flag(name: .long, help: "JSON: one object per run (list), the run's summary, or the selection.")
    var json = false

    func run() async throws {
        let selecting = !(filters.person.isEmpty && filters.since == nil && filters.until == nil
                          && filters.vendor == nil && filters.outcome == nil)
        let journal = try location.open(key: !filters.person.isEmpty)
        do {
            if selecting {
                try await select(journal)
            } else if let prefix = run ?? filters.runPrefix {
                try await show(journal, try await location.resolveRun(journal, prefix))
            } else {
                try await list(journal)
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            JournalCommand.fail("cannot read \(location.journal): \(error)")
        }
    }

    /// Unfinished runs first (each says how to resume it), then the others, oldest first.
    func list(_ journal: Journal) async throws {
        let all = try await journal.runOverviews()
        let runs = all.filter { $0.run.endedAt == nil } + all.filter { $0.run.endedAt != nil }
        if json {
            for r in runs { JournalCommand.printLine(try JournalCommand.encode(r)) }
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
        JournalCommand.printTable(["RUN", "WORKFLOW", "STARTED", "DRY-RUN", "ENDED", "STEPS", "DONE", "FAILED"], rows)
        let unfinished = runs.filter { $0.run.endedAt == nil }
        if !unfinished.isEmpty {
            JournalCommand.printLine("\n\(unfinished.count) unfinished run\(unfinished.count == 1 ? "" : "s") (listed first): "
                                     + "finish one with the command that started it and --resume RUN "
                                     + "(a plan: erasure apply PLAN again)")
        }
    }

    func show(_ journal: Journal, _ id: RunID) async throws {
        let summary = try await journal.summary(run: id)
        if json {
            JournalCommand.printLine(try JournalCommand.encode(summary))
            return
        }
        let r = summary.run
        JournalCommand.printLine("run \(r.id)  \(r.workflow)\(r.dryRun ? "  (dry-run)" : "")")
        JournalCommand.printLine("started \(r.startedAt)" + (r.endedAt.map { "  ended \($0)" } ?? "  (not ended)"))
        if let input = r.inputPath {
            JournalCommand.printLine("input \(input)" + (r.inputSHA256.map { "  sha256 \($0)" } ?? ""))
        }
        JournalCommand.printLine("identities \(r.identities)" + (r.keyID.map { " (key \($0))" } ?? "")
                                 + (r.signedBy.map { ", signed by key \($0)" } ?? ", not signed"))
        JournalCommand.printLine("")
        JournalCommand.printTable(["VENDOR", "ACTION", "OUTCOME", "COUNT"], summary.counts.map { c in
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

    func select(_ journal: Journal) async throws {
        var filter = try await filters.filter(journal, location)
        if let run { filter.run = try await location.resolveRun(journal, run) }
        let history = try await journal.history(filter)
        if json {
            JournalCommand.printLine(try JournalCommand.encode(history))
            return
        }
        for (name, pseudonym) in history.pseudonyms.sorted(by: { $0.key < $1.key }) {
            JournalCommand.printLine("\(name) is \(pseudonym) in the journal")
        }
        if history.steps.isEmpty && history.receipts.isEmpty {
            JournalCommand.printLine("journal \(location.journal): nothing selected")
            throw ExitCode(1)
        }
        JournalCommand.printTable(["RUN", "VENDOR", "ACTION", "STATE", "OUTCOME", "UPDATED", "RECEIPT"], history.steps.map { s in
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
}
