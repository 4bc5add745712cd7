import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation
import LuaBridge

/// The engines of one plugin test (a real one and a dry-run one, each made on first use), pointed
/// at the mock vendor: base_url is the mock's origin (or a path on it), it is the only origin any
/// request may reach (any other `…url` key given as a path is on it too), retry waits are recorded
/// not spent, and `timeout` is 1 s unless the mock's `config` says otherwise. Config values go through `env:` references, as an operator's would.
actor EngineCache {
    private var engines: [Bool: (engine: Engine, clock: RecordingClock)] = [:]
    private var mockURL = ""
    private var folder: URL?

    func serve(at url: String) { mockURL = url }

    /// Shuts the engines down: the next test starts afresh (ctx.state empty).
    func reset() async {
        for (_, e) in engines { await e.engine.shutdown() }
        engines = [:]
        if let folder { try? FileManager.default.removeItem(at: folder) }
        folder = nil
    }

    /// kit.lua's run(action, user, opts, config) → the outcome as a table.
    func run(_ args: [LuaValue], plugin: String, folder pluginFolder: String) async throws -> LuaValue {
        guard let actionText = LuaConv.string(args.first), let action = Action(rawValue: actionText) else {
            throw HostError("run(action, user): action must be \"lookup\", \"delete\" or \"suspend\"")
        }
        let user = Dictionary(try LuaConv.stringPairs(args.count > 1 ? args[1] : nil, what: "run: user"), uniquingKeysWith: { a, _ in a })
        let dryRun = LuaConv.bool(LuaConv.field(args.count > 2 ? args[2] : nil, "dry_run")) ?? false
        let (engine, clock) = try await engine(dryRun: dryRun, plugin: plugin, pluginFolder: pluginFolder,
                                               config: args.count > 3 ? args[3] : .nil)
        let waited = clock.waits.count
        let outcome: Outcome
        do {
            outcome = try await Runner(engine: engine).single(vendor: plugin, action: action, user: user,
                                                              journalPath: nil, argv: []).get()
        } catch {
            throw HostError("run: \(error)")
        }
        return Self.table(outcome, waits: Array(clock.waits.dropFirst(waited)))
    }

    private func engine(dryRun: Bool, plugin: String, pluginFolder: String, config: LuaValue) async throws
        -> (Engine, RecordingClock)
    {
        if let e = engines[dryRun] { return e }
        let dir = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("erasure-kit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        folder = dir
        var values = try LuaConv.stringPairs(config, what: "the mock vendor's config")
        var base = mockURL
        if let i = values.firstIndex(where: { $0.0 == "base_url" }) {
            let given = values.remove(at: i).1
            guard given.hasPrefix("/") else {
                throw HostError("the mock vendor's config: base_url is the mock's own; give only its path (\"/api/v1\"), not \(given)")
            }
            base += given
        }
        if !values.contains(where: { $0.0 == "timeout" }) { values.append(("timeout", "1")) }
        // Other URLs given as a path ("/connect/token") are on the mock too.
        values = values.map { key, value in
            key.hasSuffix("url") && value.hasPrefix("/") ? (key, mockURL + value) : (key, value)
        }
        var toml = "[vendors.\(plugin)]\nbase_url = \"\(base)\"\n"
        var environment: [String: String] = [:]
        for (i, (key, value)) in values.enumerated() {
            toml += "\(key) = \"env:ERASURE_KIT_\(i)\"\n"
            environment["ERASURE_KIT_\(i)"] = value
        }
        let configPath = dir.appendingPathComponent("erasure.toml").path
        try toml.write(toFile: configPath, atomically: true, encoding: .utf8)
        var options = EngineOptions()
        options.configPath = configPath
        options.dryRun = dryRun
        options.locator = PluginLocator(folders: [pluginFolder])
        options.environment = environment
        options.concurrency = 4
        options.logLevel = .critical
        let clock = RecordingClock()
        options.clock = clock
        options.confinedTo = Set([Origin(url: mockURL)].compactMap { $0 })
        let engine: Engine
        do { engine = try await Engine.start(options, needed: [plugin]) } catch {
            throw HostError("\(error)")
        }
        engines[dryRun] = (engine, clock)
        return (engine, clock)
    }

    static func table(_ o: Outcome, waits: [Double]) -> LuaValue {
        var t: [String: LuaValue] = [
            "outcome": LuaConv.s(o.kind.rawValue), "message": LuaConv.s(o.message), "retryable": .boolean(o.retryable),
            "waits": LuaConv.array(waits.map { .number($0) }),
            "requests": LuaConv.array(o.requests.map { r in
                var fields: [String: LuaValue] = ["method": LuaConv.s(r.method), "url": LuaConv.s(r.url)]
                if let s = r.status { fields["status"] = .integer(Int64(s)) }
                if let b = r.body { fields["body"] = LuaConv.s(b) }
                return LuaConv.table(fields)
            }),
        ]
        if let id = o.vendorID { t["vendor_id"] = LuaConv.s(id) }
        if let s = o.httpStatus { t["http_status"] = .integer(Int64(s)) }
        if let v = o.verified { t["verified"] = .boolean(v) }
        if let how = o.verification { t["verification"] = LuaConv.s(how) }
        if let json = o.recordJSON, let record = try? JSON.decode(json) { t["record"] = record }
        return LuaConv.table(t)
    }
}
