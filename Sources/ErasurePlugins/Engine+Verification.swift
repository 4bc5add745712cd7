import ErasureHost
import LuaBridge

extension Engine {
    /// A deletion the vendor confirmed, checked as the plugin declares (`Verification`), with the
    /// same context: the check's requests are part of the outcome and so of its receipt. Gone
    /// afterwards: verified. Still there: `failed` — the vendor's answer was not the truth. The
    /// check impossible (declared so, or its lookup failed): `deleted` with `verified: false`.
    func verify(_ o: inout Outcome, spec: PluginSpec, user: [String: String], context actx: ActionContext) async {
        let function: String, check: String
        switch spec.verification {
        case .skip(let reason):
            o.markVerified(false, reason)
            return
        case .lookup: (function, check) = ("lookup", "lookup")
        case .function: (function, check) = ("verify", "check")
        }
        // A failure is explained by the vendor's answer to the deletion, not by the check's.
        let answer = actx.lastResponse.current
        defer { actx.lastResponse.withLock { $0 = answer } }
        var result: [String: LuaValue] = ["outcome": LuaConv.s(o.kind.rawValue), "message": LuaConv.s(o.message)]
        if let id = o.vendorID { result["vendor_id"] = LuaConv.s(id) }
        do {
            let results = try await lua.call(invoke, [LuaConv.s(o.vendor), LuaConv.s(function), LuaConv.strings(user),
                                                      function == "verify" ? LuaConv.table(result) : .nil],
                                             context: actx)
            let found = results.first ?? .nil
            switch found {
            case .nil, .null:
                // A verify function may say what it saw (a vendor whose "delete" deactivates).
                let seen = function == "verify" ? results.dropFirst().first.flatMap(LuaConv.string) : nil
                o.markVerified(true, seen ?? "a \(check) afterwards no longer finds them")
            case .table:
                o.kind = .failed
                o.retryable = true
                o.message = "\(o.vendor) said the person was deleted (\(o.message)), but a \(check) afterwards still finds them"
            default:
                o.markVerified(false, "\(displayPath(spec.path)): \(function) returned \(PluginValidator.typeName(found)), not a record or nil")
            }
        } catch {
            let why = (error as? LuaError).flatMap { LuaConv.string(LuaConv.field($0.value, "message")) ?? $0.message } ?? "\(error)"
            o.markVerified(false, "the \(check) afterwards failed: \(why)")
        }
    }
}
