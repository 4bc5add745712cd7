import Foundation

// GafaPay's part of the seed: its users, the credentials it accepts, its people in the default seed
// and in generated seeds.

extension SandboxCredentials {
    public struct GafaPay: Codable, Sendable, Equatable, SeedPart {
        public var companyId: String
        /// Sent as `authorization: Token <token>`.
        public var token: String
        enum CodingKeys: String, CodingKey { case companyId = "company_id", token }
    }
}

extension GafaPayEmulator {
    static let defaultCredentials = SandboxCredentials.GafaPay(
        companyId: "59388167894b4d10a04fe5da3b8a2104",
        token: "sandbox-gafapay-admin-token-0b7e4f2a")

    /// 20 pioneers (customers, merchants, agents, various statuses), Ada and Grace among them, then
    /// one merchant that cannot be removed.
    static var defaultRecords: SeedUsers<GafaPayUser> {
        var users: [GafaPayUser] = []
        for (i, (f, l)) in SampleNames.pioneers.dropFirst(35).prefix(20).enumerated() {
            var g = customer(id: String(SampleNames.hex("gafapay:\(f) \(l)").prefix(32)), first: f, last: l,
                             email: SampleNames.slug(f, l, sep: ".") + "@example.com",
                             phone: String(format: "77%07d", 1_200_000 + i * 37), seq: 100 + i)
            g.userType = [2, 2, 3, 2, 5][i % 5]
            if g.userType == 3 { g.userCode = String(format: "MER_%06d", 100 + i) }
            if g.userType == 5 { g.userCode = String(format: "AGT_%06d", 100 + i) }
            g.statusId = [1, 1, 1, 2, 1, 5, 1, 4, 1, 3][i % 10]
            g.kycProcessStatus = [4, 4, 3, 1, 4, 2][i % 6]
            g.kycStatus = g.kycProcessStatus == 4 ? 2 : 1
            users.append(g)
        }
        let sample = SandboxSeed.Sample.self
        var ada = customer(id: sample.adaGafaPayId, first: SampleNames.ada.first, last: SampleNames.ada.last,
                           email: sample.adaEmail, phone: "771234567", seq: 1)
        ada.statusId = 1; ada.kycStatus = 2; ada.kycProcessStatus = 4
        var grace = customer(id: sample.graceGafaPayId, first: SampleNames.grace.first, last: SampleNames.grace.last,
                             email: sample.graceEmail, phone: "771234568", seq: 2)
        grace.statusId = 1; grace.kycStatus = 1; grace.kycProcessStatus = 1
        var stuck = customer(id: sample.unremovableGafaPayId, first: "Konrad", last: "Zuse",
                             email: "konrad.zuse@example.com", phone: "771234569", seq: 3)
        stuck.userType = 3
        stuck.userCode = "MER_000003"
        stuck.removable = false
        users.insert(ada, at: 5)
        users.insert(grace, at: 12)
        users.append(stuck)
        return SeedUsers(users: users)
    }

    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SeedUsers<GafaPayUser>) {
        for i in people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            var g = customer(id: p.gafapayId, first: SandboxSeed.GeneratedPerson.firstName, last: p.lastName, email: p.email,
                             phone: "88" + String(format: "%07d", i % 10_000_000), seq: 1000 + i)
            g.kycProcessStatus = 4
            records.users.append(g)
        }
    }

    /// An active, KYC-approved customer with every `user_detail` field filled, derived from `id` and `seq`.
    static func customer(id: String, first: String, last: String, email: String, phone: String, seq: Int) -> GafaPayUser {
        var g = GafaPayUser(id: id)
        g.firstName = first
        g.lastName = last
        g.email = email
        g.dialCode = "+221"
        g.phoneNumber = phone
        g.userType = 2
        g.roleId = "c0a1b2c3d4e5f60718293a4b5c6d7e8f"
        g.updatedDate = 1_757_000_000 + seq * 3600
        g.deviceInfo = .init(deviceId: "dev-\(id.prefix(8))", deviceType: "android", deviceUniqueId: String(id.suffix(16)))
        g.accountNumber = String(format: "22100%07d", seq)
        g.verification = .init(isEmail: true, isPhone: true)
        g.statusId = 1
        g.birthDate = String(format: "19%02d-%02d-%02d", 60 + seq % 40, 1 + seq % 12, 1 + seq % 28)
        g.image = ""
        g.userCode = String(format: "CUS_%06d", seq)
        g.countryId = "SN"
        g.kycStatus = 2
        g.kycProcessStatus = 4
        g.locationPoint = .init(coordinates: [-17.4467, 14.6928])
        g.rating = 0
        // bcrypt-looking hashes (the real API exposes them, docs/vendors.md); not real hashes.
        g.loginPin = "$2b$10$" + String(SampleNames.hex("pin:\(id)").prefix(53))
        g.transactionPin = "$2b$10$" + String(SampleNames.hex("tpin:\(id)").prefix(53))
        g.createdDate = 1_740_000_000 + seq * 3600
        g.createdBy = "e4946877f18946b299fddf0f2133dcba"
        g.parentUserId = ""
        g.displayName = "\(first) \(last)"
        g.displayImage = ""
        g.kycStatusId = ""
        g.reasonCodeId = ""
        g.rejectReason = ""
        g.uniqueDeviceId = String(SampleNames.hex("udid:\(id)").prefix(16))
        return g
    }

    static func config(baseURL: String, credentials c: SandboxCredentials.GafaPay) -> String {
        """
        base_url = \(toml(baseURL + prefix))
        company_id = \(toml(c.companyId))
        token = \(toml(c.token))
        """
    }
}
