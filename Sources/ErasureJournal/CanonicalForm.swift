import Crypto
import ErasureHost
import Foundation

/// The encoding every hash of the journal is taken over (receipts, step rows, run rows):
///
///     version + "\n" + field(name₁, value₁) + field(name₂, value₂) + …
///
/// where `field(name, value)` is `name + "=~\n"` for NULL, else `name + "=" + n + ":" + bytes + "\n"`,
/// `bytes` being the column exactly as SQLite stores it (a text's UTF-8 bytes; an integer in decimal
/// ASCII, what `CAST(x AS BLOB)` gives) and `n` their count in decimal. The length prefix makes it
/// unambiguous whatever the texts hold (newlines, `=`, NUL).
///
/// The writer hashes the values it binds; `verify` hashes the bytes it reads back with
/// `CAST(column AS BLOB)`, never a decoded string, so a hash compares what is on disk byte for
/// byte (a decoded string would hide a byte changed into invalid UTF-8, or stop at a NUL).
enum CanonicalForm {
    enum Value {
        case null
        case text(String)
        case integer(Int64)
        /// The stored bytes, as `verify` reads them back.
        case bytes(Data)

        init(_ text: String?) { self = text.map(Value.text) ?? .null }
        init(_ integer: Int64?) { self = integer.map(Value.integer) ?? .null }
        init(_ flag: Bool?) { self = flag.map { .integer($0 ? 1 : 0) } ?? .null }
    }

    /// The SHA-256 of the encoding, fed to the hasher piece by piece (never copied whole).
    static func hash(_ version: String, _ fields: [(name: String, value: Value)]) -> SHA256.Digest {
        var hasher = SHA256()
        func put(_ s: String) {
            var s = s
            s.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        put(version + "\n")
        for (name, value) in fields {
            switch value {
            case .null:
                put(name + "=~\n")
            case .integer(let n):
                let digits = String(n)
                put(name + "=" + String(digits.utf8.count) + ":" + digits + "\n")
            case .text(var text):
                text.withUTF8 { bytes in
                    put(name + "=" + String(bytes.count) + ":")
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
                }
                put("\n")
            case .bytes(let data):
                put(name + "=" + String(data.count) + ":")
                hasher.update(data: data)
                put("\n")
            }
        }
        return hasher.finalize()
    }

    static func hex(_ version: String, _ fields: [(name: String, value: Value)]) -> String {
        Digest.hex(hash(version, fields))
    }
}
