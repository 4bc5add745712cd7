import ErasureHost
import Foundation

/// A person's identity as the operator gave it: `KEY=VALUE` pairs, where a key may be scoped to
/// one vendor as `VENDOR.KEY` (Contract 3). An unscoped key goes to every vendor that accepts it;
/// a scoped one only to its vendor, and wins over an unscoped key of the same name.
public struct Identity: Sendable, Equatable {
    public private(set) var unscoped: [String: String] = [:]
    public private(set) var scoped: [String: [String: String]] = [:]

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
        guard !key.isEmpty else { throw IdentityError.malformed("\(rawKey)=\(value)") }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return }  // an empty cell is "not given", never an empty id
        if let dot = key.firstIndex(of: ".") {
            let vendor = String(key[..<dot]), name = String(key[key.index(after: dot)...])
            guard !vendor.isEmpty, !name.isEmpty else { throw IdentityError.malformed("\(rawKey)=\(value)") }
            scoped[vendor, default: [:]][name] = trimmed
        } else {
            unscoped[key] = trimmed
        }
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
}

public enum IdentityError: Error, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let s):
            return "'\(s)' is not an identity: write KEY=VALUE (e.g. email=a@b.c) or VENDOR.KEY=VALUE (e.g. cubicasa.id=42)"
        }
    }
}
