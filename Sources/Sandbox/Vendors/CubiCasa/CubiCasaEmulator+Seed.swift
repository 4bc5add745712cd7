// CubiCasa's part of the seed: its users, the credentials it accepts, its people in the default
// seed and in generated seeds.

extension SandboxCredentials {
    public struct CubiCasa: Codable, Sendable, Equatable, SeedPart {
        public var apiKey: String
        enum CodingKeys: String, CodingKey { case apiKey = "api_key" }
    }
}

extension CubiCasaEmulator {
    static let defaultCredentials = SandboxCredentials.CubiCasa(apiKey: "sandbox-cubicasa-api-key-91c3d5e7")

    /// 58 pioneers, Grace at index 10 and Ada at index 45 (the third page at limit 20): 60 users.
    static var defaultRecords: SeedUsers<CubiCasaUser> {
        var users: [CubiCasaUser] = []
        let roles = ["User", "User", "Collaborator", "User", "Manager", "User", "Collaborator"]
        for (i, (f, l)) in SampleNames.pioneers.prefix(58).enumerated() {
            users.append(CubiCasaUser(id: SampleNames.uuid("cubicasa:\(f) \(l)"), email: SampleNames.slug(f, l, sep: ".") + "@example.com",
                                      name: i % 9 == 8 ? nil : f, surname: i % 9 == 8 ? nil : l,
                                      role: i == 0 ? "Manager" : roles[i % roles.count], emailConfirmed: i % 11 != 10,
                                      createdAt: 1_760_700_135 + Double(i) * 86_400))
        }
        let sample = SandboxSeed.Sample.self
        users.insert(CubiCasaUser(id: sample.graceCubiCasaId, email: sample.graceEmail, name: SampleNames.grace.first,
                                  surname: SampleNames.grace.last, role: "Manager", emailConfirmed: true,
                                  createdAt: 1_760_700_135 + 9.5 * 86_400), at: 10)
        users.insert(CubiCasaUser(id: sample.adaCubiCasaId, email: sample.adaEmail, name: SampleNames.ada.first,
                                  surname: SampleNames.ada.last, role: "User", emailConfirmed: true,
                                  createdAt: 1_760_700_135 + 44.5 * 86_400), at: 45)
        return SeedUsers(users: users)
    }

    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SeedUsers<CubiCasaUser>) {
        for i in people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            records.users.append(CubiCasaUser(id: p.cubicasaId, email: p.email, name: SandboxSeed.GeneratedPerson.firstName,
                                              surname: p.lastName, role: "User", emailConfirmed: true,
                                              createdAt: 1_760_700_135 + Double(i) * 60))
        }
    }

    static func config(baseURL: String, credentials c: SandboxCredentials.CubiCasa) -> String {
        """
        base_url = \(toml(baseURL + prefix))
        api_key = \(toml(c.apiKey))
        """
    }
}
