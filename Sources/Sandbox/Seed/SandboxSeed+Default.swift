// The default seed (deterministic: no randomness, no clock) and the generator of extra people:
// each emulator adds its own records; the ids of the sample and generated people are listed here.

extension SandboxSeed {
    /// Realistic users at every vendor, the sample people of the team brief included
    /// (Ada Lovelace and Grace Hopper everywhere; their ids at each vendor: `Sample`).
    public static let `default`: SandboxSeed = {
        var seed = SandboxSeed()
        for emulator in VendorEmulators.all { emulator.putDefaultRecords(into: &seed) }
        return seed
    }()

    /// Ids of the sample people of the team brief (present at every vendor).
    public enum Sample {
        public static let adaDragonPassId = "3EF5D065-76F8-4D3E-801A-B329D15F461A"
        public static let adaPagosUserName = "ada.lovelace"
        public static let adaEngageLabAlias = "ada_lovelace"
        public static let adaEngageLabDevices = ["1a0018970a8b1c2d3e4", "1a0018970a8b1c2d3e5"]
        public static let adaGafaPayId = "6f1b82443e524459831de59d430a0c41"
        public static let adaCubiCasaId = "5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f"
        public static let adaEmail = "ada@example.com"
        /// The SCIM service's id and externalId of Ada (her userName is `adaPagosUserName`).
        public static let adaSCIMId = "2819c223-7f76-453a-919d-413861904646"
        public static let adaSCIMExternalId = "ext-ada-1815"

        public static let graceDragonPassId = "8D4B2F61-3A7C-4E95-B0D8-6C1E9F2A7B34"
        public static let gracePagosUserName = "grace.hopper"
        public static let graceEngageLabAlias = "grace_hopper"
        public static let graceEngageLabDevices = ["1a0018970a8b1c2d3f6"]
        public static let graceGafaPayId = "9a2c4e6f8b0d1e3f5a7c9e1b3d5f7a9c"
        public static let graceCubiCasaId = "c7a1e2d3-4b5f-4a6e-8d7c-9b0a1f2e3d4c"
        public static let graceEmail = "grace@example.com"
        public static let graceSCIMId = "6d8c1e2f-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
        /// A SCIM userName holding a double quote: a filter on it must escape it (RFC 7644 §3.4.2.2).
        public static let quotedSCIMUserName = "miles.o\"brien"

        /// A GafaPay user whose DELETE fails with BASE_ERROR_IN_REMOVING (`removable: false`).
        public static let unremovableGafaPayId = "d41d8cd98f00b204e9800998ecf8427e"
        /// Pagos site ids in the default seed.
        public static let pagosSiteId = 1
        public static let pagosSecondSiteId = 2
    }

    /// Ids of generated person `index` (1-based), as `generated(people:)` creates them.
    public struct GeneratedPerson: Sendable, Equatable {
        public let index: Int
        /// dragonpass `clientUserId`: `user-0042`
        public var dragonpassId: String { "user-\(Self.pad(index))" }
        /// pagos `UserName` on site 1: `user0042`
        public var pagosUserName: String { "user\(Self.pad(index))" }
        /// engagelab alias `user_0042`, bound to one android device `rid0042`
        public var engagelabAlias: String { "user_\(Self.pad(index))" }
        public var engagelabRegistrationId: String { "rid\(Self.pad(index))" }
        /// gafapay id: `fe` + the index in decimal, zero-padded to 30 digits (32 hex chars)
        public var gafapayId: String { "fe" + String(repeating: "0", count: max(0, 30 - String(index).count)) + String(index) }
        /// cubicasa id: `00000000-0000-4000-8000-` + the index zero-padded to 12 digits
        public var cubicasaId: String {
            "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - String(index).count)) + String(index)
        }
        /// scim id: `00000000-0000-4000-9000-` + the index zero-padded to 12 digits (userName as pagos)
        public var scimId: String {
            "00000000-0000-4000-9000-" + String(repeating: "0", count: max(0, 12 - String(index).count)) + String(index)
        }
        /// email (dragonpass, pagos, gafapay, cubicasa, scim): `user0042@example.com`
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
