/// A part of the seed that one emulator owns (its records, credentials or settings). The sandbox
/// reads and writes it as JSON under the emulator's name without knowing its type (`SeedParts`);
/// the emulator, and Swift callers through its `SeedPartName`, get it back typed.
protocol SeedPart: Codable, Sendable, Equatable {}

/// An emulator's records; `init()` is the empty state of a seed that leaves them out.
protocol SeedRecords: SeedPart {
    init()
}

/// An emulator's settings; `init()` has every default. Its keys share the seed's flat `settings`
/// object with the other emulators' (prefix them with the emulator's name), each decoded with
/// `decodeIfPresent` and its default.
protocol SeedSettings: SeedPart {
    init()
}

/// The settings of an emulator that has none.
struct NoSettings: SeedSettings {
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
}

extension SeedPart {
    func isEqual(_ other: any SeedPart) -> Bool {
        (other as? Self) == self
    }
}
