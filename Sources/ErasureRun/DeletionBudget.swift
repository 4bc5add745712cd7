import ErasureHost
import ErasurePlugins
import Foundation
import LuaBridge

/// Limits the deletions of a real run (`--max-deletions`): one reservation per (person, vendor)
/// delete, taken before the plugin sends anything.
public final class DeletionBudget: Sendable {
    public let limit: Int?
    private let used = Locked<Int>(0)
    private let refused = Locked<Bool>(false)

    public init(limit: Int?) { self.limit = limit }

    public func reserve() -> Bool {
        guard let limit else { return true }
        let ok = used.withLock { n -> Bool in
            guard n < limit else { return false }
            n += 1
            return true
        }
        if !ok { refused.withLock { $0 = true } }
        return ok
    }

    public var exhausted: Bool { refused.current }
}
