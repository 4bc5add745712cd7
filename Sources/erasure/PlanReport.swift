import ArgumentParser
import ErasureRun
import Foundation

/// A plan's summary as the operator reads it (`plan`, `plan show`, and before `run` and `apply`
/// send anything), or as one JSON object.
enum PlanReport {
    static func text(_ plan: Plan, path: String?) -> String {
        let s = PlanSummary(plan)
        let input = plan.input.map { displayed($0.path) } ?? "one person given as KEY=VALUE"
        var out = "plan\(path.map { " " + $0 } ?? ""): workflow \(displayed(plan.workflow.path)) over \(input), made \(plan.createdAt)\n"
        out += "\(s.people) \(s.people == 1 ? "person" : "people")"
        if s.unusableLines > 0 { out += ", \(s.unusableLines) input line\(s.unusableLines == 1 ? "" : "s") not usable" }
        out += "\n"
        let rows = s.vendors.keys.sorted()
        if !rows.isEmpty {
            out += pad("VENDOR", 12) + pad("DELETE", 8) + pad("SUSPEND", 9) + pad("NOT_FOUND", 11) + pad("BLIND", 7)
                + pad("SKIPPED", 9) + "FAILED\n"
            for v in rows {
                let c = s.vendors[v]!
                out += pad(v, 12) + pad(String(c.deletions), 8) + pad(String(c.suspensions), 9) + pad(String(c.notFound), 11)
                    + pad(String(c.blind), 7) + pad(String(c.skipped), 9) + String(c.failed) + "\n"
            }
        }
        out += "\(s.deletions) deletion\(s.deletions == 1 ? "" : "s") and \(s.suspensions) suspension\(s.suspensions == 1 ? "" : "s") "
            + "(one person at one vendor each), for \(s.peopleActedOn) \(s.peopleActedOn == 1 ? "person" : "people")\n"
        if s.blind > 0 {
            let vendors = rows.filter { (s.vendors[$0]?.blind ?? 0) > 0 }.joined(separator: ", ")
            out += "blind: \(s.blind) of them at \(vendors), which cannot be looked up: planned whether or not the person is there\n"
        }
        if s.failed > 0 { out += "failed: \(s.failed) lookup\(s.failed == 1 ? "" : "s") or step\(s.failed == 1 ? "" : "s") could not be planned (nothing will be sent for them)\n" }
        return out
    }

    static func json(_ plan: Plan, path: String?) -> String {
        struct Shown: Encodable {
            var plan: String?
            var createdAt: String
            var workflow: String
            var input: String?
            var summary: PlanSummary
        }
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let shown = Shown(plan: path, createdAt: plan.createdAt, workflow: plan.workflow.path, input: plan.input?.path,
                          summary: PlanSummary(plan))
        return String(decoding: (try? e.encode(shown)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func displayed(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}
