import Foundation

// DragonPass's part of the seed: its users, the credentials it accepts, its people in the default
// seed and in generated seeds.

extension SandboxCredentials {
    public struct DragonPass: Codable, Sendable, Equatable, SeedPart {
        public var programId: String
        /// Static Bearer token (accepted as is).
        public var token: String
        /// HS256 JWTs signed with `jwtSecret` whose `iss` is `jwtIssuer` and `exp` in the future are accepted too.
        public var jwtIssuer: String
        public var jwtSecret: String
        enum CodingKeys: String, CodingKey {
            case programId = "program_id", token, jwtIssuer = "jwt_issuer", jwtSecret = "jwt_secret"
        }
    }
}

extension DragonPassEmulator {
    static let defaultCredentials = SandboxCredentials.DragonPass(
        programId: "100234",
        token: "sandbox-dragonpass-static-token",
        jwtIssuer: "erasure-sandbox",
        jwtSecret: "sandbox-dragonpass-hs256-secret-5f2b8c1e9a7d4630")

    /// 20 pioneers, Ada among them, then Grace.
    static var defaultRecords: SeedUsers<DragonPassUser> {
        var users: [DragonPassUser] = []
        for (i, (f, l)) in SampleNames.pioneers.prefix(20).enumerated() {
            users.append(DragonPassUser(clientUserId: SampleNames.uuid("dragonpass:\(f) \(l)", uppercase: true),
                                        firstName: f, lastName: l, email: SampleNames.slug(f, l, sep: ".") + "@example.com",
                                        phoneNumber: String(format: "7700%06d", 900_100 + i), callingCode: "44"))
            if i == 7 {
                users.append(DragonPassUser(clientUserId: SandboxSeed.Sample.adaDragonPassId, firstName: SampleNames.ada.first,
                                            lastName: SampleNames.ada.last, email: SandboxSeed.Sample.adaEmail,
                                            phoneNumber: "7700900077", callingCode: "44"))
            }
        }
        users.append(DragonPassUser(clientUserId: SandboxSeed.Sample.graceDragonPassId, firstName: SampleNames.grace.first,
                                    lastName: SampleNames.grace.last, email: SandboxSeed.Sample.graceEmail,
                                    phoneNumber: "2025550143", callingCode: "1"))
        return SeedUsers(users: users)
    }

    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SeedUsers<DragonPassUser>) {
        for i in people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            records.users.append(DragonPassUser(clientUserId: p.dragonpassId, firstName: SandboxSeed.GeneratedPerson.firstName,
                                                lastName: p.lastName, email: p.email,
                                                phoneNumber: "7\(SandboxSeed.GeneratedPerson.pad(p.index))000", callingCode: "44"))
        }
    }

    /// The JWT variant, the static token as a comment.
    static func config(baseURL: String, credentials c: SandboxCredentials.DragonPass) -> String {
        """
        base_url = \(toml(baseURL + prefix))
        program_id = \(toml(c.programId))
        jwt_issuer = \(toml(c.jwtIssuer))
        jwt_secret = \(toml(c.jwtSecret))
        # token = \(toml(c.token))   # static Bearer alternative, also accepted
        """
    }
}
