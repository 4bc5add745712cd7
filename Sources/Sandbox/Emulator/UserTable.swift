/// The state of an emulator that keeps one list of users: its credentials and the seed's users by id.
struct UserTable<Credentials: SeedPart, User: Codable & Sendable & Equatable & Identifiable>: EmulatorState
where User.ID == String {
    var credentials: Credentials
    var users: Table<User>

    init(records: SeedUsers<User>, credentials: Credentials, settings: NoSettings) {
        self.credentials = credentials
        users = Table(records.users) { $0.id }
    }

    func records() -> SeedUsers<User> { SeedUsers(users: users.values) }
}
