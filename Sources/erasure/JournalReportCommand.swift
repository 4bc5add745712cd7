import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal report [RUN] --out FILE.html`: one run, for people who read reports.
struct JournalReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's report: a self-contained HTML page with a chart of outcomes per vendor.",
        discussion: """
            Counts per vendor × outcome (a bar chart in inline SVG), the failures with their messages, \
            timings, and the steps not finished. The latest run when RUN is not given. No external asset; \
            the same journal gives the same page.
            """)

    @Argument(help: "A run id (or a unique prefix of it); the latest run when omitted.")
    var run: String?

    @OptionGroup var location: JournalCommand.Location

    @Option(name: .long, help: ArgumentHelp("The HTML file to write.", valueName: "FILE"))
    var out: String

    func run() async throws {
        let journal = try location.open()
        let id: RunID
        if let run {
            id = try await location.resolveRun(journal, run)
        } else {
            guard let latest = try await journal.runs().last else { JournalCommand.fail("journal \(location.journal): no runs") }
            id = latest.id
        }
        let summary = try await journal.summary(run: id)
        let steps = try await journal.steps(run: id)
        let signature = try await journal.signatures().first { $0.run == id }
        let html = Self.render(summary, steps: steps, signature: signature)
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: out))
        } catch {
            JournalCommand.fail("cannot write \(out): \(error)")
        }
        FileHandle.standardError.write(Data("erasure: report of run \(id) written to \(out)\n".utf8))
    }

    /// Outcomes in the order the chart stacks them, with their colours.
    static let palette: [(String, String)] = [
        ("deleted", "#2e7d32"), ("suspended", "#1565c0"), ("not_found", "#78909c"), ("planned", "#8e24aa"),
        ("skipped", "#f9a825"), ("failed", "#c62828"), ("unfinished", "#bdbdbd"),
    ]

    static func render(_ summary: RunSummary, steps: [StepRecord], signature: RunSignature?) -> String {
        let run = summary.run
        var page = HTMLPage()
        page.heading(1, "Run report: \(run.workflow)\(run.dryRun ? " (dry run)" : "")")
        page.paragraph("Run \(run.id)", className: "lead")
        var counts: [String: [String: Int]] = [:]   // vendor → outcome → steps
        for c in summary.counts {
            counts[c.vendor, default: [:]][c.outcome ?? "unfinished", default: 0] += c.count
        }
        let vendors = counts.keys.sorted()
        let outcomes = palette.map(\.0).filter { o in vendors.contains { counts[$0]?[o] != nil } }

        page.heading(2, "Outcomes per vendor")
        page.raw(chart(vendors: vendors, counts: counts))
        page.table(["Vendor"] + outcomes + ["Steps"], vendors.map { v in
            [.text(v)] + outcomes.map { .text(String(counts[v]?[$0] ?? 0)) }
                + [.text(String(counts[v]!.values.reduce(0, +)))]
        })

        page.heading(2, "Timings")
        let done = steps.filter { $0.state == .done }.map(\.updatedAt).sorted()
        var terms = "<dl><dt>started</dt><dd>\(HTMLPage.escape(run.startedAt))</dd>"
        terms += "<dt>ended</dt><dd>\(HTMLPage.escape(run.endedAt ?? "not ended"))</dd>"
        if let start = parse(run.startedAt), let end = run.endedAt.flatMap(parse) {
            terms += "<dt>duration</dt><dd>\(String(format: "%.3f", end.timeIntervalSince(start))) s</dd>"
        }
        terms += "<dt>steps</dt><dd>\(summary.totalSteps) (\(done.count) done)</dd>"
        if let first = done.first, let last = done.last {
            terms += "<dt>first / last step done</dt><dd>\(HTMLPage.escape(first)) / \(HTMLPage.escape(last))</dd>"
        }
        terms += "<dt>identities</dt><dd>\(HTMLPage.escape(run.identities))</dd>"
        terms += "<dt>signed final head</dt><dd>" + (signature.map { s in
            "receipt #\(s.headSeq) <code>\(HTMLPage.escape(s.headHash))</code>, Ed25519 key \(HTMLPage.escape(s.keyID))"
        } ?? "not signed") + "</dd></dl>"
        page.raw(terms)

        page.heading(2, "Failures (\(summary.failures.count))")
        if summary.failures.isEmpty {
            page.paragraph("None.")
        } else {
            page.table(["Vendor", "Action", "Person", "HTTP", "Retryable", "Message"], summary.failures.map { f in
                [.text(f.vendor), .text(f.action), .code(f.person.key), .text(f.httpStatus.map(String.init) ?? ""),
                 .text(f.retryable.map { $0 ? "yes" : "no" } ?? ""), .text(f.message ?? "")]
            })
        }

        let unfinished = steps.filter { $0.state != .done }
        page.heading(2, "Unfinished steps (\(unfinished.count))")
        if unfinished.isEmpty {
            page.paragraph("None: every step of the run has its outcome.")
        } else {
            page.paragraph("A step left sent may have reached the vendor: resume the run (--resume) to look the "
                           + "person up again before anything is sent twice.", className: "note")
            page.table(["Vendor", "Action", "Person", "State", "Since"], unfinished.map { s in
                [.text(s.vendor), .text(s.action), .code(s.person.key), .text(s.state.rawValue), .text(s.updatedAt)]
            })
        }
        return page.document(title: "Run report \(run.id)")
    }

    static func parse(_ time: String) -> Date? {
        try? Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Horizontal stacked bars, one per vendor, each outcome a segment; a legend below.
    static func chart(vendors: [String], counts: [String: [String: Int]]) -> String {
        let label = 110, width = 520, bar = 22, gap = 10
        let most = max(1, vendors.map { counts[$0]!.values.reduce(0, +) }.max() ?? 1)
        let legendY = vendors.count * (bar + gap) + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Outcomes per vendor\" "
            + "width=\"\(label + width + 60)\" height=\"\(legendY + 30)\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\">"
        for (i, vendor) in vendors.enumerated() {
            let y = i * (bar + gap)
            svg += "<text x=\"\(label - 8)\" y=\"\(y + bar / 2 + 4)\" text-anchor=\"end\">\(HTMLPage.escape(vendor))</text>"
            var x = label
            for (outcome, colour) in palette {
                guard let n = counts[vendor]?[outcome], n > 0 else { continue }
                let w = max(1, n * width / most)
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(bar)\" fill=\"\(colour)\">"
                    + "<title>\(HTMLPage.escape(vendor)): \(n) \(outcome)</title></rect>"
                x += w
            }
            svg += "<text x=\"\(x + 6)\" y=\"\(y + bar / 2 + 4)\">\(counts[vendor]!.values.reduce(0, +))</text>"
        }
        var x = label
        for (outcome, colour) in palette where vendors.contains(where: { counts[$0]?[outcome] != nil }) {
            svg += "<rect x=\"\(x)\" y=\"\(legendY)\" width=\"12\" height=\"12\" fill=\"\(colour)\"/>"
                + "<text x=\"\(x + 16)\" y=\"\(legendY + 10)\">\(outcome)</text>"
            x += 30 + outcome.count * 7
        }
        return svg + "</svg>"
    }
}
