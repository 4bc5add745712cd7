import LuaBridge

/// The run a workflow's Lua call belongs to: what its vendor handles (`vendor:lookup()`,
/// `vendor:delete(record)`, …) and `skip()` reach. The run layer implements it; the `ctx`
/// host functions only ever see this protocol, so plugins know nothing of runs or journals.
package protocol WorkflowCallContext: Sendable {
    /// `vendor:lookup|delete|suspend(...)`: (vendor, action, identity, record, reason) from Lua.
    func act(engine: Engine, _ args: [LuaValue]) async throws -> [LuaValue]
    /// `skip(reason)` (every vendor not yet decided) or `vendor:skip(reason)`.
    func skip(vendor: String?, reason: String)
}
