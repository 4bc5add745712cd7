import ErasureHost
import ErasurePlugins
import Foundation
import LuaBridge

/// A workflow file loaded into the engine's runtime, run once per person.
public final class Workflow: Sendable {
    public let path: String
    public let description: String
    let run: LuaFunction
    let engine: Engine
    let params: [String: String]

    public static func load(path: String, engine: Engine, params: [String: String]) async throws -> Workflow {
        let file = displayPath(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw SetupError("\(file): cannot read the workflow") }
        let env = await engine.lua.newEnvironment(name: file)
        // Its globals besides Lua's safe library: skip(reason), and no raw host module.
        try await engine.lua.setGlobal("__erasure", .nil, in: env)
        try await engine.lua.setGlobal("skip", .function(engine.workflowSkip), in: env)
        let result: [LuaValue]
        do { result = try await engine.lua.load([UInt8](data), chunkName: file, in: env) } catch let e as LuaError {
            throw SetupError(PluginCatalog.problem(from: e, file: file).description)
        }
        switch result.first {
        case .function(let f)?:
            return Workflow(path: path, description: "", run: f, engine: engine, params: params)
        case .table?:
            guard case .function(let f)? = LuaConv.field(result.first, "run") else {
                throw SetupError("\(file): a workflow returns function(person, vendors, params), or a table with `run = function(...)`")
            }
            return Workflow(path: path, description: LuaConv.string(LuaConv.field(result.first, "description")) ?? "",
                            run: f, engine: engine, params: params)
        default:
            throw SetupError("\(file): a workflow returns function(person, vendors, params), or a table with `run = function(...)`")
        }
    }

    init(path: String, description: String, run: LuaFunction, engine: Engine, params: [String: String]) {
        self.path = path
        self.description = description
        self.run = run
        self.engine = engine
        self.params = params
    }

    /// The vendors this person can be sent to: configured, and given an identity key they accept.
    public func applicableVendors(_ identity: Identity) -> [String] {
        engine.vendors.filter { v in !identity.forVendor(v, accepts: engine.plugins[v]!.identity).isEmpty }
    }

    /// How long the workflow may take for a person sent to `vendors`: time for three actions per
    /// vendor (a lookup, a deletion or suspension, a lookup again, as --resume does), each to its
    /// vendor's action deadline, at least a minute.
    public func personTimeout(vendors: [String]) -> Duration {
        max(.seconds(60), vendors.reduce(Duration.zero) { $0 + engine.actionTimeout($1) * 3 })
    }

    /// Runs the workflow for one person; every outcome goes to `emit` as it happens. The call ends
    /// at `timeout` (nil: `personTimeout(vendors:)`). `planning`: making or applying a plan.
    public func run(identity: Identity, line: Int?, hooks: (any StepHooks)?, planning: PersonPlanning? = nil,
                    timeout: Duration? = nil, emit: @escaping @Sendable (Outcome) async -> Void) async -> [Outcome] {
        let vendors = applicableVendors(identity)
        let deadline = timeout ?? personTimeout(vendors: vendors)
        var users: [String: [String: String]] = [:]
        for v in vendors { users[v] = identity.forVendor(v, accepts: engine.plugins[v]!.identity) }
        let person = PersonRun(identity: identity, line: line, applicable: vendors, users: users, hooks: hooks,
                               planning: planning, emit: emit)
        let specs = vendors.map { v -> LuaValue in
            LuaConv.table([
                "name": LuaConv.s(v),
                "identity": LuaConv.strings(users[v]!),
                "actions": LuaConv.table(Dictionary(uniqueKeysWithValues: engine.plugins[v]!.actions.map { ($0.rawValue, LuaValue.boolean(true)) })),
            ])
        }
        var personTable = identity.flattened.mapValues { LuaConv.s($0) }
        if let line { personTable["line"] = .integer(Int64(line)) }
        do {
            _ = try await engine.lua.call(engine.runWorkflowFunction,
                                          [.function(run), LuaConv.table(personTable), LuaConv.array(specs),
                                           LuaConv.strings(params)], context: person, deadline: deadline)
        } catch {
            var message: String
            if let e = error as? LuaError {
                message = LuaConv.string(LuaConv.field(e.value, "message")) ?? e.message
                if e.kind == .deadline {
                    message += " (the person's deadline: \(String(format: "%g", deadline.seconds)) s, --person-timeout)"
                }
            } else {
                message = "\(error)"
            }
            await person.add(Outcome(vendor: "workflow", action: .delete, kind: .failed,
                                        message: engine.redactor.redact(message), user: identity.flattened,
                                        dryRun: engine.dryRun))
        }
        await person.finish(dryRun: engine.dryRun)
        return person.outcomes
    }
}
