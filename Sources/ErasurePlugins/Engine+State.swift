import ErasureHost
import LuaBridge

/// ctx.state.get / ctx.state.set: a plugin's values for the person whose action runs, at its own
/// vendor only (the action's context names both), as JSON in the engine's state store.
extension Engine {
    func hostStateGet(_ args: [LuaValue], _ context: (any Sendable)?) async throws -> [LuaValue] {
        let (actx, key) = try stateCall(args, context, "get")
        let text: String?
        if dryRun, let planned = rehearsal.lookup(vendor: actx.vendor, person: actx.user, key: key) {
            text = planned
        } else {
            text = try await stateStore.current.get(vendor: actx.vendor, person: actx.user, key: key)
        }
        guard let text else { return [.nil] }
        return [try JSON.decode(text)]
    }

    func hostStateSet(_ args: [LuaValue], _ context: (any Sendable)?) async throws -> [LuaValue] {
        let (actx, key) = try stateCall(args, context, "set")
        var text: String?
        if args.count >= 2, args[1] != .nil {
            do { text = try JSON.encodeString(args[1]) } catch {
                throw HostError("ctx.state.set: the value of \(key) must be a string, number, boolean or table of them (\(error))")
            }
        }
        let store: any PluginStateStore = dryRun ? rehearsal : stateStore.current
        try await store.set(vendor: actx.vendor, person: actx.user, key: key, value: text)
        return []
    }

    private func stateCall(_ args: [LuaValue], _ context: (any Sendable)?, _ what: String) throws -> (ActionContext, String) {
        guard let actx = context as? ActionContext else { throw HostError("ctx.state can only be used inside a plugin action") }
        guard let key = LuaConv.string(args.first), !key.isEmpty else {
            throw HostError("ctx.state.\(what): the key must be a non-empty string")
        }
        return (actx, key)
    }
}
