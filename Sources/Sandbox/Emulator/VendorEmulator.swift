import Hummingbird

/// One vendor's API, emulated under `/NAME/…` on the sandbox's port.
///
/// Everything about a vendor lives in its emulator type: its routes and answers, the state it keeps,
/// its part of the seed (records, credentials, settings, the default seed's people), its
/// `[vendors.NAME]` table in the printed erasure.toml and its line in `erasure sandbox --help`.
/// The rest of the sandbox (request log, fault injection, control endpoints, seed files) knows the
/// vendors only through `VendorEmulators.all`: adding one is its file plus one line there.
protocol VendorEmulator: AnyObject, Sendable {
    /// Its records in a seed and in `GET /_sandbox/state` (`"NAME": {…}`); a seed without them starts empty.
    associatedtype Records: SeedRecords
    /// What it accepts (`"credentials": {"NAME": {…}}`); a seed without them gets `defaultCredentials`.
    associatedtype Credentials: SeedPart
    /// Its keys in the flat `"settings"` object, each with its default.
    associatedtype Settings: SeedSettings = NoSettings

    /// The first path segment, its key in seeds and in `credentials`, its `[vendors.NAME]` table.
    static var name: String { get }
    /// The documented API prefix it answers under (`/cubicasa/api/integrate/v3`); starts with `/NAME`.
    static var prefix: String { get }
    /// The endpoints it serves, relative to `prefix` (its line in `erasure sandbox --help`).
    static var endpoints: String { get }
    static var defaultCredentials: Credentials { get }
    /// Its records in the default seed (deterministic: no randomness, no clock).
    static var defaultRecords: Records { get }
    /// Adds the generated people `people` (1-based; ids in `SandboxSeed.GeneratedPerson`).
    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout Records)
    /// The lines of its `[vendors.NAME]` table: `base_url` and credentials pointing at the sandbox
    /// at `baseURL` (`http://HOST:PORT`).
    static func config(baseURL: String, credentials: Credentials) -> String

    /// Starts with the seed's records, credentials and settings.
    init(records: Records, credentials: Credentials, settings: Settings)
    /// Back to a seed's records, credentials and settings (`POST /_sandbox/reset`).
    func reset(records: Records, credentials: Credentials, settings: Settings)
    /// Its state now, in the seed format.
    func records() -> Records
    /// Answers a request under `prefix`.
    func respond(to request: VendorRequest) -> Response
    /// The answer for a path under `/NAME` but outside `prefix`.
    var outsidePrefix: Response { get }
}
