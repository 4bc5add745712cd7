import Synchronization

/// Everything mutable in a running sandbox: the emulators (each guarding its own state), the
/// request log, the fault rules, and the seed a reset returns to.
final class SandboxState: Sendable {
    /// A running emulator and where it answers.
    struct Mounted: Sendable {
        let name: String
        let prefix: String
        let emulator: any VendorEmulator
    }

    /// In `VendorEmulators.all` order.
    let emulators: [Mounted]
    let log: RequestLog
    let faults = FaultRules()
    /// Held through a whole reset, so concurrent resets do not interleave their emulators.
    private let seed: Mutex<SandboxSeed>
    /// where the server listens (for `GET /_sandbox/config`)
    let host: String
    let port = Atomic<Int>(0)

    init(seed: SandboxSeed, host: String) {
        emulators = VendorEmulators.all.map { Mounted(name: $0.name, prefix: $0.prefix, emulator: $0.start(seed: seed)) }
        log = RequestLog(limit: seed.settings.requestLogLimit)
        self.seed = Mutex(seed)
        self.host = host
    }

    /// The emulator owning a path: the one named by its first segment (`/cubicasa/...`).
    func mounted(owning path: String) -> Mounted? {
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        let first = path.utf8.dropFirst().prefix { $0 != UInt8(ascii: "/") }
        return emulators.first { $0.name.utf8.elementsEqual(first) }
    }

    var credentials: SandboxCredentials { seed.withLock { $0.credentials } }

    /// Back to the seed (or to `newSeed`, which then becomes the seed); log and faults cleared.
    func reset(to newSeed: SandboxSeed?) {
        seed.withLock { seed in
            if let newSeed { seed = newSeed }
            for m in emulators { m.emulator.reset(to: seed) }
            log.reset(limit: seed.settings.requestLogLimit)
        }
        faults.clear()
    }

    /// The state now, in the seed format.
    func snapshot() -> SandboxSeed {
        var now = seed.withLock { SandboxSeed(credentials: $0.credentials, settings: $0.settings) }
        for m in emulators { m.emulator.snapshot(into: &now) }
        return now
    }
}
