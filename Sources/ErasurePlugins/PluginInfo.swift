import ErasureHost
import Foundation
import LuaBridge

/// What `erasure plugins list | check | show` report: every plugin found, its problems, and
/// whether the config sets it up correctly. Loads plugins without sending anything.
public struct PluginInfo: Sendable {
    public struct Plugin: Sendable {
        public var spec: PluginSpec
        /// The configured vendors that use it (`[vendors.NAME]` tables named like it, or naming it
        /// with `plugin = "…"`), sorted.
        public var vendors: [String]
        public var configured: Bool { !vendors.isEmpty }
        public var configProblems: [String]
        /// Where the file came from: "./plugins", "$ERASURE_PLUGIN_PATH", "shipped" (with erasure),
        /// or "given" (a file named on the command line).
        public var source: String
        /// The source of each file of `spec.overrides`, in the same order.
        public var overriddenSources: [String]
        public var file: String { displayPath(spec.path) }
        /// How a deletion is checked afterwards (the plugin's `verify`), in words.
        public var verification: String {
            switch spec.verification {
            case .lookup: return "by a lookup afterwards"
            case .function: return "by the plugin's verify function"
            case .skip(let why): return "not checked: \(why)"
            }
        }
        /// "overrides the shipped plugin FILE, …" when files later in the search path declare the
        /// same name; nil otherwise.
        public var overrideNote: String? {
            spec.overrides.isEmpty ? nil : "overrides " + zip(spec.overrides, overriddenSources).map { path, source in
                (source == "shipped" ? "the shipped plugin " : "") + displayPath(path)
            }.joined(separator: ", ")
        }
        public var actions: String {
            Action.allCases.filter { spec.actions.contains($0) }.map(\.rawValue).joined(separator: ", ")
        }
        public var json: String {
            JSONText.object([
                ("name", JSONText.string(spec.name)), ("version", JSONText.string(spec.version)),
                ("description", JSONText.string(spec.description)), ("file", JSONText.string(file)),
                ("source", JSONText.string(source)),
                ("actions", JSONText.array(Action.allCases.filter { spec.actions.contains($0) }.map { JSONText.string($0.rawValue) })),
                ("identity", JSONText.array(spec.identity.map(JSONText.string))),
                ("config", JSONText.array(spec.config.map { k in
                    JSONText.object([("name", JSONText.string(k.name)), ("required", k.required ? "true" : "false"),
                                     ("secret", k.secret ? "true" : "false")])
                })),
                ("verification", JSONText.string(verification)),
                ("configured", configured ? "true" : "false"),
                ("vendors", JSONText.array(vendors.map(JSONText.string))),
                ("overrides", JSONText.array(spec.overrides.map { JSONText.string(displayPath($0)) })),
            ])
        }
    }

    public var plugins: [Plugin]
    /// Problems per file path (display form).
    public var problems: [String: [PluginProblem]]
    /// Vendor tables of the config whose plugin was not found (one line each).
    public var unknownVendors: [String] = []

    public static func inspect(configPath explicit: String?, files: [String]?,
                               locator: PluginLocator = .standard()) async throws -> PluginInfo {
        let lua = try LuaRuntime(limits: LuaLimits(memoryBytes: 256 << 20, instructionBudget: 50_000_000, deadline: .seconds(30)))
        let paths = files?.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        if let paths {
            for p in paths where !FileManager.default.fileExists(atPath: p) { throw SetupError("\(p): no such file") }
        }
        let catalog = try await PluginCatalog.load(into: lua, locator: locator, files: paths)
        let configPath = ConfigFile.locate(explicit: explicit)
        var config: ConfigFile?
        if FileManager.default.fileExists(atPath: configPath) {
            do { config = try ConfigFile.load(path: configPath) } catch { throw SetupError("\(error)") }
        } else if explicit != nil {
            throw SetupError("no config file at \(configPath)")
        }
        var plugins: [Plugin] = []
        for spec in catalog.specs.values.sorted(by: { $0.name < $1.name }) {
            let vendors = config?.vendorNames.filter { config?.plugin(of: $0) == spec.name } ?? []
            var problems: [String] = []
            for vendor in vendors {
                do {
                    let resolved = try config!.resolve(vendor: vendor, schema: spec.schema)
                    if let message = try await spec.validationProblem(spec.luaConfig(resolved), in: lua) {
                        problems.append("\(displayPath(configPath)): [vendors.\(vendor)]: \(message)")
                    }
                } catch {
                    problems.append("\(error)")
                }
            }
            plugins.append(Plugin(spec: spec, vendors: vendors, configProblems: problems,
                                  source: locator.source(of: spec.path), overriddenSources: spec.overrides.map(locator.source)))
        }
        var byFile: [String: [PluginProblem]] = [:]
        for (path, list) in catalog.problems { byFile[path] = list }
        var info = PluginInfo(plugins: plugins, problems: byFile)
        // Only when every plugin was looked at: checking one file says nothing of the others.
        if files == nil, let config {
            do { try config.checkVendors(known: catalog.specs.keys) } catch {
                info.unknownVendors = "\(error)".split(separator: "\n").map(String.init)
            }
        }
        return info
    }

    public static func describe(_ v: LuaValue) -> String {
        switch v {
        case .string(let s): return "\"\(s.string ?? "")\""
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .boolean(let b): return b ? "true" : "false"
        case .table(let t): return "{" + t.array.map(describe).joined(separator: ", ") + "}"
        default: return "…"
        }
    }
}
