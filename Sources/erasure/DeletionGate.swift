import ArgumentParser
import ErasureRun
import Foundation

/// Whether a real batch may send its planned deletions: under `--max-deletions` (a count of
/// deletion steps, one person at one vendor), or confirmed by typing their number on a terminal.
/// Without a terminal, a batch over the limit is refused — exit 2, nothing sent.
enum DeletionGate {
    static var onTerminal: Bool { isatty(0) == 1 && isatty(2) == 1 }
    /// `--max-deletions` when none is given (and not --yes).
    static let defaultLimit = 100

    /// Returns when the batch may go on; throws ExitCode(2) (nothing sent) otherwise. `limit` nil:
    /// none (--yes without --max-deletions); `ask`: false with --yes.
    static func check(_ plan: Plan, limit: Int?, ask: Bool, planPath: String?, retry: String) throws {
        let s = PlanSummary(plan)
        guard let limit else { return }
        if ask && onTerminal && s.deletions > 0 {
            stderr(PlanReport.text(plan, path: planPath))
            let over = s.deletions > limit ? " — over --max-deletions \(limit)" : ""
            FileHandle.standardError.write(Data("Type \(s.deletions) to send these \(s.deletions) deletions\(over) (anything else: nothing is sent): ".utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces)
            guard answer == String(s.deletions) else {
                stderr("erasure: not confirmed: nothing was sent")
                throw ExitCode(2)
            }
            return
        }
        if s.deletions > limit {
            stderr("erasure: this batch would send \(s.deletions) deletions (for \(s.peopleActedOn) people), over --max-deletions \(limit): nothing was sent.\n"
                   + "  review the plan, then \(retry) with --max-deletions \(s.deletions) (or --yes)")
            throw ExitCode(2)
        }
    }
}
