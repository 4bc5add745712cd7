/// EngageLab device (registration). `platform`: android | ios | hmos (SECONDARY values).
public struct EngageLabDevice: Codable, Sendable, Equatable {
    public var registrationId: String
    public var alias: String?
    public var tags: [String]
    public var platform: String
    /// State output only: true while an accepted DELETE has not taken effect yet (ignored in a seed).
    public var deleting: Bool?
    enum CodingKeys: String, CodingKey { case registrationId = "registration_id", alias, tags, platform, deleting }
    public init(registrationId: String, alias: String? = nil, tags: [String] = [], platform: String = "android") {
        self.registrationId = registrationId; self.alias = alias; self.tags = tags; self.platform = platform
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        registrationId = try c.decode(String.self, forKey: .registrationId)
        alias = try c.decodeIfPresent(String.self, forKey: .alias)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        platform = try c.decodeIfPresent(String.self, forKey: .platform) ?? "android"
        deleting = try c.decodeIfPresent(Bool.self, forKey: .deleting)  // informative only: a seed starts with no pending delete
    }
}
