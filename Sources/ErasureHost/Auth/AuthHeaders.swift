import Foundation

/// Header pairs for the simple schemes. Each registers the credential it carries with
/// `redactor` (so the header value can never surface in a log, error or journal).
public enum Auth {
    /// `Authorization: Bearer <token>`.
    public static func bearer(_ token: String, redactor: Redactor? = nil) -> (String, String) {
        redactor?.add(token)
        return ("Authorization", "Bearer \(token)")
    }

    /// `Authorization: Basic base64(user:pass)`.
    public static func basic(user: String, password: String, redactor: Redactor? = nil) -> (String, String) {
        redactor?.add(password)
        redactor?.addBasicPair(user: user, password: password)
        return ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    /// Any header, e.g. `("authorization", "Token abc")` or `("X-Api-Key", key)`. The value is
    /// registered as a secret only when `secret` (a plugin passes a value from a secret key).
    public static func header(_ name: String, _ value: String, secret: Bool = false, redactor: Redactor? = nil)
        -> (String, String)
    {
        if secret { redactor?.add(value) }
        return (name, value)
    }
}
