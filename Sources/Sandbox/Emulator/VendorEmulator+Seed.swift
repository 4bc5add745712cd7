// How an emulator's typed seed parts go in and out of the seed, which holds them untyped
// (`SeedParts`): the generic code that spares each emulator from writing any of it.

extension VendorEmulator {
    static var emptyRecordsPart: any SeedPart { Records() }
    static var defaultSettingsPart: any SeedPart { Settings() }
    static var defaultCredentialsPart: any SeedPart { defaultCredentials }

    static func decodeRecords(from seed: KeyedDecodingContainer<SeedKey>) throws -> any SeedPart {
        try seed.decodeIfPresent(Records.self, forKey: SeedKey(name)) ?? Records()
    }

    static func decodeCredentials(from credentials: KeyedDecodingContainer<SeedKey>) throws -> any SeedPart {
        try credentials.decodeIfPresent(Credentials.self, forKey: SeedKey(name)) ?? defaultCredentials
    }

    /// Its settings, read from the seed's whole (flat) `settings` object.
    static func decodeSettings(from settings: any Decoder) throws -> any SeedPart {
        try Settings(from: settings)
    }

    static func putDefaultRecords(into seed: inout SandboxSeed) {
        seed.records[Self.self] = defaultRecords
    }

    static func addGeneratedPeople(_ people: ClosedRange<Int>, into seed: inout SandboxSeed) {
        addGeneratedPeople(people, to: &seed.records[Self.self])
    }

    /// Its `[vendors.NAME]` table, ending with a newline.
    static func configTable(baseURL: String, credentials: SandboxCredentials) -> String {
        "[vendors.\(name)]\n" + config(baseURL: baseURL, credentials: credentials.parts[Self.self]) + "\n"
    }

    /// A TOML basic string.
    static func toml(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Its state made from `seed`'s parts.
    static func state(from seed: SandboxSeed) -> State {
        State(records: seed.records[Self.self], credentials: seed.credentials.parts[Self.self],
              settings: seed.settings.parts[Self.self])
    }

    static func start(seed: SandboxSeed) -> any VendorEmulator {
        Self(state: LockedState(state(from: seed)))
    }

    func reset(to seed: SandboxSeed) {
        let fresh = Self.state(from: seed)
        state.withLock { $0.reset(to: fresh) }
    }

    /// Puts its state now into `seed`'s records.
    func snapshot(into seed: inout SandboxSeed) {
        seed.records[Self.self] = state.withLock { $0.records() }
    }
}
