import Crypto
import Foundation

/// The one way erasure writes a SHA-256: lowercase hex. Every request and response body of a run
/// is hashed, so the hex is written from a table, not with `String(format:)` per byte (that was
/// ~9 % of a batch's CPU).
package enum Digest {
    package static func sha256Hex<D: DataProtocol>(_ bytes: D) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// A digest, a MAC or any bytes, as lowercase hex.
    package static func hex<Bytes: Sequence<UInt8>>(_ digest: Bytes) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 of data given in pieces.
    package struct Incremental {
        private var hasher = SHA256()
        package init() {}
        package mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }
        package func finalize() -> String { Digest.hex(hasher.finalize()) }
    }

    /// SHA-256 of a file, read in chunks; nil when it cannot be read (or is standard input).
    package static func file(_ path: String) -> String? {
        guard path != "-", let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        var hasher = Incremental()
        while true {
            let chunk = h.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            hasher.update([UInt8](chunk))
        }
        return hasher.finalize()
    }
}

extension String {
    package var sha256Hex: String { Digest.sha256Hex(Array(utf8)) }
}
