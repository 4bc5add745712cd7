import ErasureHost
import Foundation
import LuaBridge

/// Reading and building `LuaValue`s in the runtime (raw data only: no metamethods run).
package enum LuaConv {
    package static func field(_ v: LuaValue?, _ key: String) -> LuaValue? {
        guard case .table(let t)? = v else { return nil }
        let f = t.hash[.string(LuaString(key))]
        if case .nil? = f { return nil }
        return f
    }

    package static func string(_ v: LuaValue?) -> String? {
        switch v {
        case .string(let s)?: return s.string ?? String(decoding: s.bytes, as: UTF8.self)
        case .integer(let i)?: return String(i)
        case .number(let d)?: return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        default: return nil
        }
    }

    package static func bool(_ v: LuaValue?) -> Bool? {
        if case .boolean(let b)? = v { return b }
        return nil
    }

    package static func double(_ v: LuaValue?) -> Double? {
        switch v {
        case .integer(let i)?: return Double(i)
        case .number(let d)?: return d
        default: return nil
        }
    }

    package static func s(_ text: String) -> LuaValue { .string(LuaString(text)) }

    package static func table(_ pairs: [String: LuaValue]) -> LuaValue {
        var t = LuaTable()
        for (k, v) in pairs { t.hash[s(k)] = v }
        return .table(t)
    }

    package static func array(_ items: [LuaValue]) -> LuaValue {
        var t = LuaTable()
        t.array = items
        return .table(t)
    }

    package static func strings(_ d: [String: String]) -> LuaValue {
        table(d.mapValues { s($0) })
    }

    /// The string-keyed entries of a table (for headers, query, form).
    package static func stringPairs(_ v: LuaValue?, what: String) throws -> [(String, String)] {
        guard let v else { return [] }
        guard case .table(let t) = v else { throw HostError("\(what) must be a table") }
        var out: [(String, String)] = []
        for (k, value) in t.hash {
            guard let key = string(k) else { throw HostError("\(what): keys must be strings") }
            if case .boolean(let b) = value { out.append((key, b ? "true" : "false")); continue }
            guard let text = string(value) else { throw HostError("\(what).\(key) must be a string or a number") }
            out.append((key, text))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    package static func fromConfig(_ v: ConfigValue) -> LuaValue {
        switch v {
        case .string(let x): return s(x)
        case .integer(let x): return .integer(x)
        case .number(let x): return .number(x)
        case .boolean(let x): return .boolean(x)
        case .stringArray(let xs): return array(xs.map(s))
        }
    }

    package static func toConfig(_ v: LuaValue) -> ConfigValue? {
        switch v {
        case .string: return string(v).map(ConfigValue.string)
        case .integer(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .boolean(let b): return .boolean(b)
        case .table(let t):
            let items = t.array.compactMap { string($0) }
            return items.count == t.array.count ? .stringArray(items) : nil
        default: return nil
        }
    }

    package static func toJSONValue(_ v: LuaValue) throws -> JSONValue {
        try JSONValue.parse(JSON.encode(v))
    }
}
