import Foundation

/// A JSON encode/decode error; `offset` is the 0-based byte offset for decode errors.
public struct JSONError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var offset: Int?
    public var description: String { message }
}

/// The JSON codec behind Lua's `json` module, usable from Swift.
///
/// - Objects decode to tables with shape `.object`, arrays to shape `.array`; they encode
///   back the same shape, empty ones included. An unmarked empty table encodes as `{}`.
/// - JSON `null` is `LuaValue.null` (`json.null` in Lua).
/// - Integers are exact Int64; an integer literal outside Int64 is refused (not rounded).
/// - Keys are encoded sorted by their bytes; non-string keys, NaN and infinities are refused.
public enum JSON {
    public static let maxDepth = 512

    public static func encode(_ value: LuaValue) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        try encodeValue(value, into: &out, depth: 0)
        return out
    }

    public static func encodeString(_ value: LuaValue) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    public static func decode(_ bytes: [UInt8]) throws -> LuaValue {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.i < bytes.count { throw p.error("unexpected \(p.what()) after the JSON value") }
        return v
    }

    public static func decode(_ string: String) throws -> LuaValue { try decode(Array(string.utf8)) }

    // MARK: encoding

    private static func encodeValue(_ v: LuaValue, into out: inout [UInt8], depth: Int) throws {
        switch v {
        case .nil, .null: out += Array("null".utf8)
        case .boolean(let b): out += Array((b ? "true" : "false").utf8)
        case .integer(let i): out += Array(String(i).utf8)
        case .number(let d):
            guard d.isFinite else { throw JSONError(message: "cannot encode \(d) as JSON (NaN and infinity are not JSON)") }
            // Swift's shortest round-trip form; integral floats keep their ".0" (1.0, not 1),
            // so they decode back as floats.
            out += Array(String(d).utf8)
        case .string(let s): try encodeString(s.bytes, into: &out)
        case .function: throw JSONError(message: "cannot encode a function as JSON")
        case .table(let t):
            guard depth < maxDepth else { throw JSONError(message: "cannot encode JSON nested more than \(maxDepth) levels deep") }
            try encodeTable(t, into: &out, depth: depth + 1)
        }
    }

    private static func encodeTable(_ t: LuaTable, into out: inout [UInt8], depth: Int) throws {
        var asArray: Bool
        switch t.shape {
        case .array: asArray = true
        case .object: asArray = false
        case .unspecified: asArray = !t.array.isEmpty
        }
        if asArray {
            if let stray = t.hash.keys.first {
                if t.shape == .array {
                    throw JSONError(message: "cannot encode a json.array with the non-index key \(keyDescription(stray))")
                }
                throw JSONError(message: "cannot encode a table that mixes array items with the key \(keyDescription(stray)) (sparse array or mixed table)")
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in t.array.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try encodeValue(item, into: &out, depth: depth)
            }
            out.append(UInt8(ascii: "]"))
            return
        }
        if !t.array.isEmpty {
            throw JSONError(message: "cannot encode a json.object with array items (key 1): JSON object keys must be strings")
        }
        var entries: [([UInt8], LuaValue)] = []
        entries.reserveCapacity(t.hash.count)
        for (k, v) in t.hash {
            guard case .string(let s) = k else {
                throw JSONError(message: "cannot encode a table with the non-string key \(keyDescription(k)) as a JSON object")
            }
            entries.append((s.bytes, v))
        }
        entries.sort { $0.0.lexicographicallyPrecedes($1.0) }
        out.append(UInt8(ascii: "{"))
        for (i, (k, v)) in entries.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            try encodeString(k, into: &out)
            out.append(UInt8(ascii: ":"))
            try encodeValue(v, into: &out, depth: depth)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func keyDescription(_ k: LuaValue) -> String {
        switch k {
        case .string(let s): return "\"\(s)\""
        case .integer, .number, .boolean: return "\(k) (\(k.typeName))"
        default: return "of type \(k.typeName)"
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func encodeString(_ bytes: [UInt8], into out: inout [UInt8]) throws {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw JSONError(message: "cannot encode a string that is not valid UTF-8 as JSON")
        }
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20, 0x7F:
                out += Array("\\u00".utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: decoding

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        func error(_ msg: String, at offset: Int? = nil) -> JSONError {
            let o = offset ?? i
            return JSONError(message: "invalid JSON at byte offset \(o): \(msg)", offset: o)
        }

        func what() -> String {
            guard i < bytes.count else { return "end of input" }
            let b = bytes[i]
            if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
            return "byte 0x\(String(b, radix: 16))"
        }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        mutating func literal(_ word: String, _ v: LuaValue) throws -> LuaValue {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
                throw error("unexpected \(what())")
            }
            i += w.count
            return v
        }

        mutating func value(depth: Int) throws -> LuaValue {
            guard i < bytes.count else { throw error("unexpected end of input") }
            switch bytes[i] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(LuaString(bytes: try string()))
            case UInt8(ascii: "t"): return try literal("true", .boolean(true))
            case UInt8(ascii: "f"): return try literal("false", .boolean(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected \(what())")
            }
        }

        mutating func object(depth: Int) throws -> LuaValue {
            guard depth <= JSON.maxDepth else { throw error("nested more than \(JSON.maxDepth) levels deep") }
            i += 1
            var t = LuaTable(shape: .object)
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return .table(t) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw error("expected a string key, found \(what())")
                }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':', found \(what())") }
                i += 1
                skipSpace()
                let v = try value(depth: depth)
                t.hash[.string(LuaString(bytes: key))] = v
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .table(t) }
                throw error("expected ',' or '}', found \(what())")
            }
        }

        mutating func array(depth: Int) throws -> LuaValue {
            guard depth <= JSON.maxDepth else { throw error("nested more than \(JSON.maxDepth) levels deep") }
            i += 1
            var t = LuaTable(shape: .array)
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return .table(t) }
            while true {
                skipSpace()
                t.array.append(try value(depth: depth))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .table(t) }
                throw error("expected ',' or ']', found \(what())")
            }
        }

        mutating func number() throws -> LuaValue {
            let start = i
            var isInteger = true
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            func digits(_ p: inout Parser) -> Int {
                let s = p.i
                while p.i < p.bytes.count, p.bytes[p.i] >= 0x30, p.bytes[p.i] <= 0x39 { p.i += 1 }
                return p.i - s
            }
            guard i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 else { throw error("expected a digit, found \(what())") }
            if bytes[i] == 0x30 {
                i += 1
                if i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { throw error("leading zero in a number", at: start) }
            } else {
                _ = digits(&self)
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                isInteger = false
                i += 1
                guard digits(&self) > 0 else { throw error("expected a digit after '.', found \(what())") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                isInteger = false
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits(&self) > 0 else { throw error("expected a digit in the exponent, found \(what())") }
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if isInteger {
                guard let v = Int64(text) else {
                    throw error("integer \(text) does not fit in 64 bits", at: start)
                }
                return .integer(v)
            }
            guard let d = Double(text), d.isFinite else { throw error("number \(text) is out of range", at: start) }
            return .number(d)
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var v: UInt32 = 0
            for k in 0..<4 {
                let b = bytes[i + k]
                let d: UInt32
                switch b {
                case 0x30...0x39: d = UInt32(b - 0x30)
                case 0x41...0x46: d = UInt32(b - 0x41 + 10)
                case 0x61...0x66: d = UInt32(b - 0x61 + 10)
                default: throw error("invalid hex digit in \\u escape", at: i + k)
                }
                v = v * 16 + d
            }
            i += 4
            return v
        }

        mutating func string() throws -> [UInt8] {
            let start = i
            i += 1
            var out: [UInt8] = []
            var runStart = i
            while true {
                guard i < bytes.count else { throw error("unterminated string (started at byte offset \(start))") }
                let b = bytes[i]
                if b == UInt8(ascii: "\"") {
                    out += bytes[runStart..<i]
                    i += 1
                    break
                }
                if b < 0x20 { throw error("control character 0x\(String(b, radix: 16)) in a string") }
                if b != UInt8(ascii: "\\") { i += 1; continue }
                out += bytes[runStart..<i]
                let escAt = i
                i += 1
                guard i < bytes.count else { throw error("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var cp = try hex4()
                    if cp >= 0xD800 && cp <= 0xDBFF {
                        guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired high surrogate \\u\(String(cp, radix: 16))", at: escAt)
                        }
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low <= 0xDFFF else {
                            throw error("high surrogate not followed by a low surrogate", at: escAt)
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                    } else if cp >= 0xDC00 && cp <= 0xDFFF {
                        throw error("unpaired low surrogate \\u\(String(cp, radix: 16))", at: escAt)
                    }
                    out += Array(String(Character(Unicode.Scalar(cp)!)).utf8)
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: escAt)
                }
                runStart = i
            }
            guard String(validating: out, as: UTF8.self) != nil else {
                throw error("string is not valid UTF-8", at: start)
            }
            return out
        }
    }
}

/// The Lua side: `json.encode(v)`, `json.decode(s)` (json.null/array/object come from lua/sandbox.lua).
enum JSONModule {
    static let functions: [String: HostFunction] = [
        "encode": .sync { call in
            let v = try call.argument(1)
            do {
                call.push(.string(LuaString(bytes: try JSON.encode(v))))
            } catch let e as JSONError {
                throw HostError("json.encode: \(e.message)")
            }
        },
        "decode": .sync { call in
            let bytes = try call.bytes(1)
            do {
                call.push(try JSON.decode(bytes))
            } catch let e as JSONError {
                throw HostError("json.decode: \(e.message)")
            }
        },
    ]
}
