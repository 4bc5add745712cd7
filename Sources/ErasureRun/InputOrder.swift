import ErasureHost
import ErasurePlugins

/// Hands a batch's outcomes on in input order: person n's are held until every person before n
/// has finished (the person first in line streams as it goes). People run many at once and end in
/// any order; a reader of the table expects line 2 before line 3. Holds at most the outcomes of
/// the people that finished while an earlier one was still running.
final class InputOrder: Sendable {
    typealias Item = (outcome: Outcome, line: Int?, person: String?)
    private struct State {
        var next = 0
        var held: [Int: [Item]] = [:]
        var finished: Set<Int> = []
    }
    private let state = Locked(State())
    private let deliver: @Sendable (Item) -> Void

    init(deliver: @escaping @Sendable (Item) -> Void) { self.deliver = deliver }

    /// An outcome of the person started `seq`-th (from 0).
    func add(_ seq: Int, _ item: Item) {
        state.withLock { s in
            if seq == s.next { deliver(item) } else { s.held[seq, default: []].append(item) }
        }
    }

    /// The person started `seq`-th has no more outcomes.
    func finish(_ seq: Int) {
        state.withLock { s in
            s.finished.insert(seq)
            while s.finished.remove(s.next) != nil {
                s.next += 1
                for item in s.held.removeValue(forKey: s.next) ?? [] { deliver(item) }
            }
        }
    }
}
