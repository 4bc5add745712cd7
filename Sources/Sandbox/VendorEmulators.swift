/// Every vendor emulator the sandbox serves, in the order its help, its printed config and its
/// errors list them. Adding an emulator: its type (see `VendorEmulator`) and one line here.
enum VendorEmulators {
    static let all: [any VendorEmulator.Type] = [
        DragonPassEmulator.self,
        PagosEmulator.self,
        EngageLabEmulator.self,
        GafaPayEmulator.self,
        CubiCasaEmulator.self,
        SCIMEmulator.self,
    ]
}
