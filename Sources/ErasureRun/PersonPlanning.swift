import ErasureHost
import ErasurePlugins
import Foundation

/// A person's side of a plan. Making one (`recording`): what each vendor's lookup saw, so the plan
/// holds the hash of the record its deletion was decided on. Applying one (`applying`): the
/// lookup's record is compared with the plan's, and only the plan's requests may be sent.
public final class PersonPlanning: Sendable {
    /// The plan's entry for this person when applying; nil when making the plan.
    let planned: PlannedPerson?
    /// vendor → what this run's lookup saw.
    private let seen = Locked<[String: (lookup: PlannedVendor.Lookup, sha: String?)]>([:])

    public static func recording() -> PersonPlanning { PersonPlanning(planned: nil) }
    public static func applying(_ person: PlannedPerson) -> PersonPlanning { PersonPlanning(planned: person) }

    private init(planned: PlannedPerson?) { self.planned = planned }

    /// A lookup found the person: `recordJSON` is the record as the engine encodes it (sorted
    /// keys, secrets redacted), so the same record hashes the same in plan and apply.
    func found(_ vendor: String, recordJSON: String?) {
        let sha = (recordJSON ?? "").sha256Hex
        seen.withLock { $0[vendor] = (.found, sha) }
    }

    func saw(_ vendor: String, _ lookup: PlannedVendor.Lookup) {
        seen.withLock { $0[vendor] = (lookup, nil) }
    }

    /// Applying: why this vendor's mutations are not sent (its record changed since the plan), or nil.
    func changed(_ vendor: String) -> String? {
        guard let planned, let now = seen.current[vendor], now.lookup == .found else { return nil }
        guard let then = planned.vendor(vendor), then.lookup == .found else {
            let plannedSaw = planned.vendor(vendor)?.lookup == .failed ? "the plan's lookup at \(vendor) failed"
                : "the plan did not find the person at \(vendor)"
            return "changed since plan: \(plannedSaw), now they are there; nothing was sent"
        }
        return then.recordSHA256 == now.sha ? nil
            : "changed since plan: \(vendor)'s record differs from the one planned; nothing was sent"
    }

    /// Applying: the check the HTTP engine runs on each mutation of this step.
    func check(_ vendor: String, _ action: Action) -> MutationCheck? {
        guard let planned else { return nil }
        let plan = planned.vendor(vendor)
        return { request in
            plan?.holds(request, action: action) == true ? nil
                : "changed since plan: \(request.method) \(request.url) is not in the plan; nothing was sent"
        }
    }

    /// Making the plan: each vendor of the person, from the outcomes the dry run reported.
    func vendors(_ applicable: [String], outcomes: [Outcome]) -> [PlannedVendor] {
        let seen = self.seen.current
        return applicable.map { v in
            var lookup = seen[v]?.lookup ?? .none
            var steps: [PlannedStep] = []
            for o in outcomes where o.vendor == v {
                if o.action == .lookup {
                    if o.kind == .notFound { lookup = .notFound } else if o.kind == .failed { lookup = .failed }
                    continue
                }
                steps.append(PlannedStep(
                    action: o.action.rawValue, outcome: o.kind.rawValue, message: o.message,
                    requests: o.kind == .planned ? o.requests.map { PlannedRequest(method: $0.method, url: $0.url, body: $0.body) } : []))
            }
            return PlannedVendor(vendor: v, lookup: lookup, recordSHA256: seen[v]?.sha, steps: steps)
        }
    }
}
