import Crypto
import Foundation

// The sandbox's state, as loaded from a seed (JSON, `erasure sandbox --seed FILE`) and as
// returned by `GET /_sandbox/state`. Vendor records use the vendor's own field names
// (format documented in docs/sandbox.md). Every section may be omitted from a seed file:
// missing credentials/settings take their defaults, missing vendor sections are empty.

// MARK: - Credentials

/// The credentials the emulators accept. `configTOML()` prints them; docs/sandbox.md lists the defaults.
public struct SandboxCredentials: Codable, Sendable, Equatable {
    public struct DragonPass: Codable, Sendable, Equatable {
        public var programId: String
        /// Static Bearer token (accepted as is).
        public var token: String
        /// HS256 JWTs signed with `jwtSecret` whose `iss` is `jwtIssuer` and `exp` in the future are accepted too.
        public var jwtIssuer: String
        public var jwtSecret: String
        enum CodingKeys: String, CodingKey {
            case programId = "program_id", token, jwtIssuer = "jwt_issuer", jwtSecret = "jwt_secret"
        }
        public init(programId: String, token: String, jwtIssuer: String, jwtSecret: String) {
            self.programId = programId; self.token = token; self.jwtIssuer = jwtIssuer; self.jwtSecret = jwtSecret
        }
    }
    public struct Pagos: Codable, Sendable, Equatable {
        /// Static Bearer token (accepted as is, never expires).
        public var token: String
        public var clientId: String
        public var clientSecret: String
        enum CodingKeys: String, CodingKey { case token, clientId = "client_id", clientSecret = "client_secret" }
        public init(token: String, clientId: String, clientSecret: String) {
            self.token = token; self.clientId = clientId; self.clientSecret = clientSecret
        }
    }
    public struct EngageLab: Codable, Sendable, Equatable {
        public var appKey: String
        public var masterSecret: String
        enum CodingKeys: String, CodingKey { case appKey = "app_key", masterSecret = "master_secret" }
        public init(appKey: String, masterSecret: String) { self.appKey = appKey; self.masterSecret = masterSecret }
    }
    public struct GafaPay: Codable, Sendable, Equatable {
        public var companyId: String
        /// Sent as `authorization: Token <token>`.
        public var token: String
        enum CodingKeys: String, CodingKey { case companyId = "company_id", token }
        public init(companyId: String, token: String) { self.companyId = companyId; self.token = token }
    }
    public struct CubiCasa: Codable, Sendable, Equatable {
        public var apiKey: String
        enum CodingKeys: String, CodingKey { case apiKey = "api_key" }
        public init(apiKey: String) { self.apiKey = apiKey }
    }

    public var dragonpass: DragonPass
    public var pagos: Pagos
    public var engagelab: EngageLab
    public var gafapay: GafaPay
    public var cubicasa: CubiCasa

    public init(dragonpass: DragonPass, pagos: Pagos, engagelab: EngageLab, gafapay: GafaPay, cubicasa: CubiCasa) {
        self.dragonpass = dragonpass; self.pagos = pagos; self.engagelab = engagelab
        self.gafapay = gafapay; self.cubicasa = cubicasa
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SandboxCredentials.default
        dragonpass = try c.decodeIfPresent(DragonPass.self, forKey: .dragonpass) ?? d.dragonpass
        pagos = try c.decodeIfPresent(Pagos.self, forKey: .pagos) ?? d.pagos
        engagelab = try c.decodeIfPresent(EngageLab.self, forKey: .engagelab) ?? d.engagelab
        gafapay = try c.decodeIfPresent(GafaPay.self, forKey: .gafapay) ?? d.gafapay
        cubicasa = try c.decodeIfPresent(CubiCasa.self, forKey: .cubicasa) ?? d.cubicasa
    }
    enum CodingKeys: String, CodingKey { case dragonpass, pagos, engagelab, gafapay, cubicasa }

    /// Fixed sandbox credentials (not secrets: they only open the local emulators).
    public static let `default` = SandboxCredentials(
        dragonpass: .init(
            programId: "100234",
            token: "sandbox-dragonpass-static-token",
            jwtIssuer: "erasure-sandbox",
            jwtSecret: "sandbox-dragonpass-hs256-secret-5f2b8c1e9a7d4630"),
        pagos: .init(
            token: "sandbox-pagos-Do3l2l3uLdmYX76uBufLzuuhFPOEnRZD",
            clientId: "erasure-sandbox",
            clientSecret: "sandbox-pagos-client-secret-7c41e09b"),
        engagelab: .init(
            appKey: "5a0e1c2b3d4f5a6b7c8d9e0f",
            masterSecret: "sandbox-engagelab-master-secret-3e9d"),
        gafapay: .init(
            companyId: "59388167894b4d10a04fe5da3b8a2104",
            token: "sandbox-gafapay-admin-token-0b7e4f2a"),
        cubicasa: .init(apiKey: "sandbox-cubicasa-api-key-91c3d5e7"))
}

// MARK: - Settings

public struct SandboxSettings: Codable, Sendable, Equatable {
    /// EngageLab requests per second per AppKey before HTTP 429 (CONFIRMED default 500). 0 = no limit.
    public var engagelabRateLimit: Int
    /// EngageLab deletes asynchronously: a deleted device stays visible this long (ms).
    public var engagelabDeleteDelayMs: Int
    /// Lifetime in seconds of the tokens `POST /pagos/connect/token` issues (`expires_in`).
    public var pagosTokenLifetime: Int
    /// The request log keeps the most recent N requests (older ones are dropped; `seq` keeps counting).
    public var requestLogLimit: Int

    enum CodingKeys: String, CodingKey {
        case engagelabRateLimit = "engagelab_rate_limit"
        case engagelabDeleteDelayMs = "engagelab_delete_delay_ms"
        case pagosTokenLifetime = "pagos_token_lifetime"
        case requestLogLimit = "request_log_limit"
    }

    public init(engagelabRateLimit: Int = 500, engagelabDeleteDelayMs: Int = 50,
                pagosTokenLifetime: Int = 3600, requestLogLimit: Int = 100_000) {
        self.engagelabRateLimit = engagelabRateLimit
        self.engagelabDeleteDelayMs = engagelabDeleteDelayMs
        self.pagosTokenLifetime = pagosTokenLifetime
        self.requestLogLimit = requestLogLimit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SandboxSettings()
        engagelabRateLimit = try c.decodeIfPresent(Int.self, forKey: .engagelabRateLimit) ?? d.engagelabRateLimit
        engagelabDeleteDelayMs = try c.decodeIfPresent(Int.self, forKey: .engagelabDeleteDelayMs) ?? d.engagelabDeleteDelayMs
        pagosTokenLifetime = try c.decodeIfPresent(Int.self, forKey: .pagosTokenLifetime) ?? d.pagosTokenLifetime
        requestLogLimit = try c.decodeIfPresent(Int.self, forKey: .requestLogLimit) ?? d.requestLogLimit
    }
}

// MARK: - Vendor records

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

public struct PagosSite: Codable, Sendable, Equatable {
    public var siteId: Int
    public var users: [PagosUser]
    enum CodingKeys: String, CodingKey { case siteId = "site_id", users }
    public init(siteId: Int, users: [PagosUser]) { self.siteId = siteId; self.users = users }
}

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

/// GafaPay `user_detail` (field names CONFIRMED, docs/vendors.md; value types of the fields the
/// docs do not show are ASSUMED). `removable` is sandbox-only: false makes DELETE fail
/// with BASE_ERROR_IN_REMOVING.
public struct GafaPayUser: Codable, Sendable, Equatable {
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

/// CubiCasa user, fields as in the CONFIRMED `GET /users` sample.
public struct CubiCasaUser: Codable, Sendable, Equatable {
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

// MARK: - Seed

public struct SandboxSeed: Codable, Sendable, Equatable {
    public struct DragonPassData: Codable, Sendable, Equatable {
        public var users: [DragonPassUser]
        public init(users: [DragonPassUser] = []) { self.users = users }
    }
    public struct PagosData: Codable, Sendable, Equatable {
        public var sites: [PagosSite]
        public init(sites: [PagosSite] = []) { self.sites = sites }
    }
    public struct EngageLabData: Codable, Sendable, Equatable {
        public var devices: [EngageLabDevice]
        public init(devices: [EngageLabDevice] = []) { self.devices = devices }
    }
    public struct GafaPayData: Codable, Sendable, Equatable {
        public var users: [GafaPayUser]
        public init(users: [GafaPayUser] = []) { self.users = users }
    }
    public struct CubiCasaData: Codable, Sendable, Equatable {
        public var users: [CubiCasaUser]
        public init(users: [CubiCasaUser] = []) { self.users = users }
    }

    public var credentials: SandboxCredentials
    public var settings: SandboxSettings
    public var dragonpass: DragonPassData
    public var pagos: PagosData
    public var engagelab: EngageLabData
    public var gafapay: GafaPayData
    public var cubicasa: CubiCasaData

    public init(credentials: SandboxCredentials = .default, settings: SandboxSettings = .init(),
                dragonpass: DragonPassData = .init(), pagos: PagosData = .init(), engagelab: EngageLabData = .init(),
                gafapay: GafaPayData = .init(), cubicasa: CubiCasaData = .init()) {
        self.credentials = credentials; self.settings = settings; self.dragonpass = dragonpass
        self.pagos = pagos; self.engagelab = engagelab; self.gafapay = gafapay; self.cubicasa = cubicasa
    }

    enum CodingKeys: String, CodingKey { case credentials, settings, dragonpass, pagos, engagelab, gafapay, cubicasa }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        credentials = try c.decodeIfPresent(SandboxCredentials.self, forKey: .credentials) ?? .default
        settings = try c.decodeIfPresent(SandboxSettings.self, forKey: .settings) ?? .init()
        dragonpass = try c.decodeIfPresent(DragonPassData.self, forKey: .dragonpass) ?? .init()
        pagos = try c.decodeIfPresent(PagosData.self, forKey: .pagos) ?? .init()
        engagelab = try c.decodeIfPresent(EngageLabData.self, forKey: .engagelab) ?? .init()
        gafapay = try c.decodeIfPresent(GafaPayData.self, forKey: .gafapay) ?? .init()
        cubicasa = try c.decodeIfPresent(CubiCasaData.self, forKey: .cubicasa) ?? .init()
    }

    /// Parses a seed (JSON). Errors name the offending key path.
    public static func load(json data: Data) throws -> SandboxSeed {
        do {
            return try JSONDecoder().decode(SandboxSeed.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw SandboxError("seed: missing key '\(key.stringValue)' at \(Self.path(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SandboxError("seed: wrong type at \(Self.path(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw SandboxError("seed: null value at \(Self.path(ctx.codingPath))")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw SandboxError("seed: invalid JSON at \(Self.path(ctx.codingPath)): \(ctx.debugDescription)")
        }
    }

    public static func load(file path: String) throws -> SandboxSeed {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError("seed: cannot read file \(path)")
        }
        do { return try load(json: data) } catch let e as SandboxError {
            throw SandboxError("\(path): \(e.message)")
        }
    }

    /// The seed as JSON (sorted keys, pretty printed): the `GET /_sandbox/state` format.
    public func jsonData(pretty: Bool = true) -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(self)) ?? Data("{}".utf8)
    }

    private static func path(_ p: [any CodingKey]) -> String {
        p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
