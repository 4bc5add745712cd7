import ErasureHost
import Foundation

/// A person's identity as the operator gave it: `KEY=VALUE` pairs, where a key may be scoped to
/// one vendor as `VENDOR.KEY` (Contract 3). An unscoped key goes to every vendor that accepts it;
/// a scoped one only to its vendor, and wins over an unscoped key of the same name.
///
/// Nothing is skipped silently: a value with a control character is refused here, and every key
/// must be one a configured vendor accepts (`checkKeys`), so a mistyped column is an error, not a
/// vendor quietly left out.
public struct Identity: Sendable, Equatable {
    public private(set) var unscoped: [String: String] = [:]
    public private(set) var scoped: [String: [String: String]] = [:]
    /// Every key given, in order, empty values included: what `checkKeys` checks.
    public private(set) var keys: [String] = []

    public init() {}

    /// Parses `KEY=VALUE` arguments.
    public init(arguments: [String]) throws {
        for argument in arguments {
            guard let eq = argument.firstIndex(of: "=") else {
                throw IdentityError.malformed(argument)
            }
            try set(String(argument[..<eq]), String(argument[argument.index(after: eq)...]))
        }
    }

    public mutating func set(_ rawKey: String, _ value: String) throws {
        let key = rawKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !Identity.hasControlCharacter(key) else { throw IdentityError.malformed("\(rawKey)=\(value)") }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if Identity.hasControlCharacter(trimmed) { throw IdentityError.controlCharacter(key: key) }
        var vendor: String?, name = key
        if let dot = key.firstIndex(of: ".") {
            vendor = String(key[..<dot])
            name = String(key[key.index(after: dot)...])
            guard !vendor!.isEmpty, !name.isEmpty else { throw IdentityError.malformed("\(rawKey)=\(value)") }
        }
        keys.append(key)
        if trimmed.isEmpty { return }  // an empty cell is "not given", never an empty id
        if let vendor { scoped[vendor, default: [:]][name] = trimmed } else { unscoped[key] = trimmed }
    }

    public var isEmpty: Bool { unscoped.isEmpty && scoped.values.allSatisfy(\.isEmpty) }

    /// The keys this vendor accepts, with their values: what the plugin is given (nothing else:
    /// a vendor never sees identity it does not need).
    public func forVendor(_ vendor: String, accepts: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for key in accepts {
            if let v = scoped[vendor]?[key] { out[key] = v } else if let v = unscoped[key] { out[key] = v }
        }
        return out
    }

    /// Every pair, scoped keys written `vendor.key`, for reports.
    public var flattened: [String: String] {
        var out = unscoped
        for (vendor, keys) in scoped { for (k, v) in keys { out["\(vendor).\(k)"] = v } }
        return out
    }

    /// A C0 or C1 control character (NUL, line breaks, escape, DEL...): never part of an identity,
    /// and a value carrying one would reach a vendor as something other than what was meant.
    static func hasControlCharacter(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Refuses the first key that reaches no vendor: an unscoped key no vendor in `accepted`
    /// (vendor → its identity keys) takes, or `VENDOR.KEY` whose vendor is not among them or does
    /// not take the key. `plugins`: every plugin found, to say when a vendor is only unconfigured.
    public static func checkKeys(_ keys: [String], accepted: [String: [String]], plugins: Set<String>) throws {
        let vendors = accepted.keys.sorted()
        let allKeys = Set(accepted.values.flatMap { $0 })
        for key in keys {
            guard let dot = key.firstIndex(of: ".") else {
                if allKeys.contains(key) { continue }
                let hint = closestMatch(key, in: allKeys).map { "did you mean \($0)? " } ?? ""
                throw IdentityError.unknownKey(key, "no configured vendor takes an identity key \(key); \(hint)"
                    + "(\(vendors.map { "\($0): \(accepted[$0]!.joined(separator: ", "))" }.joined(separator: "; ")))")
            }
            let vendor = String(key[..<dot]), name = String(key[key.index(after: dot)...])
            guard let names = accepted[vendor] else {
                let scopedKeys = vendors.flatMap { v in accepted[v]!.map { "\(v).\($0)" } }
                let hint = closestMatch(key, in: scopedKeys).map { "did you mean \($0)? " }
                    ?? closestMatch(vendor, in: vendors).map { "did you mean \($0)? " } ?? ""
                let why = plugins.contains(vendor)
                    ? "vendor \(vendor) is not one this command acts on; " : "there is no vendor \(vendor); "
                throw IdentityError.unknownKey(key, why + hint + "(it acts on: \(vendors.joined(separator: ", ")))")
            }
            if names.contains(name) { continue }
            let hint = closestMatch(name, in: names).map { "did you mean \(vendor).\($0)? " } ?? ""
            throw IdentityError.unknownKey(key, "\(vendor) takes no identity key \(name); \(hint)"
                + "(\(vendor) takes: \(names.joined(separator: ", ")))")
        }
    }
}

public enum IdentityError: Error, CustomStringConvertible {
    case malformed(String)
    case controlCharacter(key: String)
    case invalidUTF8(String)
    /// A key that reaches no configured vendor, and why.
    case unknownKey(String, String)

    public var description: String {
        switch self {
        case .malformed(let s):
            return "'\(s)' is not an identity: write KEY=VALUE (e.g. email=a@b.c) or VENDOR.KEY=VALUE (e.g. cubicasa.id=42)"
        case .controlCharacter(let key):
            return "the value of \(key) contains a control character (a NUL, a line break, an escape...): not an identity"
        case .invalidUTF8(let what):
            return "\(what) is not valid UTF-8: identities are text"
        case .unknownKey(let key, let why):
            return "\(key): \(why)"
        }
    }
}
