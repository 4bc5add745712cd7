import Crypto
import Foundation

// The default seed (deterministic: no randomness, no clock) and the generator of extra people.

extension SandboxSeed {
    /// Ids of the sample people of the team brief (present at all five vendors).
    public enum Sample {
        public static let adaDragonPassId = "3EF5D065-76F8-4D3E-801A-B329D15F461A"
        public static let adaPagosUserName = "ada.lovelace"
        public static let adaEngageLabAlias = "ada_lovelace"
        public static let adaEngageLabDevices = ["1a0018970a8b1c2d3e4", "1a0018970a8b1c2d3e5"]
        public static let adaGafaPayId = "6f1b82443e524459831de59d430a0c41"
        public static let adaCubiCasaId = "5b0c8f7e-6d1a-4c2b-9e3f-1a2b3c4d5e6f"
        public static let adaEmail = "ada@example.com"

        public static let graceDragonPassId = "8D4B2F61-3A7C-4E95-B0D8-6C1E9F2A7B34"
        public static let gracePagosUserName = "grace.hopper"
        public static let graceEngageLabAlias = "grace_hopper"
        public static let graceEngageLabDevices = ["1a0018970a8b1c2d3f6"]
        public static let graceGafaPayId = "9a2c4e6f8b0d1e3f5a7c9e1b3d5f7a9c"
        public static let graceCubiCasaId = "c7a1e2d3-4b5f-4a6e-8d7c-9b0a1f2e3d4c"
        public static let graceEmail = "grace@example.com"

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
        /// email (dragonpass, pagos, gafapay, cubicasa): `user0042@example.com`
        public var email: String { "user\(Self.pad(index))@example.com" }
        public init(index: Int) { self.index = index }
        static func pad(_ i: Int) -> String {
            let s = String(i)
            return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
        }
    }

    /// The default seed plus `people` generated people (indexes 1...people) present at all five vendors.
    public static func generated(people: Int) -> SandboxSeed {
        var seed = SandboxSeed.default
        seed.addGeneratedPeople(1...max(people, 0))
        return seed
    }

    /// Adds the generated people of `indexes` (see `GeneratedPerson` for the id formulas).
    public mutating func addGeneratedPeople(_ indexes: ClosedRange<Int>) {
        if indexes.lowerBound > indexes.upperBound || indexes.upperBound < 1 { return }
        if !pagos.sites.contains(where: { $0.siteId == 1 }) { pagos.sites.append(PagosSite(siteId: 1, users: [])) }
        let site = pagos.sites.firstIndex { $0.siteId == 1 }!
        for i in indexes where i >= 1 {
            let p = GeneratedPerson(index: i)
            let last = "User\(GeneratedPerson.pad(i))"
            dragonpass.users.append(DragonPassUser(clientUserId: p.dragonpassId, firstName: "Test", lastName: last,
                                                   email: p.email, phoneNumber: "7\(GeneratedPerson.pad(i))000", callingCode: "44"))
            pagos.sites[site].users.append(PagosUser(userName: p.pagosUserName, firstName: "Test", lastName: last,
                                                     emailAddress: p.email, roleId: 3, groupId: [1]))
            engagelab.devices.append(EngageLabDevice(registrationId: p.engagelabRegistrationId, alias: p.engagelabAlias,
                                                     tags: ["generated"], platform: "android"))
            var g = Self.gafapayCustomer(id: p.gafapayId, first: "Test", last: last, email: p.email,
                                         phone: "88" + String(format: "%07d", i % 10_000_000), seq: 1000 + i)
            g.kycProcessStatus = 4
            gafapay.users.append(g)
            cubicasa.users.append(CubiCasaUser(id: p.cubicasaId, email: p.email, name: "Test", surname: last,
                                               role: "User", emailConfirmed: true,
                                               createdAt: 1_760_700_135 + Double(i) * 60))
        }
    }

    /// Realistic users at every vendor, the sample people of the team brief included
    /// (Ada Lovelace everywhere, on the third page of CubiCasa's `GET /users` at limit 20;
    /// Grace Hopper everywhere, GafaPay KYC pending).
    public static let `default`: SandboxSeed = makeDefault()

    private static let pioneers: [(String, String)] = [
        ("Alan", "Turing"), ("Barbara", "Liskov"), ("Charles", "Babbage"), ("Donald", "Knuth"),
        ("Edsger", "Dijkstra"), ("Frances", "Allen"), ("John", "Backus"), ("Katherine", "Johnson"),
        ("Dennis", "Ritchie"), ("Ken", "Thompson"), ("Margaret", "Hamilton"), ("Niklaus", "Wirth"),
        ("Radia", "Perlman"), ("Tim", "Berners-Lee"), ("Vint", "Cerf"), ("Bob", "Kahn"),
        ("Leslie", "Lamport"), ("Shafi", "Goldwasser"), ("Silvio", "Micali"), ("Whitfield", "Diffie"),
        ("Martin", "Hellman"), ("Ron", "Rivest"), ("Adi", "Shamir"), ("Leonard", "Adleman"),
        ("John", "McCarthy"), ("Marvin", "Minsky"), ("Claude", "Shannon"), ("John", "von Neumann"),
        ("Alonzo", "Church"), ("Kurt", "Godel"), ("Hedy", "Lamarr"), ("Annie", "Easley"),
        ("Dorothy", "Vaughan"), ("Mary", "Jackson"), ("Jean", "Bartik"), ("Betty", "Holberton"),
        ("Kathleen", "Booth"), ("Sophie", "Wilson"), ("Steve", "Furber"), ("Guido", "van Rossum"),
        ("Bjarne", "Stroustrup"), ("James", "Gosling"), ("Anders", "Hejlsberg"), ("Chris", "Lattner"),
        ("Brian", "Kernighan"), ("Rob", "Pike"), ("Jim", "Gray"), ("Michael", "Stonebraker"),
        ("Edgar", "Codd"), ("Ivan", "Sutherland"), ("Douglas", "Engelbart"), ("Alan", "Kay"),
        ("Adele", "Goldberg"), ("Butler", "Lampson"), ("Chuck", "Thacker"), ("Fernando", "Corbato"),
        ("Ward", "Cunningham"), ("Kent", "Beck"), ("Lynn", "Conway"), ("Jean", "Sammet"),
    ]

    static func hex(_ s: String) -> String {
        SHA256.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Deterministic UUID (version-4 shaped) from a string.
    static func uuid(_ s: String, uppercase: Bool = false) -> String {
        var h = Array(hex(s).prefix(32))
        h[12] = "4"
        h[16] = ["8", "9", "a", "b"][Int(String(h[16]), radix: 16)! % 4]
        let str = String(h)
        let parts = [str.prefix(8), str.dropFirst(8).prefix(4), str.dropFirst(12).prefix(4),
                     str.dropFirst(16).prefix(4), str.dropFirst(20)].map(String.init)
        let u = parts.joined(separator: "-")
        return uppercase ? u.uppercased() : u
    }

    static func slug(_ first: String, _ last: String, sep: String) -> String {
        let clean: (String) -> String = { $0.lowercased().filter { $0.isLetter } }
        return clean(first) + sep + clean(last)
    }

    static func gafapayCustomer(id: String, first: String, last: String, email: String, phone: String, seq: Int) -> GafaPayUser {
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
        g.loginPin = "$2b$10$" + String(hex("pin:\(id)").prefix(53))
        g.transactionPin = "$2b$10$" + String(hex("tpin:\(id)").prefix(53))
        g.createdDate = 1_740_000_000 + seq * 3600
        g.createdBy = "e4946877f18946b299fddf0f2133dcba"
        g.parentUserId = ""
        g.displayName = "\(first) \(last)"
        g.displayImage = ""
        g.kycStatusId = ""
        g.reasonCodeId = ""
        g.rejectReason = ""
        g.uniqueDeviceId = String(hex("udid:\(id)").prefix(16))
        return g
    }

    private static func makeDefault() -> SandboxSeed {
        var seed = SandboxSeed()
        let ada = ("Ada", "Lovelace"), grace = ("Grace", "Hopper")

        // DragonPass: 20 pioneers + Ada + Grace
        var dp: [DragonPassUser] = []
        for (i, (f, l)) in pioneers.prefix(20).enumerated() {
            dp.append(DragonPassUser(clientUserId: uuid("dragonpass:\(f) \(l)", uppercase: true), firstName: f, lastName: l,
                                     email: slug(f, l, sep: ".") + "@example.com",
                                     phoneNumber: String(format: "7700%06d", 900_100 + i), callingCode: "44"))
            if i == 7 {
                dp.append(DragonPassUser(clientUserId: Sample.adaDragonPassId, firstName: ada.0, lastName: ada.1,
                                         email: Sample.adaEmail, phoneNumber: "7700900077", callingCode: "44"))
            }
        }
        dp.append(DragonPassUser(clientUserId: Sample.graceDragonPassId, firstName: grace.0, lastName: grace.1,
                                 email: Sample.graceEmail, phoneNumber: "2025550143", callingCode: "1"))
        seed.dragonpass.users = dp

        // Pagos: site 1 with 15 pioneers + Ada + Grace; site 2 with 3 users (one name also on site 1)
        var site1: [PagosUser] = []
        for (i, (f, l)) in pioneers.dropFirst(20).prefix(15).enumerated() {
            site1.append(PagosUser(userName: slug(f, l, sep: "."), firstName: f, lastName: l,
                                   emailAddress: slug(f, l, sep: ".") + "@example.com", roleId: i % 4 == 0 ? 2 : 3, groupId: [1]))
            if i == 4 {
                site1.append(PagosUser(userName: Sample.adaPagosUserName, firstName: ada.0, lastName: ada.1,
                                       emailAddress: Sample.adaEmail, roleId: 3, groupId: [1, 2]))
            }
        }
        site1.append(PagosUser(userName: Sample.gracePagosUserName, firstName: grace.0, lastName: grace.1,
                               emailAddress: Sample.graceEmail, roleId: 2, groupId: [1]))
        let site2 = [("Alan", "Turing"), ("Barbara", "Liskov"), ("Leslie", "Lamport")].map { f, l in
            PagosUser(userName: slug(f, l, sep: "."), firstName: f, lastName: l,
                      emailAddress: slug(f, l, sep: ".") + "@example.org", roleId: 3, groupId: [4])
        }
        seed.pagos.sites = [PagosSite(siteId: Sample.pagosSiteId, users: site1),
                            PagosSite(siteId: Sample.pagosSecondSiteId, users: site2)]

        // EngageLab: Ada's two devices (android + ios), Grace's device, 20 pioneers' devices
        var devices: [EngageLabDevice] = [
            EngageLabDevice(registrationId: Sample.adaEngageLabDevices[0], alias: Sample.adaEngageLabAlias,
                            tags: ["vip", "newsletter"], platform: "android"),
            EngageLabDevice(registrationId: Sample.adaEngageLabDevices[1], alias: Sample.adaEngageLabAlias,
                            tags: ["vip"], platform: "ios"),
            EngageLabDevice(registrationId: Sample.graceEngageLabDevices[0], alias: Sample.graceEngageLabAlias,
                            tags: ["newsletter"], platform: "ios"),
        ]
        let platforms = ["android", "ios", "android", "hmos"]
        for (i, (f, l)) in pioneers.prefix(20).enumerated() {
            let rid = "1a0018970a8b" + String(hex("engagelab:\(f) \(l)").prefix(7))
            devices.append(EngageLabDevice(registrationId: rid, alias: i % 5 == 4 ? nil : slug(f, l, sep: "_"),
                                           tags: i % 2 == 0 ? ["newsletter"] : [], platform: platforms[i % 4]))
        }
        seed.engagelab.devices = devices

        // GafaPay: 20 pioneers (customers, merchants, agents, various statuses) + Ada + Grace + one unremovable
        var gp: [GafaPayUser] = []
        for (i, (f, l)) in pioneers.dropFirst(35).prefix(20).enumerated() {
            var g = gafapayCustomer(id: String(hex("gafapay:\(f) \(l)").prefix(32)), first: f, last: l,
                                    email: slug(f, l, sep: ".") + "@example.com",
                                    phone: String(format: "77%07d", 1_200_000 + i * 37), seq: 100 + i)
            g.userType = [2, 2, 3, 2, 5][i % 5]
            if g.userType == 3 { g.userCode = String(format: "MER_%06d", 100 + i) }
            if g.userType == 5 { g.userCode = String(format: "AGT_%06d", 100 + i) }
            g.statusId = [1, 1, 1, 2, 1, 5, 1, 4, 1, 3][i % 10]
            g.kycProcessStatus = [4, 4, 3, 1, 4, 2][i % 6]
            g.kycStatus = g.kycProcessStatus == 4 ? 2 : 1
            gp.append(g)
        }
        var adaG = gafapayCustomer(id: Sample.adaGafaPayId, first: ada.0, last: ada.1, email: Sample.adaEmail,
                                   phone: "771234567", seq: 1)
        adaG.statusId = 1; adaG.kycStatus = 2; adaG.kycProcessStatus = 4
        var graceG = gafapayCustomer(id: Sample.graceGafaPayId, first: grace.0, last: grace.1, email: Sample.graceEmail,
                                     phone: "771234568", seq: 2)
        graceG.statusId = 1; graceG.kycStatus = 1; graceG.kycProcessStatus = 1
        var stuck = gafapayCustomer(id: Sample.unremovableGafaPayId, first: "Konrad", last: "Zuse",
                                    email: "konrad.zuse@example.com", phone: "771234569", seq: 3)
        stuck.userType = 3
        stuck.userCode = "MER_000003"
        stuck.removable = false
        gp.insert(adaG, at: 5)
        gp.insert(graceG, at: 12)
        gp.append(stuck)
        seed.gafapay.users = gp

        // CubiCasa: 58 pioneers + Ada (index 45: third page at limit 20) + Grace (index 10) = 60 users
        var cc: [CubiCasaUser] = []
        let roles = ["User", "User", "Collaborator", "User", "Manager", "User", "Collaborator"]
        for (i, (f, l)) in pioneers.prefix(58).enumerated() {
            cc.append(CubiCasaUser(id: uuid("cubicasa:\(f) \(l)"), email: slug(f, l, sep: ".") + "@example.com",
                                   name: i % 9 == 8 ? nil : f, surname: i % 9 == 8 ? nil : l,
                                   role: i == 0 ? "Manager" : roles[i % roles.count], emailConfirmed: i % 11 != 10,
                                   createdAt: 1_760_700_135 + Double(i) * 86_400))
        }
        cc.insert(CubiCasaUser(id: Sample.graceCubiCasaId, email: Sample.graceEmail, name: grace.0, surname: grace.1,
                               role: "Manager", emailConfirmed: true, createdAt: 1_760_700_135 + 9.5 * 86_400), at: 10)
        cc.insert(CubiCasaUser(id: Sample.adaCubiCasaId, email: Sample.adaEmail, name: ada.0, surname: ada.1,
                               role: "User", emailConfirmed: true, createdAt: 1_760_700_135 + 44.5 * 86_400), at: 45)
        seed.cubicasa.users = cc
        return seed
    }
}
