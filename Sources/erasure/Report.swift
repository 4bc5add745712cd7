import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation

/// Where outcomes go as they happen: one JSON line each (`--json`), or a readable table.
/// Also keeps the per vendor × outcome counts for the final summary.
final class Report: OutcomeSink {
    enum Style: Sendable { case json, human }

    let style: Style
    let color: Bool
    private struct Tally {
        var counts: [String: [OutcomeKind: Int]] = [:]
        var failures: [(String, String)] = []
        var printedHeader = false
    }
    private let tally = Locked(Tally())
    private let write: @Sendable (String) -> Void

    init(style: Style, color: Bool, write: @escaping @Sendable (String) -> Void = { s in
        FileHandle.standardOutput.write(Data(s.utf8))
    }) {
        self.style = style
        self.color = color
        self.write = write
    }

    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static func wantsColor(fd: Int32 = 1) -> Bool {
        isatty(fd) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// How many outcomes of this kind were reported.
    func count(_ kind: OutcomeKind) -> Int { tally.withLock { $0.counts.values.reduce(0) { $0 + ($1[kind] ?? 0) } } }

    var anyFailed: Bool { tally.withLock { $0.counts.values.contains { ($0[.failed] ?? 0) > 0 } } }

    func add(_ o: Outcome, line: Int? = nil, person: String? = nil) {
        tally.withLock { t in
            t.counts[o.vendor, default: [:]][o.kind, default: 0] += 1
            if o.kind == .failed { t.failures.append((o.vendor, o.message)) }
        }
        switch style {
        case .json:
            write(o.jsonLine(line: line) + "\n")
        case .human:
            var text = ""
            tally.withLock { t in
                if !t.printedHeader {
                    t.printedHeader = true
                    text += paint(pad("VENDOR", 12) + pad("ACTION", 9) + pad("OUTCOME", 11) + "DETAIL", .bold) + "\n"
                }
            }
            // Who: "line 7 email=ada@example.com: " (a message naming its line already says where).
            let place = line.flatMap { o.message.hasPrefix("line \($0):") ? nil : "line \($0)" }
            let named = [place, person].compactMap { $0 }.joined(separator: " ")
            let who = named.isEmpty ? "" : named + ": "
            var detail = who + o.message
            if o.kind == .planned {
                detail = who + o.requests.map { "\($0.method) \($0.url)" }.joined(separator: "; ")
                if detail == who { detail += "nothing to send" }
            }
            if let vid = o.vendorID, o.kind == .deleted || o.kind == .suspended { detail += " [\(vid)]" }
            if o.kind == .failed, o.retryable { detail += " (retryable)" }
            text += pad(o.vendor, 12) + pad(o.action.rawValue, 9) + paint(pad(o.kind.rawValue, 11), Report.tone(o.kind))
                + detail + "\n"
            if let record = o.recordJSON, o.kind == .found { text += "    " + record + "\n" }
            write(text)
        }
    }

    /// Per vendor × outcome counts, and the failures with their messages.
    func summary(maxFailures: Int = 20) -> String {
        tally.withLock { t in
            let counts = t.counts, failures = t.failures
            let kinds = OutcomeKind.allCases.filter { k in counts.values.contains { ($0[k] ?? 0) > 0 } }
            guard !kinds.isEmpty else { return "no outcome\n" }
            var out = paint(pad("VENDOR", 12) + kinds.map { pad($0.rawValue, 11) }.joined(), .bold) + "\n"
            for vendor in counts.keys.sorted() {
                out += pad(vendor, 12) + kinds.map { pad(String(counts[vendor]?[$0] ?? 0), 11) }.joined() + "\n"
            }
            if !failures.isEmpty {
                out += "\nfailures (\(failures.count)):\n"
                for (vendor, message) in failures.prefix(maxFailures) { out += "  \(vendor): \(message)\n" }
                if failures.count > maxFailures { out += "  … and \(failures.count - maxFailures) more (use --json for all)\n" }
            }
            return out
        }
    }

    enum Tone { case good, warn, bad, plain, bold }

    static func tone(_ k: OutcomeKind) -> Tone {
        switch k {
        case .deleted, .suspended, .notFound, .found: return .good
        case .planned, .skipped: return .warn
        case .failed: return .bad
        }
    }

    private func paint(_ s: String, _ tone: Tone) -> String {
        guard color else { return s }
        switch tone {
        case .good: return "\u{1B}[32m\(s)\u{1B}[0m"
        case .warn: return "\u{1B}[33m\(s)\u{1B}[0m"
        case .bad: return "\u{1B}[31m\(s)\u{1B}[0m"
        case .bold: return "\u{1B}[1m\(s)\u{1B}[0m"
        case .plain: return s
        }
    }
}
