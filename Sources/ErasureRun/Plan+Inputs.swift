import ErasureHost
import ErasurePlugins
import Foundation

extension Plan {
    /// A plan of `people` made now by `workflow` over `input` (a CSV path, nil for KEY=VALUE):
    /// its inputs are what apply checks before sending anything.
    public static func made(by workflow: Workflow, input: String?, people: [PlannedPerson],
                            problems: [InputProblem], now: Date = Date()) -> Plan {
        let engine = workflow.engine
        return Plan(
            createdAt: ISO8601DateFormatter().string(from: now),
            workflow: FileRef(path: absolute(workflow.path), sha256: Digest.file(workflow.path)),
            params: workflow.params,
            input: input.map { FileRef(path: $0 == "-" ? "-" : absolute($0), sha256: Digest.file($0)) },
            config: ConfigRef(path: absolute(engine.configPath), fingerprint: engine.configFingerprint),
            plugins: pluginRefs(engine), people: people, problems: problems)
    }

    static func pluginRefs(_ engine: Engine) -> [PluginRef] {
        engine.vendors.sorted().map { v in
            let spec = engine.plugins[v]!
            return PluginRef(name: v, version: spec.version, sha256: Digest.file(spec.path))
        }
    }

    public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    public var created: Date? { ISO8601DateFormatter().date(from: createdAt) }

    /// What changed since the plan was made that forbids applying it (its workflow file, a
    /// plugin, the config) or that it is older than `maxAge`: one line each; empty when it may
    /// be applied with this engine.
    public func refusals(engine: Engine, maxAge: TimeInterval, now: Date = Date()) -> [String] {
        var out: [String] = []
        if format != Plan.format { out.append("the plan's format is \(format); this erasure reads format \(Plan.format)") }
        if let made = created {
            let age = now.timeIntervalSince(made)
            if age > maxAge {
                out.append("the plan is \(Self.duration(age)) old (made \(createdAt)); --max-age is \(Self.duration(maxAge)): make a new plan")
            }
        } else {
            out.append("the plan's creation time '\(createdAt)' is not a date")
        }
        let now = Digest.file(workflow.path)
        if now != workflow.sha256 {
            out.append(now == nil ? "the workflow \(workflow.path) cannot be read any more"
                : "the workflow \(workflow.path) changed since the plan (SHA-256 \(Self.short(workflow.sha256)) then, \(Self.short(now)) now)")
        }
        if config.fingerprint != engine.configFingerprint {
            out.append("the config changed since the plan (\(config.path) then, \(engine.configPath) now: its vendors or their non-secret values differ)")
        }
        let current = Dictionary(uniqueKeysWithValues: Self.pluginRefs(engine).map { ($0.name, $0) })
        for then in plugins {
            guard let now = current[then.name] else {
                out.append("vendor \(then.name) is in the plan but not configured now")
                continue
            }
            if now.version != then.version || now.sha256 != then.sha256 {
                out.append("plugin \(then.name) changed since the plan (version \(then.version), SHA-256 \(Self.short(then.sha256)) then; "
                           + "version \(now.version), \(Self.short(now.sha256)) now)")
            }
        }
        for name in current.keys.sorted() where !plugins.contains(where: { $0.name == name }) {
            out.append("vendor \(name) is configured now but was not when the plan was made")
        }
        return out
    }

    static func short(_ sha: String?) -> String { sha.map { String($0.prefix(12)) + "…" } ?? "none" }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s >= 3600 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        if s >= 60 { return "\(s / 60) min \(s % 60) s" }
        return "\(s) s"
    }
}
