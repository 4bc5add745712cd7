import CLua
import CLuaShim

/// A Lua value as Swift sees it: binary-safe strings, exact 64-bit integers, tables copied by value.
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case table(LuaTable)
    case function(LuaFunction)
    /// `json.null` in Lua.
    case null
}

/// A Lua string: any bytes (embedded NUL and invalid UTF-8 are kept as they are).
public struct LuaString: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var bytes: [UInt8]
    public init(_ string: String) { bytes = Array(string.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init<S: Sequence>(bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
    public init(stringLiteral value: String) { self.init(value) }
    /// The string when the bytes are valid UTF-8, else nil.
    public var string: String? { String(validating: bytes, as: UTF8.self) }
    /// The bytes decoded as UTF-8, invalid sequences replaced by U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// A Lua table copied into Swift. `array` holds keys 1...n, `hash` every other key.
public struct LuaTable: Sendable, Hashable {
    /// The JSON shape marker of a table (`json.array{}` / `json.object{}` in Lua).
    public enum Shape: Sendable, Hashable { case unspecified, array, object }
    public var array: [LuaValue]
    public var hash: [LuaValue: LuaValue]
    public var shape: Shape
    public init(array: [LuaValue] = [], hash: [LuaValue: LuaValue] = [:], shape: Shape = .unspecified) {
        self.array = array
        self.hash = hash
        self.shape = shape
    }
    public var isEmpty: Bool { array.isEmpty && hash.isEmpty }
    /// Raw lookup: integer keys 1...array.count go to the array part.
    public subscript(key: LuaValue) -> LuaValue {
        get {
            if case .integer(let i) = key, i >= 1, i <= Int64(array.count) { return array[Int(i - 1)] }
            if case .number(let d) = key, let i = Int64(exactly: d) { return self[.integer(i)] }
            return hash[key] ?? .nil
        }
        set {
            var key = key
            if case .number(let d) = key, let i = Int64(exactly: d) { key = .integer(i) }
            if case .integer(let i) = key, i >= 1, i <= Int64(array.count) {
                if case .nil = newValue, i == Int64(array.count) { array.removeLast(); return }
                array[Int(i - 1)] = newValue
                return
            }
            if case .nil = newValue { hash[key] = nil; return }
            if case .integer(let i) = key, i == Int64(array.count) + 1 {
                array.append(newValue)
                // pull following keys from the hash part
                while let next = hash.removeValue(forKey: .integer(Int64(array.count) + 1)) { array.append(next) }
                return
            }
            hash[key] = newValue
        }
    }
    public subscript(key: String) -> LuaValue {
        get { self[.string(LuaString(key))] }
        set { self[.string(LuaString(key))] = newValue }
    }
    /// String-keyed entries whose keys are valid UTF-8.
    public var stringKeyed: [String: LuaValue] {
        var out: [String: LuaValue] = [:]
        for (k, v) in hash { if case .string(let s) = k, let str = s.string { out[str] = v } }
        return out
    }
}

/// A Lua function held by Swift (a registry reference into one runtime). Released safely
/// (on the runtime's next use) when the last Swift reference goes away.
public final class LuaFunction: Sendable, Hashable, CustomStringConvertible {
    let ref: Int32
    let core: LuaCore
    init(ref: Int32, core: LuaCore) {
        self.ref = ref
        self.core = core
    }
    deinit { core.releaseLater(ref) }
    public static func == (a: LuaFunction, b: LuaFunction) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
    public var description: String { "function: ref \(ref)" }
}

// MARK: - ergonomics

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .nil }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    public init(dictionaryLiteral elements: (LuaValue, LuaValue)...) {
        var t = LuaTable()
        for (k, v) in elements { t[k] = v }
        self = .table(t)
    }
}

extension LuaValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return s.description
        case .table(let t):
            if let bytes = try? JSON.encode(.table(t)) { return String(decoding: bytes, as: UTF8.self) }
            return "table"
        case .function: return "function"
        case .null: return "null"
        }
    }
}

extension LuaValue {
    public init(_ s: String) { self = .string(LuaString(s)) }
    public init(_ i: Int) { self = .integer(Int64(i)) }
    public init(_ i: Int64) { self = .integer(i) }
    public init(_ d: Double) { self = .number(d) }
    public init(_ b: Bool) { self = .boolean(b) }
    public init(bytes: [UInt8]) { self = .string(LuaString(bytes: bytes)) }

    /// A table marked as a JSON object.
    public static func object(_ entries: [String: LuaValue]) -> LuaValue {
        var hash: [LuaValue: LuaValue] = [:]
        for (k, v) in entries where v != .nil { hash[.string(LuaString(k))] = v }
        return .table(LuaTable(hash: hash, shape: .object))
    }
    /// A table marked as a JSON array.
    public static func array(_ items: [LuaValue]) -> LuaValue {
        .table(LuaTable(array: items, shape: .array))
    }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }
    /// Lua truthiness: only nil and false are false.
    public var isTruthy: Bool {
        switch self {
        case .nil: return false
        case .boolean(let b): return b
        default: return true
        }
    }
    public var stringValue: String? { if case .string(let s) = self { return s.string } else { return nil } }
    public var bytesValue: [UInt8]? { if case .string(let s) = self { return s.bytes } else { return nil } }
    public var luaStringValue: LuaString? { if case .string(let s) = self { return s } else { return nil } }
    /// The integer, also from a float with an exact integer value (as Lua converts).
    public var intValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d): return Int64(exactly: d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .boolean(let b) = self { return b } else { return nil } }
    public var tableValue: LuaTable? { if case .table(let t) = self { return t } else { return nil } }
    public var functionValue: LuaFunction? { if case .function(let f) = self { return f } else { return nil } }
    /// The array part of a table.
    public var arrayValue: [LuaValue]? { tableValue?.array }
    /// Lua's type name of the value ("nil", "boolean", "number", "string", "table", "function", "userdata").
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        case .null: return "userdata"
        }
    }

    /// Raw field of a table (nil for any other value).
    public subscript(key: String) -> LuaValue {
        get { tableValue?[key] ?? .nil }
        set {
            guard case .table(var t) = self else { return }
            t[key] = newValue
            self = .table(t)
        }
    }
    /// Raw element of a table, 1-based like Lua.
    public subscript(index: Int) -> LuaValue {
        get { tableValue?[.integer(Int64(index))] ?? .nil }
        set {
            guard case .table(var t) = self else { return }
            t[.integer(Int64(index))] = newValue
            self = .table(t)
        }
    }
}
