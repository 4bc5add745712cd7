import Foundation
import GRDB

/// Columns read back exactly as SQLite holds them: each one's `typeof` and `CAST(… AS BLOB)`
/// (a text's bytes, an integer's decimal digits), never through a decoded Swift string, which
/// would stop at a NUL and turn invalid UTF-8 into U+FFFD. What `verify` hashes.
struct StoredColumns {
    let columns: [String]
    /// The columns the journal writes as integers (the others it writes as text).
    let integers: Set<String>

    /// `typeof(a), CAST(a AS BLOB), typeof(b), …` for a SELECT (the columns of `table`, or of
    /// the alias `table` names).
    func selectList(_ table: String? = nil) -> String {
        columns.map { c in
            let name = table.map { "\($0).\(c)" } ?? c
            return "typeof(\(name)), CAST(\(name) AS BLOB)"
        }.joined(separator: ", ")
    }

    /// The values of one row fetched with `selectList`, its first column at `offset`; or what is
    /// wrong: a column of a type the journal never writes there (an integer turned into the text
    /// of its digits hashes the same, so the type is checked too).
    func values(_ row: Row, at offset: Int = 0) -> Result<[CanonicalForm.Value], TypeMismatch> {
        var values: [CanonicalForm.Value] = []
        values.reserveCapacity(columns.count)
        for (i, column) in columns.enumerated() {
            let type: String = row[offset + 2 * i]
            switch type {
            case "null":
                values.append(.null)
            case integers.contains(column) ? "integer" : "text":
                values.append(.bytes(row[offset + 2 * i + 1] ?? Data()))
            default:
                return .failure(TypeMismatch(column: column, type: type,
                                             expected: integers.contains(column) ? "integer" : "text"))
            }
        }
        return .success(values)
    }

    struct TypeMismatch: Error, CustomStringConvertible {
        var column: String
        var type: String
        var expected: String
        var description: String { "its \(column) holds \(type == "integer" ? "an" : "a") \(type), not \(expected == "integer" ? "an" : "a") \(expected)" }
    }
}

extension StoredColumns {
    static let receipts = StoredColumns(columns: ReceiptChain.columns + ["hash"], integers: ["seq", "step_id"])
    static let steps = StoredColumns(columns: RowHash.stepColumns,
                                     integers: ["id", "retryable", "http_status", "receipt_seq"])
    static let runs = StoredColumns(columns: RowHash.runColumns, integers: ["dry_run"])
}
