/// SpreadsheetWEB (Pagos) site user: the CONFIRMED CreateUser fields (Password not kept).
public struct PagosUser: Codable, Sendable, Equatable {
    public var userName: String
    public var firstName: String?
    public var lastName: String?
    public var emailAddress: String?
    public var roleId: Int?
    public var groupId: [Int]?
    enum CodingKeys: String, CodingKey {
        case userName = "UserName", firstName = "FirstName", lastName = "LastName"
        case emailAddress = "EmailAddress", roleId = "RoleId", groupId = "GroupId"
    }
    public init(userName: String, firstName: String? = nil, lastName: String? = nil, emailAddress: String? = nil,
                roleId: Int? = nil, groupId: [Int]? = nil) {
        self.userName = userName; self.firstName = firstName; self.lastName = lastName
        self.emailAddress = emailAddress; self.roleId = roleId; self.groupId = groupId
    }
}
