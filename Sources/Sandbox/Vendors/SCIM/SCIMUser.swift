/// A SCIM User (RFC 7643 §4.1) as the sandbox keeps it: the attributes a deprovisioning client
/// reads. `version` is the number in its ETag (`W/"3"`, RFC 7644 §3.14): every change raises it.
public struct SCIMUser: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var userName: String
    public var externalId: String?
    public var givenName: String?
    public var familyName: String?
    public var emails: [String]
    public var active: Bool
    public var version: Int

    public init(id: String, userName: String, externalId: String? = nil, givenName: String? = nil,
                familyName: String? = nil, emails: [String] = [], active: Bool = true, version: Int = 1) {
        self.id = id; self.userName = userName; self.externalId = externalId; self.givenName = givenName
        self.familyName = familyName; self.emails = emails; self.active = active; self.version = version
    }

    enum CodingKeys: String, CodingKey { case id, userName, externalId, givenName, familyName, emails, active, version }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        userName = try c.decode(String.self, forKey: .userName)
        externalId = try c.decodeIfPresent(String.self, forKey: .externalId)
        givenName = try c.decodeIfPresent(String.self, forKey: .givenName)
        familyName = try c.decodeIfPresent(String.self, forKey: .familyName)
        emails = try c.decodeIfPresent([String].self, forKey: .emails) ?? []
        active = try c.decodeIfPresent(Bool.self, forKey: .active) ?? true
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
    }

    /// Its ETag and `meta.version` (weak: RFC 7644 §3.14's example form).
    var etag: String { "W/\"\(version)\"" }
}
