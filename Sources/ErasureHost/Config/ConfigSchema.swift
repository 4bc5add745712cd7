import Foundation

/// The type a config key's value must have. Values from `env:` / `file:` (text) are converted:
/// integer/number/boolean parsed, stringArray split on commas.
public enum ConfigValueType: String, Sendable, CaseIterable {
    case string, integer, number, boolean, stringArray

    public var displayName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .stringArray: return "array of strings"
        }
    }
}

/// A resolved config value.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case stringArray([String])

    public var type: ConfigValueType {
        switch self {
        case .string: return .string
        case .integer: return .integer
        case .number: return .number
        case .boolean: return .boolean
        case .stringArray: return .stringArray
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// The integer, also from a number with an exact integer value (`3.0` in TOML).
    public var intValue: Int64? {
        if case .integer(let i) = self { return i }
        return doubleValue.flatMap { Int64(exactly: $0) }
    }

    public var boolValue: Bool? {
        if case .boolean(let b) = self { return b }
        return nil
    }

    public var stringArrayValue: [String]? {
        if case .stringArray(let a) = self { return a }
        return nil
    }

    /// Plain text form (arrays comma-joined): for the fingerprint and messages about non-secrets.
    public var description: String {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .boolean(let b): return b ? "true" : "false"
        case .stringArray(let a): return a.joined(separator: ",")
        }
    }

    var json: JSONValue {
        switch self {
        case .string(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .boolean(let b): return .bool(b)
        case .stringArray(let a): return .array(a.map { .string($0) })
        }
    }
}

/// One key of a plugin's `config` table.
public struct KeySpec: Sendable, Equatable {
    public var required: Bool
    /// Redacted everywhere; a literal value in erasure.toml is warned about.
    public var secret: Bool
    public var defaultValue: ConfigValue?
    public var type: ConfigValueType

    /// `type` nil = the default's type, else string.
    public init(required: Bool = false, secret: Bool = false, default defaultValue: ConfigValue? = nil,
                type: ConfigValueType? = nil) {
        self.required = required
        self.secret = secret
        self.defaultValue = defaultValue
        self.type = type ?? defaultValue?.type ?? .string
    }
}

/// The schema a vendor's table is validated against: the plugin's keys plus the common ones
/// every vendor accepts (`base_url`, `rate_limit`, `max_attempts` (formerly `retries`), `max_retry_wait`,
/// `timeout`, `action_timeout`, `hosts`). A plugin
/// key of the same name as a common key refines it (e.g. gives base_url its default).
public struct ConfigSchema: Sendable, Equatable {
    public var keys: [String: KeySpec]

    public init(keys: [String: KeySpec] = [:]) { self.keys = keys }

    public static let commonKeys: [String: KeySpec] = [
        "base_url": KeySpec(type: .string),
        "rate_limit": KeySpec(type: .number),
        "max_attempts": KeySpec(type: .integer),
        "retries": KeySpec(type: .integer),
        "max_retry_wait": KeySpec(type: .number),
        "timeout": KeySpec(type: .number),
        "action_timeout": KeySpec(type: .number),
        "hosts": KeySpec(type: .stringArray),
    ]

    /// Plugin keys merged over the common keys.
    public var effectiveKeys: [String: KeySpec] {
        var all = Self.commonKeys
        for (k, v) in keys {
            var spec = v
            if let common = Self.commonKeys[k] { spec.type = common.type }
            all[k] = spec
        }
        return all
    }
}

/// A config problem. `description` reads `erasure.toml: [vendors.cubicasa] api_key: required key
/// is missing` (one line per problem). Never contains a secret value. Exit status 2.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Problem: Sendable, Equatable {
        public var table: String?
        public var key: String?
        public var message: String
    }

    public var file: String
    public var problems: [Problem]

    public init(file: String, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    public init(file: String, table: String? = nil, key: String? = nil, _ message: String) {
        self.init(file: file, problems: [Problem(table: table, key: key, message: message)])
    }

    public var description: String {
        problems.map { p in
            var line = "\(file):"
            if let t = p.table { line += " [\(t)]" }
            if let k = p.key { line += " \(k):" }
            return line + " " + p.message
        }.joined(separator: "\n")
    }
}

/// Closest candidate within a small edit distance, for "did you mean" hints.
package func closestMatch(_ word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        if d <= max(2, word.count / 3), best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
