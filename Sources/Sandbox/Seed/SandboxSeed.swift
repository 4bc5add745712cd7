import Foundation

/// The sandbox's state, as loaded from a seed (JSON, `erasure sandbox --seed FILE`) and as returned
/// by `GET /_sandbox/state`: `credentials`, `settings`, and each emulator's records under its name
/// (`seed.cubicasa`: see `SeedPartNames`; vendor records use the vendor's own field names, format
/// in docs/sandbox.md). Every section may be left out of a seed file: credentials and
/// settings take their defaults, an emulator's records are empty.
@dynamicMemberLookup
public struct SandboxSeed: Codable, Sendable, Equatable {
    public var credentials: SandboxCredentials
    public var settings: SandboxSettings
    var records: SeedParts

    /// No records at any vendor.
    public init(credentials: SandboxCredentials = .default, settings: SandboxSettings = .init()) {
        self.credentials = credentials
        self.settings = settings
        records = SeedParts { $0.emptyRecordsPart }
    }

    /// An emulator's records by its name: `seed.cubicasa`.
    public subscript<R, C>(dynamicMember name: KeyPath<SeedPartNames, SeedPartName<R, C>>) -> R {
        get { records[SeedPartNames.emulator(name)] }
        set { records[SeedPartNames.emulator(name)] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SeedKey.self)
        credentials = try c.decodeIfPresent(SandboxCredentials.self, forKey: .credentials) ?? .default
        settings = try c.decodeIfPresent(SandboxSettings.self, forKey: .settings) ?? .init()
        records = try SeedParts { try $0.decodeRecords(from: c) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SeedKey.self)
        try c.encode(credentials, forKey: .credentials)
        try c.encode(settings, forKey: .settings)
        try records.forEach { emulator, part in try c.encode(part, forKey: SeedKey(emulator.name)) }
    }

    /// Parses a seed (JSON). Errors name the offending key path.
    public static func load(json data: Data) throws -> SandboxSeed {
        do {
            return try JSONDecoder().decode(SandboxSeed.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw SandboxError("seed: missing key '\(key.stringValue)' at \(Self.path(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SandboxError("seed: wrong type at \(Self.path(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw SandboxError("seed: null value at \(Self.path(ctx.codingPath))")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw SandboxError("seed: invalid JSON at \(Self.path(ctx.codingPath)): \(ctx.debugDescription)")
        }
    }

    public static func load(file path: String) throws -> SandboxSeed {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError("seed: cannot read file \(path)")
        }
        do { return try load(json: data) } catch let e as SandboxError {
            throw SandboxError("\(path): \(e.message)")
        }
    }

    /// The seed as JSON (sorted keys, pretty printed): the `GET /_sandbox/state` format.
    public func jsonData(pretty: Bool = true) -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(self)) ?? Data("{}".utf8)
    }

    private static func path(_ p: [any CodingKey]) -> String {
        p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
