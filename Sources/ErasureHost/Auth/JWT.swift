import Crypto
import Foundation
import _CryptoExtras

/// JSON Web Token signing (RFC 7519, compact serialisation, base64url without padding).
public enum JWT {
    public enum Algorithm: Sendable {
        /// HMAC-SHA256 with a shared secret.
        case hs256(secret: [UInt8])
        /// RSASSA-PKCS1-v1_5 with SHA-256, private key in PEM (PKCS#1 or PKCS#8).
        case rs256(privateKeyPEM: String)

        var name: String {
            switch self {
            case .hs256: return "HS256"
            case .rs256: return "RS256"
            }
        }
    }

    public struct SigningError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// Signs `claims`. With `lifetime`, `exp` = now + lifetime (integer seconds since the epoch)
    /// replaces any `exp` in the claims; with `issuedAt`, `iat` = now is added too.
    /// `headerFields` are merged into the header (e.g. `kid`); `alg` and `typ` are set here.
    public static func sign(claims: [String: JSONValue], algorithm: Algorithm, lifetime: Double? = nil,
                            issuedAt: Bool = false, headerFields: [String: JSONValue] = [:],
                            now: Date = Date()) throws -> String
    {
        if let lifetime, !(lifetime.isFinite && abs(lifetime) <= 1e10) {
            throw SigningError(message: "lifetime must be a finite number of seconds (got \(lifetime))")
        }
        var claims = claims
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        if let lifetime { claims["exp"] = .integer(nowSeconds + Int64(lifetime.rounded())) }
        if issuedAt { claims["iat"] = .integer(nowSeconds) }
        var header = headerFields
        header["alg"] = .string(algorithm.name)
        header["typ"] = .string("JWT")
        let signingInput = base64url(JSONValue.object(header).bytes) + "." + base64url(JSONValue.object(claims).bytes)
        let input = Array(signingInput.utf8)
        let signature: [UInt8]
        switch algorithm {
        case .hs256(let secret):
            let mac = HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: secret))
            signature = Array(mac)
        case .rs256(let pem):
            let key: _RSA.Signing.PrivateKey
            do {
                key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
            } catch {
                throw SigningError(message: "RS256: the private key is not a valid RSA PEM key (\(type(of: error)))")
            }
            let sig = try key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
            signature = sig.withUnsafeBytes { Array($0) }
        }
        return signingInput + "." + base64url(signature)
    }

    /// base64url without padding (RFC 7515 §2).
    public static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
