/// An emulator's records when they are one list of users: `"NAME": {"users": […]}`.
public struct SeedUsers<User: Codable & Sendable & Equatable>: Codable, Sendable, Equatable, SeedRecords {
    public var users: [User] = []
}
