import Foundation

/// The filters the sandbox's SCIM service understands (RFC 7644 §3.4.2.2), strictly: one
/// `ATTRIBUTE eq "VALUE"` comparison, the value a JSON string (so `\"` and `\\` are escapes), the
/// attribute one of userName, emails.value (or emails), externalId, id. Attribute names and the
/// operator compare without case (§3.4.2.2); anything else — other operators, `and`/`or`, a
/// value that is not a JSON string — is refused (400 invalidFilter), never guessed at.
struct SCIMFilter: Equatable {
    enum Attribute: Equatable { case userName, email, externalId, id }
    let attribute: Attribute
    let value: String

    /// Why a filter is refused: the `detail` of the 400.
    struct Invalid: Error { let detail: String }

    init(parsing text: String) throws {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Invalid(detail: "expected ATTRIBUTE eq \"VALUE\", got '\(text)'") }
        switch parts[0].lowercased() {
        case "username": attribute = .userName
        case "emails.value", "emails": attribute = .email
        case "externalid": attribute = .externalId
        case "id": attribute = .id
        default: throw Invalid(detail: "filtering on '\(parts[0])' is not supported (userName, emails.value, externalId, id)")
        }
        guard parts[1].lowercased() == "eq" else {
            throw Invalid(detail: "operator '\(parts[1])' is not supported (eq)")
        }
        let literal = parts[2]
        guard literal.hasPrefix("\""),
              let decoded = try? JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed),
              let string = decoded as? String
        else {
            throw Invalid(detail: "the value must be one JSON string (\\\" and \\\\ escaped), got \(literal)")
        }
        value = string
    }

    /// userName and emails compare without case (caseExact false, RFC 7643 §4.1); externalId
    /// and id exactly.
    func matches(_ u: SCIMUser) -> Bool {
        switch attribute {
        case .userName: return u.userName.lowercased() == value.lowercased()
        case .email: return u.emails.contains { $0.lowercased() == value.lowercased() }
        case .externalId: return u.externalId == value
        case .id: return u.id == value
        }
    }
}
