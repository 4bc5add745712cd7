/// Small JSON text builders for output lines with a fixed key order.
public enum JSONText {
    public static func string(_ s: String) -> String {
        "\"" + Redactor.jsonEscaped(s, escapeSlash: false) + "\""
    }

    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    public static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }
}
