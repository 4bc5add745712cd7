/// CubiCasa user, fields as in the CONFIRMED `GET /users` sample.
public struct CubiCasaUser: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var email: String
    public var name: String?
    public var surname: String?
    /// User | Collaborator | Manager
    public var role: String
    public var emailConfirmed: Bool
    /// epoch seconds (a float in the vendor's sample, e.g. 1760700135.0)
    public var createdAt: Double
    enum CodingKeys: String, CodingKey {
        case id, email, name, surname, role, emailConfirmed = "email_confirmed", createdAt = "created_at"
    }
    public init(id: String, email: String, name: String? = nil, surname: String? = nil, role: String = "User",
                emailConfirmed: Bool = true, createdAt: Double = 1_760_700_135) {
        self.id = id; self.email = email; self.name = name; self.surname = surname
        self.role = role; self.emailConfirmed = emailConfirmed; self.createdAt = createdAt
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        email = try c.decode(String.self, forKey: .email)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        surname = try c.decodeIfPresent(String.self, forKey: .surname)
        role = try c.decodeIfPresent(String.self, forKey: .role) ?? "User"
        emailConfirmed = try c.decodeIfPresent(Bool.self, forKey: .emailConfirmed) ?? true
        createdAt = try c.decodeIfPresent(Double.self, forKey: .createdAt) ?? 1_760_700_135
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(email, forKey: .email)
        try c.encode(name, forKey: .name)        // nullable in the vendor's sample: keep the key
        try c.encode(surname, forKey: .surname)
        try c.encode(role, forKey: .role)
        try c.encode(emailConfirmed, forKey: .emailConfirmed)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
