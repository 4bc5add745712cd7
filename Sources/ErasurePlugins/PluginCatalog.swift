import ErasureHost
import Foundation
import LuaBridge

/// A problem with a plugin file, located as precisely as we can: `file:line: message`.
public struct PluginProblem: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

public struct PluginProblems: Error, Sendable {
    public var list: [PluginProblem]
    public init(_ list: [PluginProblem]) { self.list = list }
}

/// One key of a plugin's `config` schema (Contract 1).
public struct ConfigKey: Sendable, Equatable {
    public enum Kind: String, Sendable { case string, integer, number, boolean, list }
    public var name: String
    public var required = false
    public var secret = false
    public var kind: Kind?
    public var defaultValue: LuaValue?
    public var doc: String?
}

/// How the host checks a deletion the vendor confirmed (the plugin's `verify` field).
public enum Verification: Sendable, Equatable {
    /// Look the person up again: `deleted` only when the lookup no longer finds them. The
    /// default for a plugin with `lookup` (`verify = "lookup"`).
    case lookup
    /// The plugin's own `verify(ctx, user, result)`: nil when the person is gone, the record
    /// still found otherwise (a lookup that must not trust a cache, say).
    case function
    /// Not checked, and why (`verify = { skip = "…" }`; a plugin without `lookup` cannot check):
    /// the outcome says `verified: false` and this reason.
    case skip(String)
}

/// What a plugin file declares, checked.
public struct PluginSpec: Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var path: String
    public var hosts: [String]
    public var config: [ConfigKey]
    public var identity: [String]
    public var actions: Set<Action>
    public var hasValidate: Bool
    public var verification: Verification
    /// The vendor's own rate-limit headers (`rate_limit = { remaining, reset, reset_is }`).
    public var rateLimitHeaders: RateLimitHeaders?
    /// The table the file returned (functions included), to install into the runtime.
    public var table: LuaValue
    /// Files of later folders of the search path declaring the same name, which this one overrides.
    public var overrides: [String] = []

    public func key(_ name: String) -> ConfigKey? { config.first { $0.name == name } }
    public var secretKeys: [String] { config.filter(\.secret).map(\.name) }
}

/// Finds plugin and workflow files: `./plugins`, then each folder of `$ERASURE_PLUGIN_PATH`, then
/// the plugins shipped with erasure (`../share/erasure/plugins` beside the executable, where
/// `scripts/install` puts them). An earlier folder's plugin overrides a later one's.
public struct PluginLocator: Sendable {
    public var folders: [String]
    /// The folder of the plugins shipped with erasure, when it is one of `folders`.
    public var shipped: String?
    /// `./plugins`, as it was resolved.
    public var local: String?

    public init(folders: [String], shipped: String? = nil, local: String? = nil) {
        self.folders = folders
        self.shipped = shipped
        self.local = local
    }

    public static func standard(cwd: String = FileManager.default.currentDirectoryPath,
                                environment: [String: String] = ProcessInfo.processInfo.environment,
                                executable: URL? = Bundle.main.executableURL) -> PluginLocator {
        let local = URL(fileURLWithPath: cwd).appendingPathComponent("plugins").standardizedFileURL.path
        var folders = [local]
        if let extra = environment["ERASURE_PLUGIN_PATH"] {
            folders += extra.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let shipped = executable.flatMap(shippedFolder(executable:))
        if let shipped, !folders.map(standardized).contains(shipped) { folders.append(shipped) }
        return PluginLocator(folders: folders, shipped: shipped, local: local)
    }

    /// `PREFIX/share/erasure/plugins` for an executable at `PREFIX/bin/erasure` (symbolic links
    /// followed), when that folder exists.
    public static func shippedFolder(executable: URL) -> String? {
        let folder = executable.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/erasure/plugins").standardizedFileURL.path
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue ? folder : nil
    }

    static func standardized(_ folder: String) -> String { URL(fileURLWithPath: folder).standardizedFileURL.path }

    /// Where a plugin file came from, in words: "./plugins", "$ERASURE_PLUGIN_PATH" or "shipped".
    public func source(of file: String) -> String {
        let folder = PluginCatalog.folder(of: file)
        if let shipped, folder == shipped { return "shipped" }
        if let local, folder == local { return "./plugins" }
        if folders.contains(where: { Self.standardized($0) == folder }) { return "$ERASURE_PLUGIN_PATH" }
        return "given"
    }

    /// Every `*.lua` file directly inside the folders (workflows live in `workflows/`), in search order.
    public func pluginFiles() -> [String] {
        var seen = Set<String>(), out: [String] = []
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() where name.hasSuffix(".lua") {
                let path = URL(fileURLWithPath: folder).appendingPathComponent(name).standardizedFileURL.path
                if seen.insert(path).inserted { out.append(path) }
            }
        }
        return out
    }

    /// A workflow given as a path, or as a name under `<folder>/workflows/`.
    public func workflow(_ nameOrPath: String) -> String? {
        if FileManager.default.fileExists(atPath: nameOrPath) { return nameOrPath }
        let file = nameOrPath.hasSuffix(".lua") ? nameOrPath : nameOrPath + ".lua"
        for folder in folders {
            let path = URL(fileURLWithPath: folder).appendingPathComponent("workflows").appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    /// The workflows available by name.
    public func workflowNames() -> [String] {
        var names: [String] = []
        for folder in folders {
            let dir = URL(fileURLWithPath: folder).appendingPathComponent("workflows").path
            for n in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where n.hasSuffix(".lua") {
                let name = String(n.dropLast(4))
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }
}

/// Checks the table a plugin file returned against Contract 1.
enum PluginValidator {
    static let namePattern = try! NSRegularExpression(pattern: "^[a-z][a-z0-9_-]*$")

    static func validate(_ value: LuaValue, path: String, source: String) -> Result<PluginSpec, PluginProblems> {
        let file = displayPath(path)
        var problems: [PluginProblem] = []
        func problem(_ key: String?, _ message: String) {
            problems.append(PluginProblem(file: file, line: key.flatMap { line(of: $0, in: source) } ?? returnLine(source),
                                          message: message))
        }
        guard case .table(let t) = value else {
            return .failure(PluginProblems([PluginProblem(file: file, line: returnLine(source),
                                           message: "a plugin must return a table (got \(typeName(value)))")]))
        }
        func field(_ k: String) -> LuaValue? {
            let v = t.hash[.string(LuaString(k))]
            if case .nil = v ?? .nil { return nil }
            return v
        }
        func text(_ k: String, required: Bool) -> String? {
            guard let v = field(k) else {
                if required { problem(nil, "`\(k)` is missing") }
                return nil
            }
            guard case .string(let s) = v, let str = s.string else {
                problem(k, "`\(k)` must be a string (got \(typeName(v)))")
                return nil
            }
            return str
        }
        func strings(_ k: String) -> [String]? {
            guard let v = field(k) else { return nil }
            guard case .table(let list) = v, list.hash.isEmpty else {
                problem(k, "`\(k)` must be a list of strings, like { \"a\", \"b\" } (got \(typeName(v)))")
                return nil
            }
            var out: [String] = []
            for item in list.array {
                guard case .string(let s) = item, let str = s.string, !str.isEmpty else {
                    problem(k, "`\(k)` must be a list of non-empty strings")
                    return nil
                }
                out.append(str)
            }
            return out
        }

        let name = text("name", required: true) ?? ""
        if !name.isEmpty, namePattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) == nil {
            problem("name", "`name` must be lower-case letters, digits, '_' or '-' (got \"\(name)\")")
        }
        let version = text("version", required: true) ?? ""
        let description = text("description", required: false) ?? ""
        let hosts = strings("hosts") ?? []
        let identity = strings("identity")
        if field("identity") == nil { problem(nil, "`identity` is missing: list the identity keys the plugin accepts") }
        if let identity, identity.isEmpty { problem("identity", "`identity` must name at least one key") }

        var actions = Set<Action>()
        for action in Action.allCases {
            guard let v = field(action.rawValue) else { continue }
            if case .function = v { actions.insert(action) } else {
                problem(action.rawValue, "`\(action.rawValue)` must be a function(ctx, user, record) (got \(typeName(v)))")
            }
        }
        if !actions.contains(.delete) && !actions.contains(.suspend) && problems.isEmpty {
            problem(nil, "a plugin needs a `delete` (or `suspend`) function")
        }
        var hasValidate = false
        if let v = field("validate") {
            if case .function = v { hasValidate = true } else { problem("validate", "`validate` must be a function(config)") }
        }

        var verification = Verification.skip("its plugin has no lookup to check with")
        switch field("verify") {
        case nil:
            if actions.contains(.lookup) { verification = .lookup }
        case .string(let s)? where s.string == "lookup":
            if actions.contains(.lookup) { verification = .lookup } else {
                problem("verify", "`verify = \"lookup\"` needs a `lookup` function")
            }
        case .function?:
            verification = .function
        case .table(let t)? where t.array.isEmpty && t.hash.count == 1:
            if case .string(let reason)? = t.hash[.string(LuaString("skip"))], let text = reason.string, !text.isEmpty {
                verification = .skip(text)
            } else {
                fallthrough
            }
        default:
            problem("verify", "`verify` must be \"lookup\", a function(ctx, user, result) returning the record still found or nil, "
                    + "or { skip = \"why deletions cannot be checked\" }")
        }

        var rateLimitHeaders: RateLimitHeaders?
        if let v = field("rate_limit") {
            let expected = "`rate_limit` must be { remaining = \"HEADER\", reset = \"HEADER\", reset_is = \"epoch\" | \"delta\" } "
                + "(the vendor's own rate-limit headers; a rate in requests/second goes in erasure.toml)"
            if case .table(let t) = v, t.array.isEmpty,
               case .string(let reset)? = t.hash[.string("reset")], let resetName = reset.string, !resetName.isEmpty,
               case .string(let kind)? = t.hash[.string("reset_is")], let resetIs = RateLimitHeaders.Reset(rawValue: kind.string ?? ""),
               Set(t.hash.keys).isSubset(of: [.string("remaining"), .string("reset"), .string("reset_is")])
            {
                var remaining: String?
                if let r = t.hash[.string("remaining")] {
                    if case .string(let s) = r, let name = s.string, !name.isEmpty { remaining = name } else { problem("rate_limit", expected) }
                }
                rateLimitHeaders = RateLimitHeaders(remaining: remaining, reset: resetName, resetIs: resetIs)
            } else {
                problem("rate_limit", expected)
            }
        }

        var keys: [ConfigKey] = []
        if let v = field("config") {
            if case .table(let schema) = v, schema.array.isEmpty {
                for (k, spec) in schema.hash.sorted(by: { describeKey($0.key) < describeKey($1.key) }) {
                    guard case .string(let ks) = k, let keyName = ks.string else {
                        problem("config", "`config` keys must be strings"); continue
                    }
                    guard case .table(let st) = spec else {
                        problem(keyName, "config key `\(keyName)` must be a table like { required = true }"); continue
                    }
                    var key = ConfigKey(name: keyName)
                    for (fk, fv) in st.hash {
                        guard case .string(let fks) = fk, let f = fks.string else { continue }
                        switch (f, fv) {
                        case ("required", .boolean(let b)): key.required = b
                        case ("secret", .boolean(let b)): key.secret = b
                        case ("default", _): key.defaultValue = fv
                        case ("doc", .string(let s)): key.doc = s.string
                        case ("type", .string(let s)):
                            if let kind = ConfigKey.Kind(rawValue: s.string ?? "") { key.kind = kind } else {
                                problem(keyName, "config key `\(keyName)`: type must be string, integer, number, boolean or list")
                            }
                        default:
                            problem(keyName, "config key `\(keyName)`: unknown field `\(f)` (use required, secret, default, type, doc)")
                        }
                    }
                    keys.append(key)
                }
            } else {
                problem("config", "`config` must be a table of key = { required, secret, default, type }")
            }
        }
        if !problems.isEmpty { return .failure(PluginProblems(problems)) }
        return .success(PluginSpec(name: name, version: version, description: description, path: path, hosts: hosts,
                                   config: keys, identity: identity ?? [], actions: actions,
                                   hasValidate: hasValidate, verification: verification,
                                   rateLimitHeaders: rateLimitHeaders, table: value))
    }

    /// The line of `key =` in the source (the first one), for problems with a field.
    static func line(of key: String, in source: String) -> Int? {
        var n = 0
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let s = raw.drop { $0 == " " || $0 == "\t" }
            guard s.hasPrefix(key) else { continue }
            let rest = s.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
            if rest.hasPrefix("=") && !rest.hasPrefix("==") { return n }
        }
        // `function plugin.delete(` style definitions
        n = 0
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            if raw.contains("function") && (raw.contains(".\(key)(") || raw.contains(":\(key)(")) { return n }
        }
        return nil
    }

    static func returnLine(_ source: String) -> Int? {
        var last: Int?
        var n = 0
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            if raw.drop(while: { $0 == " " }).hasPrefix("return") { last = n }
        }
        return last
    }

    /// Lua's type name, with JSON's null named as plugin authors meet it (`json.null`).
    static func typeName(_ v: LuaValue) -> String {
        v == .null ? "json.null" : v.typeName
    }

    static func describeKey(_ v: LuaValue) -> String {
        if case .string(let s) = v { return s.string ?? "" }
        return "\(v)"
    }
}
