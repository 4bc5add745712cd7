// The default seed (deterministic: no randomness, no clock) and the generator of extra people.
// Each emulator adds its own records, sample ids and generated ids, in its own folder.

extension SandboxSeed {
    /// Realistic users at every vendor, the sample people of the team brief included
    /// (Ada Lovelace and Grace Hopper everywhere; their ids at each vendor: `Sample`).
    public static let `default`: SandboxSeed = {
        var seed = SandboxSeed()
        for emulator in VendorEmulators.all { emulator.putDefaultRecords(into: &seed) }
        return seed
    }()

    /// Ids of the sample people of the team brief, present at every vendor (each emulator adds its own).
    public enum Sample {
        public static let adaEmail = "ada@example.com"
        public static let graceEmail = "grace@example.com"
    }

    /// Ids of generated person `index` (1-based), as `generated(people:)` creates them (each
    /// emulator adds its own).
    public struct GeneratedPerson: Sendable, Equatable {
        public let index: Int
        /// email (every vendor that keeps one): `user0042@example.com`
        public var email: String { "user\(Self.pad(index))@example.com" }
        /// first and last name (every vendor that keeps names): Test User0042
        static let firstName = "Test"
        var lastName: String { "User\(Self.pad(index))" }
        public init(index: Int) { self.index = index }

        /// At least 4 digits: `0042`, `12345`.
        static func pad(_ i: Int) -> String {
            let s = String(i)
            return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
        }
    }

    /// The default seed plus `people` generated people (indexes 1...people) present at every vendor.
    public static func generated(people: Int) -> SandboxSeed {
        var seed = SandboxSeed.default
        if people >= 1 { seed.addGeneratedPeople(1...people) }
        return seed
    }

    /// Adds the generated people of `indexes` (those >= 1) at every vendor (see `GeneratedPerson`).
    public mutating func addGeneratedPeople(_ indexes: ClosedRange<Int>) {
        guard indexes.upperBound >= 1 else { return }
        let people = max(indexes.lowerBound, 1)...indexes.upperBound
        for emulator in VendorEmulators.all { emulator.addGeneratedPeople(people, into: &self) }
    }
}
