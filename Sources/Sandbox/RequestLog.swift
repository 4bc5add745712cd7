import Foundation
import HTTPTypes
import NIOCore
import Synchronization

/// One received request, as `GET /_sandbox/requests` lists it.
struct LoggedRequest: Sendable {
    var seq: Int
    var time: Double
    var vendor: String?
    var method: String
    var path: String
    var query: String
    var headers: HTTPFields
    var body: ByteBuffer
    /// status answered; 0 while in flight or when the connection was dropped
    var status: Int
    /// what the request changed, when it changed something: "deleted" (a user or device removed,
    /// or for EngageLab, its deletion accepted) or "updated"
    var effect: String? = nil
}

/// The newest requests the emulators received, numbered from 1 (`seq` keeps counting when older
/// ones are dropped or the log is cleared). Its own lock: never contends with the emulators' state.
final class RequestLog: Sendable {
    private struct Entries {
        var entries: [LoggedRequest] = []
        var firstSeq = 1
        var nextSeq = 1

        /// The index of `seq`, when it is still kept.
        func index(_ seq: Int) -> Int? {
            let i = seq - firstSeq
            return i >= 0 && i < entries.count && entries[i].seq == seq ? i : nil
        }
    }
    private let entries = Mutex(Entries())
    private let limit: Atomic<Int>

    init(limit: Int) { self.limit = Atomic(max(1, limit)) }

    /// Logs `r` and returns its `seq`.
    func append(_ r: LoggedRequest) -> Int {
        let limit = limit.load(ordering: .relaxed)
        return entries.withLock { l in
            var r = r
            r.seq = l.nextSeq
            l.nextSeq += 1
            l.entries.append(r)
            // dropped in batches, so appending stays amortised O(1)
            if l.entries.count > limit + limit / 4 + 16 {
                let drop = l.entries.count - limit
                l.entries.removeFirst(drop)
                l.firstSeq += drop
            }
            return r.seq
        }
    }

    func setStatus(seq: Int, _ status: Int) {
        entries.withLock { l in
            if let i = l.index(seq) { l.entries[i].status = status }
        }
    }

    func noteEffect(seq: Int, _ effect: String) {
        entries.withLock { l in
            if let i = l.index(seq) { l.entries[i].effect = effect }
        }
    }

    /// The requests after `since`, of one vendor when given.
    func requests(vendor: String?, since: Int) -> [LoggedRequest] {
        entries.withLock { l in
            l.entries.filter { $0.seq > since && (vendor == nil || $0.vendor == vendor) }
        }
    }

    func clear() {
        entries.withLock { l in
            l.entries.removeAll()
            l.firstSeq = l.nextSeq
        }
    }

    /// Cleared, keeping the newest `limit` from now on.
    func reset(limit newLimit: Int) {
        limit.store(max(1, newLimit), ordering: .relaxed)
        clear()
    }
}
