/// Every emulator's name for Swift callers, declared in the emulator's folder as
/// `extension SeedPartNames { public var cubicasa: SeedPartName<…> { SeedPartName(CubiCasaEmulator.self) } }`:
/// `seed.cubicasa` is then its records and `seed.credentials.cubicasa` its credentials, typed.
public struct SeedPartNames: Sendable {
    static func emulator<R, C>(_ name: KeyPath<SeedPartNames, SeedPartName<R, C>>) -> any VendorEmulator.Type {
        SeedPartNames()[keyPath: name].emulator
    }
}

/// One emulator, with the types of its records and credentials (checked when it is made).
public struct SeedPartName<Records, Credentials>: Sendable {
    let emulator: any VendorEmulator.Type

    init<E: VendorEmulator>(_ emulator: E.Type) where E.Records == Records, E.Credentials == Credentials {
        self.emulator = emulator
    }
}
