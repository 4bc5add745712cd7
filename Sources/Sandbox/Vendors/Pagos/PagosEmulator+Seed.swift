import Foundation

// Pagos's part of the seed: its sites' users, the credentials it accepts, its settings, its people
// in the default seed and in generated seeds.

extension SandboxCredentials {
    public struct Pagos: Codable, Sendable, Equatable, SeedPart {
        /// Static Bearer token (accepted as is, never expires).
        public var token: String
        public var clientId: String
        public var clientSecret: String
        enum CodingKeys: String, CodingKey { case token, clientId = "client_id", clientSecret = "client_secret" }
    }
}

extension SandboxSeed {
    public struct PagosData: Codable, Sendable, Equatable, SeedRecords {
        public var sites: [PagosSite] = []
    }
}

public struct PagosSite: Codable, Sendable, Equatable {
    public var siteId: Int
    public var users: [PagosUser]
    enum CodingKeys: String, CodingKey { case siteId = "site_id", users }
}

extension SandboxSettings {
    /// Lifetime in seconds of the tokens `POST /pagos/connect/token` issues (`expires_in`).
    public var pagosTokenLifetime: Int {
        get { self[PagosEmulator.self].tokenLifetime }
        set { self[PagosEmulator.self].tokenLifetime = newValue }
    }
}

extension PagosEmulator {
    static let defaultCredentials = SandboxCredentials.Pagos(
        token: "sandbox-pagos-Do3l2l3uLdmYX76uBufLzuuhFPOEnRZD",
        clientId: "erasure-sandbox",
        clientSecret: "sandbox-pagos-client-secret-7c41e09b")

    /// Site 1: 15 pioneers, Ada among them, then Grace; site 2: 3 users (one name also on site 1).
    static var defaultRecords: SandboxSeed.PagosData {
        var site1: [PagosUser] = []
        for (i, (f, l)) in SampleNames.pioneers.dropFirst(20).prefix(15).enumerated() {
            site1.append(PagosUser(userName: SampleNames.slug(f, l, sep: "."), firstName: f, lastName: l,
                                   emailAddress: SampleNames.slug(f, l, sep: ".") + "@example.com",
                                   roleId: i % 4 == 0 ? 2 : 3, groupId: [1]))
            if i == 4 {
                site1.append(PagosUser(userName: SandboxSeed.Sample.adaPagosUserName, firstName: SampleNames.ada.first,
                                       lastName: SampleNames.ada.last, emailAddress: SandboxSeed.Sample.adaEmail,
                                       roleId: 3, groupId: [1, 2]))
            }
        }
        site1.append(PagosUser(userName: SandboxSeed.Sample.gracePagosUserName, firstName: SampleNames.grace.first,
                               lastName: SampleNames.grace.last, emailAddress: SandboxSeed.Sample.graceEmail,
                               roleId: 2, groupId: [1]))
        let site2 = [("Alan", "Turing"), ("Barbara", "Liskov"), ("Leslie", "Lamport")].map { f, l in
            PagosUser(userName: SampleNames.slug(f, l, sep: "."), firstName: f, lastName: l,
                      emailAddress: SampleNames.slug(f, l, sep: ".") + "@example.org", roleId: 3, groupId: [4])
        }
        return SandboxSeed.PagosData(sites: [PagosSite(siteId: SandboxSeed.Sample.pagosSiteId, users: site1),
                                             PagosSite(siteId: SandboxSeed.Sample.pagosSecondSiteId, users: site2)])
    }

    /// On site 1 (added when missing).
    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SandboxSeed.PagosData) {
        if !records.sites.contains(where: { $0.siteId == 1 }) { records.sites.append(PagosSite(siteId: 1, users: [])) }
        let site = records.sites.firstIndex { $0.siteId == 1 }!
        for i in people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            records.sites[site].users.append(PagosUser(userName: p.pagosUserName, firstName: SandboxSeed.GeneratedPerson.firstName,
                                                       lastName: p.lastName, emailAddress: p.email, roleId: 3, groupId: [1]))
        }
    }

    /// The client-credentials variant, the static token as a comment.
    static func config(baseURL: String, credentials c: SandboxCredentials.Pagos) -> String {
        """
        base_url = \(toml(baseURL + prefix))
        site_id = 1
        token_url = \(toml(baseURL + prefix + "/connect/token"))
        client_id = \(toml(c.clientId))
        client_secret = \(toml(c.clientSecret))
        # token = \(toml(c.token))   # static Bearer alternative, also accepted
        """
    }
}
