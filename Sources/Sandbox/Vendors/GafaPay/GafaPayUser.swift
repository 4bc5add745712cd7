/// GafaPay `user_detail` (field names CONFIRMED, docs/vendors.md; value types of the fields the
/// docs do not show are ASSUMED). `removable` is sandbox-only: false makes DELETE fail
/// with BASE_ERROR_IN_REMOVING.
public struct GafaPayUser: Codable, Sendable, Equatable, Identifiable {
    public struct DeviceInfo: Codable, Sendable, Equatable {
        public var deviceId: String?
        public var deviceType: String?
        public var deviceUniqueId: String?
        enum CodingKeys: String, CodingKey {
            case deviceId = "device_id", deviceType = "device_type", deviceUniqueId = "device_unique_id"
        }
        public init(deviceId: String? = nil, deviceType: String? = nil, deviceUniqueId: String? = nil) {
            self.deviceId = deviceId; self.deviceType = deviceType; self.deviceUniqueId = deviceUniqueId
        }
    }
    public struct Verification: Codable, Sendable, Equatable {
        public var isEmail: Bool?
        public var isPhone: Bool?
        enum CodingKeys: String, CodingKey { case isEmail = "is_email", isPhone = "is_phone" }
        public init(isEmail: Bool? = nil, isPhone: Bool? = nil) { self.isEmail = isEmail; self.isPhone = isPhone }
    }
    /// ASSUMED GeoJSON point; the docs name `location_point` without its shape.
    public struct LocationPoint: Codable, Sendable, Equatable {
        public var type: String
        public var coordinates: [Double]
        public init(type: String = "Point", coordinates: [Double]) { self.type = type; self.coordinates = coordinates }
    }

    public var id: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var dialCode: String?
    public var phoneNumber: String?
    /// 1 ADMIN, 2 USER (customer), 3 MERCHANT, 4 STAFF, 5 AGENT (CONFIRMED constants)
    public var userType: Int?
    public var roleId: String?
    public var updatedDate: Int?
    public var deviceInfo: DeviceInfo?
    public var accountNumber: String?
    public var verification: Verification?
    /// 1 active, 2 inactive, 3 onboard, 4 blocked, 5 suspended, 6 rejected (CONFIRMED constants)
    public var statusId: Int?
    public var birthDate: String?
    public var image: String?
    public var userCode: String?
    public var countryId: String?
    /// 1 NO_KYC_STATUS, 2 FULL_KYC_STATUS
    public var kycStatus: Int?
    /// 1 pending, 2 init, 3 verified, 4 approved, 5 rejected, 6 expired
    public var kycProcessStatus: Int?
    public var locationPoint: LocationPoint?
    public var rating: Double?
    public var loginPin: String?
    public var transactionPin: String?
    public var createdDate: Int?
    public var createdBy: String?
    public var parentUserId: String?
    public var displayName: String?
    public var displayImage: String?
    public var kycStatusId: String?
    public var reasonCodeId: String?
    public var rejectReason: String?
    public var uniqueDeviceId: String?
    /// Sandbox only (never sent by the emulator): false → DELETE answers BASE_ERROR_IN_REMOVING. Default true.
    public var removable: Bool?

    enum CodingKeys: String, CodingKey {
        case id, firstName = "first_name", lastName = "last_name", email, dialCode = "dial_code"
        case phoneNumber = "phone_number", userType = "user_type", roleId = "role_id", updatedDate = "updated_date"
        case deviceInfo = "device_info", accountNumber = "account_number", verification, statusId = "status_id"
        case birthDate = "birth_date", image, userCode = "user_code", countryId = "country_id"
        case kycStatus = "kyc_status", kycProcessStatus = "kyc_process_status", locationPoint = "location_point"
        case rating, loginPin = "login_pin", transactionPin = "transaction_pin", createdDate = "created_date"
        case createdBy = "created_by", parentUserId = "parent_user_id", displayName = "display_name"
        case displayImage = "display_image", kycStatusId = "kyc_status_id", reasonCodeId = "reason_code_id"
        case rejectReason = "reject_reason", uniqueDeviceId = "unique_device_id", removable
    }

    public init(id: String) { self.id = id }

    var isRemovable: Bool { removable ?? true }
}
