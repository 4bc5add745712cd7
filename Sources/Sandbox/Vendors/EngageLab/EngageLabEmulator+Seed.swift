import Foundation

// EngageLab's part of the seed: its devices, the credentials it accepts, its settings, its people
// in the default seed and in generated seeds.

extension SandboxCredentials {
    public struct EngageLab: Codable, Sendable, Equatable, SeedPart {
        public var appKey: String
        public var masterSecret: String
        enum CodingKeys: String, CodingKey { case appKey = "app_key", masterSecret = "master_secret" }
    }
}

extension SandboxSeed {
    public struct EngageLabData: Codable, Sendable, Equatable, SeedRecords {
        public var devices: [EngageLabDevice] = []
    }
}

extension SandboxSettings {
    /// EngageLab requests per second per AppKey before HTTP 429 (CONFIRMED default 500). 0 = no limit.
    public var engagelabRateLimit: Int {
        get { self[EngageLabEmulator.self].rateLimit }
        set { self[EngageLabEmulator.self].rateLimit = newValue }
    }

    /// EngageLab deletes asynchronously: a deleted device stays visible this long (ms).
    public var engagelabDeleteDelayMs: Int {
        get { self[EngageLabEmulator.self].deleteDelayMs }
        set { self[EngageLabEmulator.self].deleteDelayMs = newValue }
    }
}

extension EngageLabEmulator {
    static let defaultCredentials = SandboxCredentials.EngageLab(
        appKey: "5a0e1c2b3d4f5a6b7c8d9e0f",
        masterSecret: "sandbox-engagelab-master-secret-3e9d")

    /// Ada's two devices (android + ios), Grace's device, then 20 pioneers' devices.
    static var defaultRecords: SandboxSeed.EngageLabData {
        let sample = SandboxSeed.Sample.self
        var devices: [EngageLabDevice] = [
            EngageLabDevice(registrationId: sample.adaEngageLabDevices[0], alias: sample.adaEngageLabAlias,
                            tags: ["vip", "newsletter"], platform: "android"),
            EngageLabDevice(registrationId: sample.adaEngageLabDevices[1], alias: sample.adaEngageLabAlias,
                            tags: ["vip"], platform: "ios"),
            EngageLabDevice(registrationId: sample.graceEngageLabDevices[0], alias: sample.graceEngageLabAlias,
                            tags: ["newsletter"], platform: "ios"),
        ]
        let platforms = ["android", "ios", "android", "hmos"]
        for (i, (f, l)) in SampleNames.pioneers.prefix(20).enumerated() {
            let rid = "1a0018970a8b" + String(SampleNames.hex("engagelab:\(f) \(l)").prefix(7))
            devices.append(EngageLabDevice(registrationId: rid, alias: i % 5 == 4 ? nil : SampleNames.slug(f, l, sep: "_"),
                                           tags: i % 2 == 0 ? ["newsletter"] : [], platform: platforms[i % 4]))
        }
        return SandboxSeed.EngageLabData(devices: devices)
    }

    static func addGeneratedPeople(_ people: ClosedRange<Int>, to records: inout SandboxSeed.EngageLabData) {
        for i in people {
            let p = SandboxSeed.GeneratedPerson(index: i)
            records.devices.append(EngageLabDevice(registrationId: p.engagelabRegistrationId, alias: p.engagelabAlias,
                                                   tags: ["generated"], platform: "android"))
        }
    }

    /// `base_url` without the `/v4` the plugin adds.
    static func config(baseURL: String, credentials c: SandboxCredentials.EngageLab) -> String {
        """
        base_url = \(toml(baseURL + "/" + name))
        app_key = \(toml(c.appKey))
        master_secret = \(toml(c.masterSecret))
        """
    }
}
