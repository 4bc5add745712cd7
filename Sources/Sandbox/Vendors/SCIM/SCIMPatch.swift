import Foundation

/// A PATCH body (RFC 7644 §3.5.2) checked strictly: `schemas` must be exactly the PatchOp URN
/// and `Operations` a non-empty list (else 400 invalidSyntax). The sandbox changes `active` only
/// (`{"op":"replace","path":"active","value":false}`, or no path and `{"active": false}` as the
/// value; `add` as `replace`); any other attribute is 400 invalidPath, a non-boolean 400 invalidValue.
struct SCIMPatch {
    static let schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

    /// The refusal: its `scimType` and `detail`.
    struct Invalid: Error {
        let scimType: String
        let detail: String
    }

    /// The value `active` ends with.
    let active: Bool

    /// A JSON value, decoded strictly (a boolean is only `true` or `false`).
    enum Value: Decodable {
        case bool(Bool), object([String: Value]), other
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let o = try? c.decode([String: Value].self) { self = .object(o) }
            else { self = .other }
        }
    }
    struct Operation: Decodable {
        var op: String?
        var path: String?
        var value: Value?
    }
    struct Body: Decodable {
        var schemas: [String]?
        var Operations: [Operation]?
    }

    init(_ bytes: Data) throws {
        guard let body = try? JSONDecoder().decode(Body.self, from: bytes) else {
            throw Invalid(scimType: "invalidSyntax", detail: "the body is not a PatchOp JSON object")
        }
        guard body.schemas == [Self.schema] else {
            throw Invalid(scimType: "invalidSyntax", detail: "schemas must be [\"\(Self.schema)\"]")
        }
        guard let operations = body.Operations, !operations.isEmpty else {
            throw Invalid(scimType: "invalidSyntax", detail: "Operations must be a non-empty list")
        }
        var active = false
        for op in operations {
            guard let name = op.op?.lowercased(), ["add", "replace", "remove"].contains(name) else {
                throw Invalid(scimType: "invalidSyntax", detail: "each operation needs op: add, replace or remove")
            }
            guard name != "remove" else {
                throw Invalid(scimType: "invalidPath", detail: "remove is not supported here (active is required)")
            }
            active = try Self.active(path: op.path, value: op.value)
        }
        self.active = active
    }

    private static func active(path: String?, value: Value?) throws -> Bool {
        if let path {
            guard path.lowercased() == "active" else {
                throw Invalid(scimType: "invalidPath", detail: "the sandbox changes active only, not '\(path)'")
            }
            guard case .bool(let b)? = value else { throw Invalid(scimType: "invalidValue", detail: "active must be true or false") }
            return b
        }
        guard case .object(let fields)? = value, !fields.isEmpty else {
            throw Invalid(scimType: "invalidValue", detail: "an operation without path needs an object value")
        }
        var result = false
        for (key, v) in fields {
            guard key.lowercased() == "active" else {
                throw Invalid(scimType: "invalidPath", detail: "the sandbox changes active only, not '\(key)'")
            }
            guard case .bool(let b) = v else { throw Invalid(scimType: "invalidValue", detail: "active must be true or false") }
            result = b
        }
        return result
    }
}
