/// DragonPass user. Fields ASSUMED from the CONFIRMED membership-registration body.
public struct DragonPassUser: Codable, Sendable, Equatable {
    public var clientUserId: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phoneNumber: String?
    public var callingCode: String?
    public init(clientUserId: String, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
                phoneNumber: String? = nil, callingCode: String? = nil) {
        self.clientUserId = clientUserId; self.firstName = firstName; self.lastName = lastName
        self.email = email; self.phoneNumber = phoneNumber; self.callingCode = callingCode
    }
}

extension DragonPassUser: Identifiable {
    public var id: String { clientUserId }
}
