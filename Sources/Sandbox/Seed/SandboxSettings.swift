/// The seed's `settings`: one flat object holding the request log's limit and every emulator's own
/// keys (`settings.engagelabRateLimit`, declared with each emulator).
public struct SandboxSettings: Codable, Sendable, Equatable {
    /// The request log keeps the most recent N requests (older ones are dropped; `seq` keeps counting).
    public var requestLogLimit: Int
    var parts: SeedParts

    enum CodingKeys: String, CodingKey {
        case requestLogLimit = "request_log_limit"
    }

    /// Every emulator's defaults.
    public init(requestLogLimit: Int = 100_000) {
        self.requestLogLimit = requestLogLimit
        parts = SeedParts { $0.defaultSettingsPart }
    }

    /// An emulator's settings.
    subscript<E: VendorEmulator>(emulator: E.Type) -> E.Settings {
        get { parts[emulator] }
        set { parts[emulator] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestLogLimit = try c.decodeIfPresent(Int.self, forKey: .requestLogLimit) ?? SandboxSettings().requestLogLimit
        parts = try SeedParts { try $0.decodeSettings(from: decoder) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requestLogLimit, forKey: .requestLogLimit)
        // Each emulator writes its keys into this same object: an encoder hands every request for
        // a keyed container the one it already made.
        try parts.forEach { _, part in try part.encode(to: encoder) }
    }
}
