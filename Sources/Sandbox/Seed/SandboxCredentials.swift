/// The credentials the emulators accept, one entry per emulator under its name
/// (`credentials.cubicasa`: see `SeedPartNames`). `configTOML()` prints them; docs/sandbox.md
/// lists the defaults.
@dynamicMemberLookup
public struct SandboxCredentials: Codable, Sendable, Equatable {
    var parts: SeedParts

    /// Fixed sandbox credentials (not secrets: they only open the local emulators).
    public static let `default` = SandboxCredentials(parts: SeedParts { $0.defaultCredentialsPart })

    init(parts: SeedParts) { self.parts = parts }

    /// An emulator's credentials by its name: `credentials.cubicasa`.
    public subscript<R, C>(dynamicMember name: KeyPath<SeedPartNames, SeedPartName<R, C>>) -> C {
        get { parts[SeedPartNames.emulator(name)] }
        set { parts[SeedPartNames.emulator(name)] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SeedKey.self)
        parts = try SeedParts { try $0.decodeCredentials(from: c) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SeedKey.self)
        try parts.forEach { emulator, part in try c.encode(part, forKey: SeedKey(emulator.name)) }
    }
}
