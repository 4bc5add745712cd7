/// Lowercase hex back to bytes (writing it is `Digest.hex`).
enum Hex {
    /// The bytes `hex` spells, when it is exactly `count` bytes of lowercase hex; else nil.
    static func decode(_ hex: String, count: Int = 32) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count == 2 * count else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(count)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
