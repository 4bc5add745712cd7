// The SCIM service's part of the seed: its users, the bearer token it accepts, its people in the
// default seed and in generated seeds.

extension SandboxCredentials {
    public struct SCIM: Codable, Sendable, Equatable, SeedPart {
        /// Sent as `Authorization: Bearer <token>`.
        public var token: String
    }
}

extension SCIMEmulator {
    static let defaultCredentials = SandboxCredentials.SCIM(token: "sandbox-scim-bearer-token-4d2a8f61")

    /// 18 pioneers, Ada and Grace among them, and Miles O"Brien, whose userName holds a quote
    /// (`SandboxSeed.Sample.quotedSCIMUserName`: a filter must escape it).
    static var defaultRecords: SeedUsers<SCIMUser> {
        var users: [SCIMUser] = []
        for (i, (f, l)) in SampleNames.pioneers.dropFirst(20).prefix(18).enumerated() {
            let email = SampleNames.slug(f, l, sep: ".") + "@example.com"
            users.append(SCIMUser(id: SampleNames.uuid("scim:\(f) \(l)"), userName: SampleNames.slug(f, l, sep: "."),
                                  externalId: "ext-" + String(SampleNames.hex("scim-ext:\(f) \(l)").prefix(12)),
                                  givenName: f, familyName: l, emails: [email], active: i % 7 != 6))
        }
        let sample = SandboxSeed.Sample.self
        users.insert(SCIMUser(id: sample.adaSCIMId, userName: sample.adaPagosUserName, externalId: sample.adaSCIMExternalId,
                              givenName: SampleNames.ada.first, familyName: SampleNames.ada.last, emails: [sample.adaEmail]), at: 3)
        users.insert(SCIMUser(id: sample.graceSCIMId, userName: sample.gracePagosUserName,
                              externalId: "ext-" + String(SampleNames.hex("scim-ext:grace").prefix(12)),
                              givenName: SampleNames.grace.first, familyName: SampleNames.grace.last,
                              emails: [sample.graceEmail]), at: 9)
        users.append(SCIMUser(id: SampleNames.uuid("scim:Miles O'Brien"), userName: sample.quotedSCIMUserName,
                              givenName: "Miles", familyName: "O\"Brien", emails: ["miles.obrien@example.com"]))
        return SeedUsers(users: users)
    }

    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SeedUsers<SCIMUser>) {
        for i in people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            records.users.append(SCIMUser(id: p.scimId, userName: p.pagosUserName, givenName: SandboxSeed.GeneratedPerson.firstName,
                                          familyName: p.lastName, emails: [p.email]))
        }
    }

    static func config(baseURL: String, credentials c: SandboxCredentials.SCIM) -> String {
        """
        base_url = \(toml(baseURL + prefix))
        token = \(toml(c.token))
        """
    }
}
