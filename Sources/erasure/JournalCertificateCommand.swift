import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal certificate --person KEY=VALUE… --out FILE.html`: a certificate of erasure.
struct JournalCertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Write a certificate of erasure for one person: a self-contained HTML page.",
        discussion: """
            For the data subject or an auditor: the identity as given here and its pseudonym in the \
            journal, and per vendor the outcome, time, requests (URLs pseudonymised), the vendor's \
            status, the receipt's hash, the run's signature and how to verify it. No external asset; \
            prints cleanly to PDF from a browser. The same journal gives the same page.
            """)

    @OptionGroup var location: JournalCommand.Location

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("The person (each KEY=VALUE must match).",
                                                                      valueName: "KEY=VALUE"))
    var person: [String]

    @Option(name: .customLong("run"), help: ArgumentHelp("Only this run (an id, or a unique prefix).", valueName: "RUN"))
    var runPrefix: String?

    @Option(name: .long, help: ArgumentHelp("The HTML file to write.", valueName: "FILE"))
    var out: String

    func run() async throws {
        var filters = try JournalCommand.Filters.parse(["--person"] + person)
        filters.runPrefix = runPrefix
        let journal = try location.open(key: true)
        let filter = try await filters.filter(journal, location)
        let history = try await journal.history(filter)
        guard !history.receipts.isEmpty else {
            JournalCommand.fail("journal \(location.journal): no receipt for this person"
                                + (runPrefix.map { " in run \($0)" } ?? ""), code: 1)
        }
        let runs = Dictionary(uniqueKeysWithValues: try await journal.runs().map { ($0.id, $0) })
        let signatures = Dictionary(try await journal.signatures().map { ($0.run, $0) }, uniquingKeysWith: { a, _ in a })
        let html = Self.render(identity: filter.identity, history: history, runs: runs, signatures: signatures,
                               journalName: (location.journal as NSString).lastPathComponent)
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: out))
        } catch {
            JournalCommand.fail("cannot write \(out): \(error)")
        }
        FileHandle.standardError.write(Data("erasure: certificate for \(history.receipts.count) receipts written to \(out)\n".utf8))
    }

    static func render(identity: [String: String], history: PersonHistory, runs: [RunID: RunRecord],
                       signatures: [RunID: RunSignature], journalName: String) -> String {
        var page = HTMLPage()
        page.heading(1, "Certificate of erasure")
        page.paragraph("What the erasure journal \(journalName) records about the person below: every request sent "
                       + "to every vendor, the vendor's answer, and the proof that this record was not altered since.",
                       className: "lead")
        page.heading(2, "The person")
        var terms = "<dl>"
        for (name, value) in identity.sorted(by: { $0.key < $1.key }) {
            terms += "<dt>\(HTMLPage.escape(name))</dt><dd>\(HTMLPage.escape(value))"
            if let pseudonym = history.pseudonyms[name] {
                terms += " — in the journal: <code>\(HTMLPage.escape(pseudonym))</code>"
            }
            terms += "</dd>"
        }
        page.raw(terms + "</dl>")
        page.paragraph("The journal does not hold these values: only their pseudonyms, keyed hashes that the holder "
                       + "of the journal key recomputes to find a person.", className: "note")

        // The latest receipt of each (vendor, action): what the person's erasure came to.
        var latest: [String: Receipt] = [:]
        for r in history.receipts { latest["\(r.vendor)\u{0}\(r.action)"] = r }
        page.heading(2, "Per vendor")
        // Two rows per vendor: what happened, then the requests and the receipt in full.
        page.raw("<table class=\"vendors\"><thead><tr><th>Vendor</th><th>Action</th><th>Outcome</th><th>Time (UTC)</th>"
                 + "</tr></thead><tbody>")
        for k in latest.keys.sorted() {
            let r = latest[k]!
            let outcome = "<span class=\"outcome \(HTMLPage.escape(r.outcome))\">\(HTMLPage.escape(r.outcome))</span>"
                + (r.message.map { "<br><span class=\"note\">\(HTMLPage.escape($0))</span>" } ?? "")
            page.raw("<tr class=\"head\"><td>\(HTMLPage.escape(r.vendor))</td><td>\(HTMLPage.escape(r.action))</td>"
                     + "<td>\(outcome)</td><td>\(HTMLPage.escape(r.time))</td></tr>")
            let requests = r.requests.map { q in
                "<code>\(HTMLPage.escape(q.method)) \(HTMLPage.escape(q.url))</code> → the vendor answered "
                    + HTMLPage.escape(q.status.map { "HTTP \($0)" } ?? "nothing")
            }
            page.raw("<tr class=\"detail\"><td></td><td colspan=\"3\">"
                     + (requests.isEmpty ? "no request" : requests.joined(separator: "<br>"))
                     + "<br>receipt #\(r.seq) <code>\(HTMLPage.escape(r.hash))</code></td></tr>")
        }
        page.raw("</tbody></table>")
        if latest.count < history.receipts.count {
            page.paragraph("\(history.receipts.count) receipts in all; the table shows the latest of each vendor and "
                           + "action (the others: attempts that failed, or earlier runs).", className: "note")
        }

        page.heading(2, "Proof")
        let runIDs = Set(history.receipts.map(\.run)).sorted { (runs[$0]?.startedAt ?? "", $0.rawValue) < (runs[$1]?.startedAt ?? "", $1.rawValue) }
        page.table(["Run", "Workflow", "Started – ended (UTC)", "Signed final chain head"], runIDs.map { id in
            let run = runs[id]
            let signed = signatures[id].map { s in
                "receipt #\(s.headSeq) <code>\(HTMLPage.escape(s.headHash))</code><br>Ed25519 key \(HTMLPage.escape(s.keyID)), "
                    + "signature <code>\(HTMLPage.escape(s.signature))</code>"
            } ?? "not signed"
            return [.code(id.rawValue), .text(run?.workflow ?? ""),
                    .text("\(run?.startedAt ?? "") – \(run?.endedAt ?? "not ended")"), .markup(signed)]
        })
        page.paragraph("Each receipt's hash covers its content and the hash of the receipt before it, so the last "
                       + "receipt of a run stands for every receipt before it; that head is signed with the "
                       + "installation's Ed25519 key. To check this certificate against the journal, with the public "
                       + "key the operator gives you:", className: "note")
        let run = runIDs.last?.rawValue ?? "RUN"
        page.raw("<pre>erasure journal export --run \(HTMLPage.escape(run)) --output run.jsonl\n"
                 + "erasure journal verify --export run.jsonl --public-key erasure-signing.key.pub</pre>")
        page.paragraph("The export carries every receipt of the run exactly as stored; verify recomputes each hash, "
                       + "each link and the signature, with no access to the journal.", className: "note")
        return page.document(title: "Certificate of erasure")
    }
}
