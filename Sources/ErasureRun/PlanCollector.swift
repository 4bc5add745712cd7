import ErasureHost
import Foundation

/// Gathers a plan's people while the dry run goes through them (many at once, any order).
public final class PlanCollector: Sendable {
    private let store = Locked<(people: [PlannedPerson], problems: [Plan.InputProblem])>(([], []))

    public init() {}

    func add(_ person: PlannedPerson) { store.withLock { $0.people.append(person) } }

    func problem(line: Int, message: String) {
        store.withLock { $0.problems.append(Plan.InputProblem(line: line, message: message)) }
    }

    /// The people and problems gathered, each in input order.
    public var collected: (people: [PlannedPerson], problems: [Plan.InputProblem]) {
        let s = store.current
        return (s.people.sorted { ($0.line ?? 0) < ($1.line ?? 0) }, s.problems.sorted { $0.line < $1.line })
    }
}
