import Crypto
import ErasureHost
import Foundation
import LuaBridge

/// Every plugin file found, loaded into one runtime (each in its own environment) and checked.
package struct PluginCatalog: Sendable {
    package var specs: [String: PluginSpec] = [:]
    /// Problems per file (syntax errors, bad metadata, duplicate names).
    package var problems: [String: [PluginProblem]] = [:]
    /// Two files of one folder declaring the same name: which one was meant cannot be guessed, so
    /// nothing runs (exit 2) until one is renamed or removed. One line per pair.
    package var conflicts: [String] = []
    package var files: [String] = []

    /// The problems of the file that is probably plugin `name` (by file name).
    package func problems(forName name: String) -> [PluginProblem]? {
        problems.first { URL(fileURLWithPath: $0.key).deletingPathExtension().lastPathComponent == name }?.value
    }

    package static func load(into lua: LuaRuntime, locator: PluginLocator, files explicit: [String]? = nil) async throws -> PluginCatalog {
        var catalog = PluginCatalog()
        catalog.files = explicit ?? locator.pluginFiles()
        var origin: [String: String] = [:]
        for path in catalog.files {
            switch await loadOne(path: path, into: lua) {
            case .failure(let problems):
                catalog.problems[path] = problems.list
            case .success(let spec):
                if let first = origin[spec.name] {
                    // An earlier folder of the search path overrides a later one (allowed, and
                    // shown by `plugins list`); two files of one folder are a conflict.
                    guard Self.folder(of: first) == Self.folder(of: path) else {
                        catalog.specs[spec.name]?.overrides.append(path)
                        continue
                    }
                    let conflict = "\(displayPath(first)) and \(displayPath(path)) both declare the plugin \(spec.name): rename or remove one"
                    catalog.conflicts.append(conflict)
                    catalog.problems[path] = [PluginProblem(
                        file: displayPath(path), line: PluginValidator.line(of: "name", in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""),
                        message: conflict)]
                    continue
                }
                origin[spec.name] = path
                catalog.specs[spec.name] = spec
            }
        }
        return catalog
    }

    static func folder(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
    }

    package static func loadOne(path: String, into lua: LuaRuntime) async -> Result<PluginSpec, PluginProblems> {
        let file = displayPath(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(PluginProblems([PluginProblem(file: file, line: nil, message: "cannot read the file")]))
        }
        let source = String(decoding: data, as: UTF8.self)
        let env = await lua.newEnvironment(name: file)
        // A plugin reaches the host only through `ctx` (Contract 1): no raw host module.
        try? await lua.setGlobal("__erasure", .nil, in: env)
        let results: [LuaValue]
        do {
            results = try await lua.load([UInt8](data), chunkName: file, in: env)
        } catch let error as LuaError {
            return .failure(PluginProblems([problem(from: error, file: file)]))
        } catch {
            return .failure(PluginProblems([PluginProblem(file: file, line: nil, message: "\(error)")]))
        }
        return PluginValidator.validate(results.first ?? .nil, path: path, source: source)
    }

    /// A Lua error message "file:line: text" as a located problem.
    package static func problem(from error: LuaError, file: String) -> PluginProblem {
        let message = error.message
        if message.hasPrefix(file + ":") {
            let rest = message.dropFirst(file.count + 1)
            let digits = rest.prefix { $0.isNumber }
            if let line = Int(digits), rest.dropFirst(digits.count).hasPrefix(":") {
                return PluginProblem(file: file, line: line,
                                     message: String(rest.dropFirst(digits.count + 1)).trimmingCharacters(in: .whitespaces))
            }
        }
        return PluginProblem(file: file, line: nil, message: message)
    }
}

extension PluginSpec {
    /// The plugin's `config` table as the config loader's schema.
    public var schema: ConfigSchema {
        var keys: [String: KeySpec] = [:]
        for key in config {
            let type: ConfigValueType
            switch key.kind {
            case .string?: type = .string
            case .integer?: type = .integer
            case .number?: type = .number
            case .boolean?: type = .boolean
            case .list?: type = .stringArray
            case nil:
                switch key.defaultValue {
                case .integer?: type = .integer
                case .number?: type = .number
                case .boolean?: type = .boolean
                case .table?: type = .stringArray
                default: type = .string
                }
            }
            keys[key.name] = KeySpec(required: key.required, secret: key.secret,
                                     default: key.defaultValue.flatMap(LuaConv.toConfig), type: type)
        }
        return ConfigSchema(keys: keys)
    }
}

extension PluginSpec {
    /// What the plugin sees as `ctx.config`: the resolved values (common keys included), and the
    /// schema's defaults for keys the config does not set.
    func luaConfig(_ resolved: ResolvedVendorConfig) -> LuaTable {
        var table = LuaTable()
        for (k, v) in resolved.values { table.hash[LuaConv.s(k)] = LuaConv.fromConfig(v) }
        for key in config where table.hash[LuaConv.s(key.name)] == nil {
            if let d = key.defaultValue { table.hash[LuaConv.s(key.name)] = d }
        }
        return table
    }

    /// The message of the plugin's `validate(config)` when it refuses the config; nil when it
    /// accepts it or has no `validate`.
    func validationProblem(_ config: LuaTable, in lua: LuaRuntime) async throws -> String? {
        guard hasValidate, case .function(let validate)? = LuaConv.field(table, "validate") else { return nil }
        return LuaConv.string(try await lua.call(validate, [.table(config)]).first)
    }
}
