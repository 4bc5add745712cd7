import Hummingbird

/// One vendor's API, emulated under `/NAME/…` on the sandbox's port.
///
/// Everything about a vendor lives in its emulator type: its routes and answers, the state it keeps
/// (`State`, which also fixes its part of the seed: records, credentials, settings), the default
/// seed's people, its `[vendors.NAME]` table in the printed erasure.toml and its line in
/// `erasure sandbox --help`. The rest of the sandbox (request log, fault injection, control
/// endpoints, seed files) knows the vendors only through `VendorEmulators.all`: adding one is its
/// file plus one line there.
protocol VendorEmulator: Sendable {
    /// What it keeps while running, behind `state`'s lock.
    associatedtype State: EmulatorState
    typealias Records = State.Records
    typealias Credentials = State.Credentials
    typealias Settings = State.Settings

    /// The documented API prefix it answers under (`/cubicasa/api/integrate/v3`); its first
    /// segment is its `name`.
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

    init(state: LockedState<State>)
    var state: LockedState<State> { get }
    /// Answers a request under `prefix`.
    func respond(to request: VendorRequest) -> Response
    /// The answer for a path under `/NAME` but outside `prefix`.
    var outsidePrefix: Response { get }
}

extension VendorEmulator {
    /// The first segment of `prefix`: its path segment, its key in seeds and in `credentials`, its
    /// `[vendors.NAME]` table.
    static var name: String { String(prefix.split(separator: "/").first ?? "") }
}

/// What an emulator keeps while running: made from a seed's parts, which its types fix (the
/// emulator's `Records`, `Credentials`, `Settings`), and read back in the seed format.
protocol EmulatorState: Sendable {
    /// Its records in a seed and in `GET /_sandbox/state` (`"NAME": {…}`); a seed without them starts empty.
    associatedtype Records: SeedRecords
    /// What the emulator accepts (`"credentials": {"NAME": {…}}`); a seed without them gets the defaults.
    associatedtype Credentials: SeedPart
    /// Its keys in the flat `"settings"` object, each with its default.
    associatedtype Settings: SeedSettings

    init(records: Records, credentials: Credentials, settings: Settings)
    /// Replaced by `fresh`, made from the seed `POST /_sandbox/reset` returns to, unless it keeps something.
    mutating func reset(to fresh: Self)
    /// Its records now (it may first settle what is due).
    mutating func records() -> Records
}

extension EmulatorState {
    mutating func reset(to fresh: Self) { self = fresh }
}
