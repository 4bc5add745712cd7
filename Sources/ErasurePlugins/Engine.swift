import ErasureHost
import Foundation
import Logging
import LuaBridge

public struct EngineOptions: Sendable {
    public var configPath: String?
    public var dryRun = false
    public var locator = PluginLocator.standard()
    /// HTTP connections per vendor host: the most requests in flight at once.
    public var concurrency = 16
    /// Every Lua call's limits; `deadline` applies to the calls that are not plugin actions or
    /// workflows (loading, installing).
    public var limits = LuaLimits(memoryBytes: 512 << 20, instructionBudget: 500_000_000, deadline: .seconds(60))
    /// A plugin action's deadline when its vendor's table sets no `action_timeout`.
    public var actionTimeout: Duration = .seconds(60)
    public var environment = ProcessInfo.processInfo.environment
    public var logLevel: Logger.Level = .warning
    /// The clock retry waits run on (plugin tests record them instead of spending them).
    public var clock: any RetryClock = SystemClock()
    /// When set, the only origins any plugin may reach, whatever its `hosts` and base_url say
    /// (plugin tests: the mock vendor's loopback origin).
    public var confinedTo: Set<Origin>?
    /// `--record DIR`: saves every answered request/answer pair, redacted (nil: no recording).
    public var fixtures: FixtureRecorder?

    public init() {}
}

/// The state of one (user, vendor, action) while its plugin runs: the `context` of its Lua call.
final class ActionContext: Sendable {
    let vendor: String
    let action: Action
    /// The identity the plugin was given: whose `ctx.state` this action reads and writes.
    let user: [String: String]
    let recorder = ActionRecorder()
    let lastResponse = Locked<HTTPResponseData?>(nil)
    /// Called before a request that mutates leaves (the journal makes `sent` durable there).
    let beforeMutating: (@Sendable () async throws -> Void)?
    /// Applying a plan: why a mutation is not in it (nil: it is). A refused one is not sent and
    /// the step ends `skipped` with that reason.
    let planCheck: MutationCheck?
    /// The reason of the first mutation `planCheck` refused.
    let notPlanned = Locked<String?>(nil)

    init(vendor: String, action: Action, user: [String: String],
         beforeMutating: (@Sendable () async throws -> Void)? = nil, planCheck: MutationCheck? = nil) {
        self.vendor = vendor
        self.action = action
        self.user = user
        self.beforeMutating = beforeMutating
        self.planCheck = planCheck
    }

    /// What the HTTP engine calls for each mutation when a plan is applied.
    var admit: (@Sendable (PlannedRequest) throws -> Void)? {
        guard let planCheck else { return nil }
        return { [self] request in
            guard let reason = planCheck(request) else { return }
            notPlanned.withLock { $0 = $0 ?? reason }
            throw HostHTTPError(kind: .notPlanned, vendor: vendor, message: reason)
        }
    }
}

/// Applying a plan: nil when the plan holds this mutation, else why it is not sent.
public typealias MutationCheck = @Sendable (PlannedRequest) -> String?

/// Loads config and plugins into one Lua runtime, and runs plugin actions.
public final class Engine: Sendable {
    public let lua: LuaRuntime
    public let http: HTTPEngine
    public let redactor: Redactor
    public let dryRun: Bool
    /// The vendors of this run: the ones asked for, in that order, or every configured vendor sorted by name.
    public let vendors: [String]
    /// The plugin each vendor of this run uses, by vendor name (each vendor its own instance).
    public let plugins: [String: PluginSpec]
    /// Every plugin found and every configured vendor: what a `VENDOR.` scope may name at all.
    let knownNames: Set<String>
    public let configFingerprint: String
    public let configPath: String
    let configs: [String: ResolvedVendorConfig]
    let policies: [String: VendorHTTPPolicy]
    let oauth = OAuth2Registry()
    let invoke: LuaFunction
    package let runWorkflowFunction: LuaFunction
    package let workflowSkip: LuaFunction
    let logLevel: Logger.Level
    let defaultActionTimeout: Duration
    /// Where ctx.state is kept (`useStateStore`); a dry run's writes stay in `rehearsal`.
    let stateStore = Locked<any PluginStateStore>(MemoryStateStore())
    let rehearsal = MemoryStateStore()

    /// Loads the config and the plugins `needed` (nil: every configured vendor), checks both, and
    /// installs the plugins. Every problem is a `SetupError` (exit 2) before anything is sent.
    public static func start(_ options: EngineOptions, needed: [String]?) async throws -> Engine {
        let configPath = ConfigFile.locate(explicit: options.configPath, environment: options.environment)
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw SetupError("""
                no config file at \(configPath)
                  erasure reads --config FILE, else $ERASURE_CONFIG, else ./erasure.toml
                  to try erasure safely: erasure sandbox --print-config > erasure.toml (in another terminal)
                """)
        }
        let config: ConfigFile
        do { config = try ConfigFile.load(path: configPath) } catch { throw SetupError("\(error)") }

        let lua = try LuaRuntime(limits: options.limits)
        // The host module must exist before any environment is made (each copies the modules);
        // its functions reach the engine once it exists.
        let late = Locked<Engine?>(nil)
        await lua.register(module: "__erasure", Engine.hostModule(late))
        let runtime = try await RuntimeLua.load(into: lua)
        let catalog = try await PluginCatalog.load(into: lua, locator: options.locator)
        if !catalog.conflicts.isEmpty { throw SetupError(catalog.conflicts.joined(separator: "\n")) }
        let known = Set(catalog.specs.keys)

        // Which vendors: the ones asked for (each must have a config table and a plugin), or
        // every [vendors.X] table of the config (each must have a plugin). A vendor's plugin is
        // its table's `plugin`, else its own name.
        for name in needed ?? config.vendorNames where catalog.specs[config.plugin(of: name)] == nil {
            if let problems = catalog.problems(forName: config.plugin(of: name)) {
                throw SetupError("plugin \(config.plugin(of: name)) cannot be loaded:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
            }
        }
        let wanted: [String]
        if let needed {
            for name in needed where catalog.specs[config.plugin(of: name)] == nil {
                guard config.vendorNames.contains(name), config.plugin(of: name) != name else {
                    let names = known.union(config.vendorNames)
                    let hint = closestMatch(name, in: names).map { "; did you mean \($0)?" } ?? ""
                    throw SetupError("no plugin named \(name)\(hint) (known: \(names.sorted().joined(separator: ", "))); "
                                     + "plugins are read from \(options.locator.folders.joined(separator: ", "))")
                }
                do { try config.checkVendors(known: known) } catch { throw SetupError("\(error)") }
            }
            for name in needed where !config.vendorNames.contains(name) {
                let spec = catalog.specs[name]!
                let required = spec.config.filter(\.required).map(\.name)
                throw SetupError("vendor \(name) is not configured: add a [vendors.\(name)] table to \(configPath)"
                                 + (required.isEmpty ? "" : " with \(required.joined(separator: ", "))"))
            }
            wanted = needed
        } else {
            do { try config.checkVendors(known: known) } catch { throw SetupError("\(error)") }
            wanted = config.vendorNames
        }
        // Each vendor gets its own instance of its plugin (a plugin's module-level state, its
        // caches, never mixes two vendors' accounts): the vendor named like the plugin takes the
        // instance the catalog loaded, every other vendor of that plugin a fresh load of the file.
        var specs: [String: PluginSpec] = [:]
        for name in wanted {
            let plugin = config.plugin(of: name)
            let spec = catalog.specs[plugin]!
            guard plugin != name else { specs[name] = spec; continue }
            switch await PluginCatalog.loadOne(path: spec.path, into: lua) {
            case .success(var own):
                own.overrides = spec.overrides
                specs[name] = own
            case .failure(let problems):
                throw SetupError("plugin \(plugin) cannot be loaded for vendor \(name):\n"
                                 + problems.list.map { "  \($0)" }.joined(separator: "\n"))
            }
        }

        let redactor = Redactor()
        var configs: [String: ResolvedVendorConfig] = [:]
        var problems: [String] = []
        var literalSecrets: [String] = []
        var oldRetries: [String] = []
        for name in wanted {
            let spec = specs[name]!
            do {
                let resolved = try config.resolve(vendor: name, schema: spec.schema, environment: options.environment)
                resolved.registerSecrets(in: redactor)
                literalSecrets += resolved.literalSecretKeys.map { "\(name).\($0)" }
                if resolved.usesDeprecatedRetries { oldRetries.append(name) }
                configs[name] = resolved
            } catch {
                problems.append("\(error)")
            }
        }
        if !problems.isEmpty { throw SetupError(problems.joined(separator: "\n")) }
        // Every secret of the config is redacted, not only the vendors of this run: a vendor may
        // echo another's (best effort: a reference that cannot be read here is skipped).
        for name in config.vendorNames where configs[name] == nil {
            guard let spec = catalog.specs[config.plugin(of: name)] else { continue }
            (try? config.resolve(vendor: name, schema: spec.schema, environment: options.environment))?
                .registerSecrets(in: redactor)
        }
        if !literalSecrets.isEmpty && !config.sandbox {
            FileHandle.standardError.write(Data(("warning: secrets written as literals in \(displayPath(configPath)) "
                + "(\(literalSecrets.joined(separator: ", "))): prefer env:NAME or file:PATH\n").utf8))
        }
        if !oldRetries.isEmpty {
            FileHandle.standardError.write(Data(("warning: `retries` is deprecated (\(oldRetries.map { "[vendors.\($0)]" }.joined(separator: ", ")) "
                + "in \(displayPath(configPath))): rename it max_attempts (the same meaning: total tries, the first included)\n").utf8))
        }

        for name in wanted {
            let spec = specs[name]!
            for entry in VendorHTTPPolicy.invalidHostEntries(spec.hosts) {
                throw SetupError("\(displayPath(spec.path)): hosts: '\(entry)' is not a host: expected \"host\", \"host:port\" (https) or \"http(s)://host[:port]\"")
            }
        }
        let level = options.logLevel
        let http = HTTPEngine(concurrency: options.concurrency, logger: Logger(label: "erasure.http") { label in
            RedactingLogHandler(label: label, redactor: redactor, logLevel: level)
        }, clock: options.clock, fixtures: options.fixtures)
        var policies: [String: VendorHTTPPolicy] = [:]
        for name in wanted {
            policies[name] = configs[name]!.httpPolicy(pluginHosts: specs[name]!.hosts, dryRun: options.dryRun,
                                                       redactor: redactor, rateLimitHeaders: specs[name]!.rateLimitHeaders)
            if let only = options.confinedTo { policies[name] = policies[name]!.confined(to: only) }
        }
        let engine = Engine(lua: lua, http: http, redactor: redactor, dryRun: options.dryRun, vendors: wanted,
                            plugins: specs, knownNames: known.union(config.vendorNames), configs: configs, policies: policies,
                            fingerprint: Engine.fingerprint(configs), configPath: configPath,
                            runtime: runtime, logLevel: options.logLevel, actionTimeout: options.actionTimeout)
        late.withLock { $0 = engine }
        do {
            try await engine.installPlugins()
        } catch {
            try? await http.shutdown()
            throw error
        }
        return engine
    }

    private init(lua: LuaRuntime, http: HTTPEngine, redactor: Redactor, dryRun: Bool, vendors: [String],
                 plugins: [String: PluginSpec], knownNames: Set<String>, configs: [String: ResolvedVendorConfig],
                 policies: [String: VendorHTTPPolicy], fingerprint: String, configPath: String,
                 runtime: RuntimeLua, logLevel: Logger.Level, actionTimeout: Duration) {
        self.lua = lua
        self.http = http
        self.redactor = redactor
        self.dryRun = dryRun
        self.vendors = vendors
        self.plugins = plugins
        self.knownNames = knownNames
        self.configs = configs
        self.policies = policies
        self.configFingerprint = fingerprint
        self.configPath = configPath
        self.invoke = runtime.invoke
        self.runWorkflowFunction = runtime.runWorkflow
        self.workflowSkip = runtime.skip
        self.logLevel = logLevel
        self.defaultActionTimeout = actionTimeout
        self.install = runtime.install
    }

    private let install: LuaFunction

    static func fingerprint(_ configs: [String: ResolvedVendorConfig]) -> String {
        configs.keys.sorted().map { configs[$0]!.fingerprint }.joined(separator: ":").sha256Hex
    }

    private func installPlugins() async throws {
        for name in vendors {
            let spec = plugins[name]!
            let config = spec.luaConfig(configs[name]!)
            let problem: String?
            do { problem = try await spec.validationProblem(config, in: lua) } catch {
                throw SetupError("\(displayPath(spec.path)): validate failed: \(redactor.redact("\(error)"))")
            }
            if let problem { throw SetupError("\(configPath): [vendors.\(name)]: \(problem)") }
            _ = try await lua.call(install, [LuaConv.s(name), spec.table, .table(config), .boolean(dryRun)])
        }
    }

    /// Keeps ctx.state in `store` from now on (the run's journal).
    public func useStateStore(_ store: any PluginStateStore) {
        stateStore.withLock { $0 = store }
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: - actions

    /// The identity this vendor is given, or a usage error saying which keys it accepts.
    public func identity(for vendor: String, from identity: Identity) throws -> [String: String] {
        let spec = plugins[vendor]!
        let given = identity.forVendor(vendor, accepts: spec.identity)
        if given.isEmpty {
            let have = identity.flattened.keys.sorted()
            throw SetupError("\(vendor) needs one of these identity keys: \(spec.identity.joined(separator: ", "))"
                             + (have.isEmpty ? "" : " (given: \(have.joined(separator: ", ")))")
                             + "; e.g. erasure \(spec.actions.contains(.delete) ? "delete" : "suspend") \(vendor) \(spec.identity[0])=VALUE")
        }
        return given
    }

    /// How long one action of `vendor` may take: its table's `action_timeout`, else the default.
    public func actionTimeout(_ vendor: String) -> Duration {
        configs[vendor]?.actionTimeout.map { .nanoseconds(Int64($0 * 1e9)) } ?? defaultActionTimeout
    }

    /// Refuses an identity key (a CSV column, a KEY=VALUE argument) that reaches no vendor of this
    /// run: a typo would otherwise leave a vendor out without a word (a usage error, exit 2).
    public func checkIdentityKeys(_ keys: [String]) throws {
        try Identity.checkKeys(keys, accepted: Dictionary(uniqueKeysWithValues: vendors.map { ($0, plugins[$0]!.identity) }),
                               plugins: knownNames)
    }

    /// Runs one action of one plugin. Never throws: every problem becomes an outcome.
    /// Returns the outcome and, for a lookup that found the user, the record. The action ends at
    /// its vendor's action deadline, or sooner when the Lua call it acts for (a workflow's) has
    /// less time left.
    package func perform(vendor: String, action: Action, user: [String: String], record: LuaValue? = nil,
                         beforeMutating: (@Sendable () async throws -> Void)? = nil,
                         planCheck: MutationCheck? = nil) async -> (Outcome, LuaValue?) {
        let actx = ActionContext(vendor: vendor, action: action, user: user, beforeMutating: beforeMutating,
                                 planCheck: planCheck)
        var outcome = Outcome(vendor: vendor, action: action, kind: .failed, message: "", user: user, dryRun: dryRun)
        var found: LuaValue?
        var decidedByPlugin = false
        guard let spec = plugins[vendor], spec.actions.contains(action) else {
            outcome.message = "\(vendor) cannot \(action.rawValue): its plugin has no `\(action.rawValue)` function"
            return (outcome, nil)
        }
        let own = actionTimeout(vendor)
        let left = LuaCall.timeLeft
        let deadline = left.map { min($0, own) } ?? own
        do {
            let results = try await lua.call(invoke, [LuaConv.s(vendor), LuaConv.s(action.rawValue),
                                                     LuaConv.strings(user), record ?? .nil], context: actx,
                                              deadline: deadline)
            let result = results.first ?? .nil
            if action == .lookup {
                switch result {
                case .nil, .null:
                    outcome.kind = .notFound
                    outcome.message = "not at \(vendor)"
                case .table:
                    outcome.kind = .found
                    outcome.message = "found at \(vendor)"
                    outcome.recordJSON = (try? JSON.encode(result)).map { redactor.redact(String(decoding: $0, as: UTF8.self)) }
                    found = result
                default:
                    outcome.message = "\(displayPath(spec.path)): lookup must return a table or nil (got \(PluginValidator.typeName(result)))"
                }
            } else {
                decidedByPlugin = map(result, into: &outcome, spec: spec)
                if action == .delete, outcome.kind == .deleted, !dryRun {
                    await verify(&outcome, spec: spec, user: user, context: actx)
                }
            }
        } catch let error as LuaError {
            outcome.kind = .failed
            if case .table = error.value {
                outcome.message = LuaConv.string(LuaConv.field(error.value, "message")) ?? "\(error.message)"
                outcome.retryable = LuaConv.bool(LuaConv.field(error.value, "retryable")) ?? false
                outcome.interrupted = LuaConv.bool(LuaConv.field(error.value, "outcome_unknown")) ?? false
            } else {
                outcome.message = error.message
            }
            if error.kind == .deadline {
                outcome.message += left.map { $0 < own } == true
                    ? " (the workflow's deadline for this person came first)"
                    : " (the action deadline: \(String(format: "%g", own.seconds)) s, action_timeout in [vendors.\(vendor)])"
            }
        } catch {
            outcome.kind = .failed
            outcome.message = "\(error)"
        }
        finish(&outcome, actx, decidedByPlugin: decidedByPlugin)
        return (outcome, found)
    }

    /// Returns whether the plugin itself returned the outcome (false: its return was not one).
    @discardableResult
    private func map(_ result: LuaValue, into outcome: inout Outcome, spec: PluginSpec) -> Bool {
        guard case .table = result, let kindText = LuaConv.string(LuaConv.field(result, "outcome")),
              let kind = OutcomeKind(rawValue: kindText), kind != .found
        else {
            outcome.kind = .failed
            outcome.message = "\(displayPath(spec.path)): \(outcome.action.rawValue) must return { outcome = \"deleted\"|\"suspended\"|\"not_found\"|\"failed\", message = ... }"
            return false
        }
        outcome.kind = kind
        outcome.message = LuaConv.string(LuaConv.field(result, "message")) ?? ""
        outcome.vendorID = LuaConv.string(LuaConv.field(result, "vendor_id"))
        outcome.retryable = LuaConv.bool(LuaConv.field(result, "retryable")) ?? false
        if kind == .planned && !dryRun {
            outcome.kind = .failed
            outcome.message = "\(displayPath(spec.path)): returned planned outside a dry run"
            return false
        }
        return true
    }

    /// Dry-run planning, HTTP details and redaction, whatever the plugin said. The vendor's last
    /// answer is quoted in a failure's message unless the plugin itself returned `failed` after
    /// a 2xx: then the plugin decided, and the vendor did not fail.
    private func finish(_ o: inout Outcome, _ actx: ActionContext, decidedByPlugin: Bool) {
        let records = actx.recorder.records
        // A mutating request left without an answer may have taken effect all the same (in a dry
        // run none is sent).
        if o.action.isMutating, records.contains(where: \.outcomeUnknown) { o.interrupted = true }
        if dryRun, actx.recorder.hasPlanned, o.kind != .failed {
            o.kind = .planned
            let n = records.filter(\.planned).count
            o.message = "dry run: \(n) request\(n == 1 ? "" : "s") held back"
        }
        // Every attempt sent is on the receipt, answered or not: one that got no answer may still
        // have acted at the vendor.
        o.requests = o.kind == .planned ? records.filter(\.planned) : records.filter { !$0.planned }
        if o.kind == .failed, let last = actx.lastResponse.current {
            o.httpStatus = last.status
            let excerpt = last.excerpt(redactor: redactor)
            o.excerpt = excerpt
            if !excerpt.isEmpty, !o.message.contains(excerpt.prefix(40)), !(decidedByPlugin && last.isSuccess) {
                o.message += " — \(o.vendor) answered HTTP \(last.status): \(excerpt)"
            }
        }
        if let reason = actx.notPlanned.current {
            // Whatever the plugin made of the refusal: nothing past the plan was sent.
            o.kind = .skipped
            o.message = reason
            o.retryable = false
            o.interrupted = false
            o.httpStatus = nil
            o.excerpt = nil
        }
        if o.kind == .failed && o.message.isEmpty { o.message = "failed without a message" }
        o.message = redactor.redact(o.message)
        o.vendorID = o.vendorID.map(redactor.redact)
    }
}
