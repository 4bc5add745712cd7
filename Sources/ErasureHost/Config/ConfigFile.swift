import Crypto
import Foundation
import TOMLKit

/// `erasure.toml` (Contract 4): `[vendors.NAME]` tables of `key = value`. A string value may be
/// `env:NAME` (the environment variable) or `file:PATH` (the file's content, trailing newlines
/// trimmed; PATH relative to the config file's folder); anything else is a literal. A table's
/// `plugin = "NAME"` names the plugin its vendor uses (one plugin file may serve several vendors,
/// each with its own table); without it, the table's name is the plugin's name.
public struct ConfigFile: Sendable {
    /// The path as given or located (used in every message).
    public let path: String
    /// Folder `file:` paths are relative to.
    public let directory: String
    /// Vendor tables, raw (references not yet resolved), by vendor name.
    let tables: [String: [String: RawValue]]
    /// `plugin = "…"` of the tables that name one, by vendor name.
    let pluginNames: [String: String]
    /// `[journal]`.
    public var journal = JournalSettings()
    /// `sandbox = true`: written by `erasure sandbox --print-config`; its literal credentials are
    /// the emulator's, not secrets, so they are not warned about.
    public var sandbox = false

    /// Where the config is: `explicit` (--config), else `$ERASURE_CONFIG`, else `./erasure.toml`.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let explicit, !explicit.isEmpty { return explicit }
        if let env = environment["ERASURE_CONFIG"], !env.isEmpty { return env }
        return "erasure.toml"
    }

    /// Reads and parses the file. An unreadable file or a TOML syntax error is a `ConfigError`.
    public static func load(path: String) throws -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(file: path, exists ? "cannot read the config file" : "config file not found")
        }
        return try parse(text, path: path)
    }

    /// Parses TOML text; `path` names the file in messages and anchors `file:` references.
    public static func parse(_ text: String, path: String) throws -> ConfigFile {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ConfigError(file: "\(path):\(e.source.begin.line)", "TOML syntax error: \(e.description)")
        } catch {
            throw ConfigError(file: path, "TOML syntax error")
        }
        var problems: [ConfigError.Problem] = []
        var tables: [String: [String: RawValue]] = [:]
        var pluginNames: [String: String] = [:]
        let dir = (path as NSString).deletingLastPathComponent
        var journal = JournalSettings()
        if let table = root["journal"]?.table {
            let parsed = JournalSettings.parse(table, directory: dir.isEmpty ? "." : dir)
            journal = parsed.0
            problems += parsed.1
        }
        var sandbox = false
        if let marker = root["sandbox"] {
            if let flag = marker.bool { sandbox = flag } else {
                problems.append(.init(table: nil, key: "sandbox", message: "expected true or false"))
            }
        }
        for key in root.keys.sorted() where key != "vendors" && key != "sandbox" && !(key == "journal" && root[key]?.table != nil) {
            let hint = closestMatch(key, in: ["vendors", "vendor"]).map { _ in " (did you mean [vendors.NAME]?)" } ?? ""
            problems.append(.init(table: nil, key: key, message: "unknown top-level key or table\(hint); vendor settings go in [vendors.NAME]"))
        }
        if let vendors = root["vendors"] {
            if let vt = vendors.table {
                for name in vt.keys.sorted() {
                    guard let t = vt[name]?.table else {
                        problems.append(.init(table: "vendors", key: name, message: "expected a table [vendors.\(name)]"))
                        continue
                    }
                    var values: [String: RawValue] = [:]
                    for k in t.keys { values[k] = RawValue(t[k]!) }
                    // `plugin` says which plugin the vendor uses: not a setting the plugin sees.
                    if let raw = values.removeValue(forKey: "plugin") {
                        if case .string(let plugin) = raw, Self.isPluginName(plugin) {
                            pluginNames[name] = plugin
                        } else {
                            problems.append(.init(table: "vendors.\(name)", key: "plugin",
                                                  message: "expected a plugin's name (lower-case letters, digits, '_' or '-'), got \(raw.shown ?? raw.typeName)"))
                        }
                    }
                    tables[name] = values
                }
            } else {
                problems.append(.init(table: nil, key: "vendors", message: "expected tables [vendors.NAME]"))
            }
        }
        if !problems.isEmpty { throw ConfigError(file: path, problems: problems) }
        return ConfigFile(path: path, directory: dir.isEmpty ? "." : dir, tables: tables, pluginNames: pluginNames,
                          journal: journal, sandbox: sandbox)
    }

    static func isPluginName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    /// Names of the `[vendors.NAME]` tables, sorted.
    public var vendorNames: [String] { tables.keys.sorted() }

    /// The plugin vendor `vendor` uses: its table's `plugin`, else its own name.
    public func plugin(of vendor: String) -> String { pluginNames[vendor] ?? vendor }

    /// Every `[vendors.NAME]` must name a known plugin (its `plugin`, else its name): an unknown
    /// one is an error (a typo would otherwise silently leave a vendor unconfigured).
    public func checkVendors(known: some Collection<String>) throws {
        let knownSet = Set(known)
        var problems: [ConfigError.Problem] = []
        for name in vendorNames where !knownSet.contains(plugin(of: name)) {
            if let named = pluginNames[name] {
                let hint = closestMatch(named, in: knownSet).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(.init(table: "vendors.\(name)", key: "plugin", message: "no plugin named '\(named)'\(hint)"))
                continue
            }
            let hint = closestMatch(name, in: knownSet).map { "; did you mean [vendors.\($0)]?" }
                ?? "; a table for another plugin names it: plugin = \"NAME\""
            problems.append(.init(table: "vendors.\(name)", key: nil,
                                  message: "unknown vendor: no plugin named '\(name)'\(hint)"))
        }
        if !problems.isEmpty { throw ConfigError(file: path, problems: problems) }
    }

    /// Resolves and validates `[vendors.NAME]` against `schema` (plus the common keys): every
    /// problem of the table at once in one `ConfigError`. A vendor without a table is resolved
    /// from defaults (and fails if a key is required).
    public func resolve(vendor: String, schema: ConfigSchema,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ResolvedVendorConfig
    {
        let table = "vendors.\(vendor)"
        let keys = schema.effectiveKeys
        let raw = tables[vendor] ?? [:]
        var problems: [ConfigError.Problem] = []
        var values: [String: ConfigValue] = [:]
        var sources: [String: ResolvedVendorConfig.Source] = [:]
        var literalSecrets: [String] = []

        for key in raw.keys.sorted() {
            guard let spec = keys[key] else {
                let hint = closestMatch(key, in: keys.keys).map { "; did you mean '\($0)'?" } ?? ""
                problems.append(.init(table: table, key: key, message: "unknown key\(hint)"))
                continue
            }
            do {
                let (value, source) = try resolveValue(raw[key]!, spec: spec, environment: environment)
                values[key] = value
                sources[key] = source
                if spec.secret && source == .literal { literalSecrets.append(key) }
            } catch let message as ValueProblem {
                problems.append(.init(table: table, key: key, message: message.text))
            }
        }
        for key in keys.keys.sorted() where values[key] == nil && !raw.keys.contains(key) {
            let spec = keys[key]!
            if let d = spec.defaultValue {
                values[key] = d
                sources[key] = .default
            } else if spec.required {
                problems.append(.init(table: table, key: key, message: "required key is missing"))
            }
        }
        validateCommon(&values, table: table, problems: &problems)
        if !problems.isEmpty { throw ConfigError(file: path, problems: problems) }

        let secretKeys = Set(keys.filter { $0.value.secret }.map(\.key))
        return ResolvedVendorConfig(vendor: vendor, plugin: plugin(of: vendor), file: path, values: values, secretKeys: secretKeys,
                                    sources: sources, literalSecretKeys: literalSecrets)
    }

    // MARK: - values

    struct ValueProblem: Error { var text: String }

    private func resolveValue(_ raw: RawValue, spec: KeySpec, environment: [String: String]) throws
        -> (ConfigValue, ResolvedVendorConfig.Source)
    {
        if case .string(let s) = raw {
            if s.hasPrefix("env:") {
                let name = String(s.dropFirst(4))
                guard !name.isEmpty else { throw ValueProblem(text: "env: needs a variable name (env:NAME)") }
                guard let v = environment[name] else {
                    throw ValueProblem(text: "environment variable \(name) is not set")
                }
                return (try convertText(v, to: spec, origin: "environment variable \(name)"), .env(name))
            }
            if s.hasPrefix("file:") {
                let rel = String(s.dropFirst(5))
                guard !rel.isEmpty else { throw ValueProblem(text: "file: needs a path (file:PATH)") }
                let full = rel.hasPrefix("/") ? rel : (directory as NSString).appendingPathComponent(rel)
                guard let data = FileManager.default.contents(atPath: full),
                      var text = String(data: data, encoding: .utf8)
                else {
                    throw ValueProblem(text: "cannot read file '\(rel)' (\(full))")
                }
                while text.hasSuffix("\n") || text.hasSuffix("\r") || text.hasSuffix("\r\n") { text.removeLast() }
                return (try convertText(text, to: spec, origin: "file '\(rel)'"), .file(rel))
            }
        }
        return (try convertLiteral(raw, to: spec), .literal)
    }

    private func convertLiteral(_ raw: RawValue, to spec: KeySpec) throws -> ConfigValue {
        switch (spec.type, raw) {
        case (.string, .string(let s)): return .string(s)
        case (.integer, .integer(let i)): return .integer(i)
        case (.number, .integer(let i)): return .number(Double(i))
        case (.number, .double(let d)): return .number(d)
        case (.boolean, .bool(let b)): return .boolean(b)
        case (.stringArray, .array(let items)):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else {
                    throw ValueProblem(text: "expected \(spec.type.displayName), got an array holding \(item.typeName)")
                }
                out.append(s)
            }
            return .stringArray(out)
        default:
            let shown = spec.secret ? "" : raw.shown.map { " \($0)" } ?? ""
            throw ValueProblem(text: "expected \(spec.type.displayName), got \(raw.typeName)\(shown)")
        }
    }

    private func convertText(_ text: String, to spec: KeySpec, origin: String) throws -> ConfigValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        let shown = spec.secret ? "" : " '\(text)'"
        switch spec.type {
        case .string: return .string(text)
        case .integer:
            guard let i = Int64(t) else { throw ValueProblem(text: "expected integer from \(origin), got\(shown.isEmpty ? " text" : shown)") }
            return .integer(i)
        case .number:
            guard let d = Double(t), d.isFinite else { throw ValueProblem(text: "expected number from \(origin), got\(shown.isEmpty ? " text" : shown)") }
            return .number(d)
        case .boolean:
            switch t.lowercased() {
            case "true", "1", "yes": return .boolean(true)
            case "false", "0", "no": return .boolean(false)
            default: throw ValueProblem(text: "expected boolean (true/false) from \(origin), got\(shown.isEmpty ? " text" : shown)")
            }
        case .stringArray:
            return .stringArray(t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
    }

    private func validateCommon(_ values: inout [String: ConfigValue], table: String,
                                problems: inout [ConfigError.Problem]) {
        if case .string(var base)? = values["base_url"] {
            while base.hasSuffix("/") { base.removeLast() }
            if let c = URLComponents(string: base), let scheme = c.scheme?.lowercased(),
               scheme == "http" || scheme == "https", let host = c.host, !host.isEmpty
            {
                values["base_url"] = .string(base)
            } else {
                problems.append(.init(table: table, key: "base_url", message: "expected an http(s) URL, got '\(base)'"))
            }
        }
        for entry in VendorHTTPPolicy.invalidHostEntries(values["hosts"]?.stringArrayValue ?? []) {
            problems.append(.init(table: table, key: "hosts", message: "'\(entry)' is not a host: expected \"host\", \"host:port\" (https) or \"http(s)://host[:port]\""))
        }
        if let r = values["rate_limit"], !((r.doubleValue ?? 0).isFinite && (r.doubleValue ?? 0) >= 0.001) {
            problems.append(.init(table: table, key: "rate_limit", message: "must be a positive number of requests per second (at least 0.001)"))
        }
        for key in ["max_attempts", "retries"] {
            if let r = values[key], (r.intValue ?? 0) < 1 {
                problems.append(.init(table: table, key: key, message: "must be at least 1 (total tries, the first included)"))
            }
        }
        if values["max_attempts"] != nil && values["retries"] != nil {
            problems.append(.init(table: table, key: "retries", message: "is the old name of max_attempts: keep only max_attempts"))
        }
        for key in ["timeout", "action_timeout", "max_retry_wait"] {
            if let r = values[key], !((r.doubleValue ?? 0).isFinite && (r.doubleValue ?? 0) > 0 && (r.doubleValue ?? 0) <= 86_400) {
                problems.append(.init(table: table, key: key, message: "must be a positive number of seconds (at most 86400)"))
            }
        }
    }
}

/// A TOML value as read, before resolution.
enum RawValue: Sendable {
    case string(String), integer(Int64), double(Double), bool(Bool), array([RawValue]), table, other(String)

    init(_ v: any TOMLValueConvertible) {
        switch v.type {
        case .string: self = .string(v.string ?? "")
        case .int: self = .integer(Int64(v.int ?? 0))
        case .double: self = .double(v.double ?? 0)
        case .bool: self = .bool(v.bool ?? false)
        case .array: self = .array((v.array.map { Array($0) } ?? []).map { RawValue($0) })
        case .table: self = .table
        default: self = .other(v.type.description)
        }
    }

    var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .double: return "floating-point number"
        case .bool: return "boolean"
        case .array: return "array"
        case .table: return "table"
        case .other(let n): return n
        }
    }

    var shown: String? {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .integer(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        default: return nil
        }
    }
}

/// A vendor's settings after resolution and validation.
public struct ResolvedVendorConfig: Sendable {
    public enum Source: Sendable, Equatable {
        case literal, env(String), file(String), `default`
    }

    public let vendor: String
    /// The plugin the vendor uses (its table's `plugin`, else the vendor's name).
    public let plugin: String
    public let file: String
    /// Every key with a value (given or default), resolved and typed.
    public let values: [String: ConfigValue]
    /// Keys the schema marks secret (whether or not they have a value).
    public let secretKeys: Set<String>
    public let sources: [String: Source]
    /// Secret keys written as literals in the file (they work, but are warned about).
    public let literalSecretKeys: [String]

    public subscript(key: String) -> ConfigValue? { values[key] }

    public var baseURL: String? { values["base_url"]?.stringValue }
    public var rateLimit: Double? { values["rate_limit"]?.doubleValue }
    /// Total tries of a request (`max_attempts`, or its deprecated old name `retries`).
    public var maxAttempts: Int? { (values["max_attempts"] ?? values["retries"])?.intValue.map { Int($0) } }
    /// Whether the table still uses the deprecated `retries` (warned about at start-up).
    public var usesDeprecatedRetries: Bool { values["retries"] != nil }
    /// The longest wait a vendor may ask for that is honoured (seconds, default 300).
    public var maxRetryWait: Double? { values["max_retry_wait"]?.doubleValue }
    public var timeout: Double? { values["timeout"]?.doubleValue }
    /// Seconds one plugin action may take, whatever it does (requests, sleeps, Lua).
    public var actionTimeout: Double? { values["action_timeout"]?.doubleValue }
    public var hosts: [String] { values["hosts"]?.stringArrayValue ?? [] }

    /// The values of every secret key, for the run's `Redactor`.
    public var secretValues: [String] {
        secretKeys.sorted().compactMap { values[$0] }.flatMap { v -> [String] in
            if case .stringArray(let a) = v { return a }
            return [v.description]
        }
    }

    /// Adds every secret value to `redactor`, and the base64 of every Basic pair a plugin could
    /// build from this table with a secret as the password (`user:secret`, the user any other value
    /// of the table, secret or not), before any plugin runs: a vendor may echo the header of
    /// another vendor whose plugin has not built it yet in this process.
    public func registerSecrets(in redactor: Redactor) {
        let secrets = secretValues
        for s in secrets { redactor.add(s) }
        let all = values.values.flatMap { v -> [String] in
            if case .stringArray(let a) = v { return a }
            return [v.description]
        }
        var pairs: [(user: String, password: String)] = []
        for secret in secrets {
            for user in Set(all) where user != secret { pairs.append((user, secret)) }
        }
        redactor.addBasicPairs(pairs)
    }

    /// SHA-256 (hex) of the resolved config with every secret value replaced by a fixed marker:
    /// changes when a setting changes, never depends on a secret. The journal records it.
    public var fingerprint: String {
        var obj: [String: JSONValue] = [:]
        for (k, v) in values { obj[k] = secretKeys.contains(k) ? .string("<secret>") : v.json }
        var fields: [String: JSONValue] = ["vendor": .string(vendor), "values": .object(obj)]
        if plugin != vendor { fields["plugin"] = .string(plugin) }   // unchanged for a table without `plugin`
        return Digest.sha256Hex(JSONValue.object(fields).bytes)
    }

    /// The host policy for this vendor: base_url's host, the config's `hosts`, the plugin's
    /// `hosts`; `rate_limit`, `max_attempts` (total tries, default 4), `max_retry_wait` (s, default
    /// 300) and `timeout` (s, default 30); the plugin's declared rate-limit headers.
    public func httpPolicy(pluginHosts: [String], dryRun: Bool, redactor: Redactor,
                           rateLimitHeaders: RateLimitHeaders? = nil) -> VendorHTTPPolicy {
        var retry = RetryPolicy.default
        if let r = maxAttempts { retry.maxTries = max(1, r) }
        if let w = maxRetryWait { retry.maxRetryWait = w }
        let t = timeout ?? 30
        return VendorHTTPPolicy(vendor: vendor, baseURL: baseURL, hosts: pluginHosts + hosts, retry: retry,
                                rateLimit: rateLimit, dryRun: dryRun, secrets: redactor,
                                timeout: .nanoseconds(Int64(t * 1_000_000_000)), rateLimitHeaders: rateLimitHeaders)
    }
}
