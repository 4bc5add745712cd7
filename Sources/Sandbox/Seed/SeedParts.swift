/// One `SeedPart` per emulator, each of its emulator's own type, keyed by emulator name. Filled
/// for every emulator of `VendorEmulators.all` when made, so two are equal exactly when every part is.
struct SeedParts: Sendable, Equatable {
    private var parts: [String: any SeedPart] = [:]

    init(_ part: (any VendorEmulator.Type) throws -> any SeedPart) rethrows {
        for emulator in VendorEmulators.all { parts[emulator.name] = try part(emulator) }
    }

    /// The part of `emulator`, as the type it was stored with (its emulator's type for it: callers
    /// get `Part` from the emulator, or from a `SeedPartName` made from it).
    subscript<Part>(emulator: any VendorEmulator.Type) -> Part {
        get { parts[emulator.name] as! Part }  // present since `init`
        set { parts[emulator.name] = (newValue as! any SeedPart) }
    }

    /// Each emulator with its part, in `VendorEmulators.all` order.
    func forEach(_ body: (any VendorEmulator.Type, any SeedPart) throws -> Void) rethrows {
        for emulator in VendorEmulators.all { try body(emulator, parts[emulator.name]!) }
    }

    static func == (a: SeedParts, b: SeedParts) -> Bool {
        a.parts.count == b.parts.count && a.parts.allSatisfy { name, part in b.parts[name].map(part.isEqual) ?? false }
    }
}

/// A key of a seed object named at run time: an emulator's name.
struct SeedKey: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }

    static let credentials = SeedKey("credentials")
    static let settings = SeedKey("settings")
}
