/// A seeded generator (SplitMix64) for tests with generated inputs: the same seed gives the same
/// inputs on every machine, so a failure names its seed and reproduces.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` random bytes (every value 0...255, NUL and invalid UTF-8 included).
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: next().littleEndian) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }

    /// A body as a misbehaving vendor might answer: empty, tiny, a few hundred bytes, or huge.
    public mutating func garbageBody() -> [UInt8] {
        switch Int.random(in: 0..<8, using: &self) {
        case 0: return []
        case 1: return bytes(Int.random(in: 1...4, using: &self))
        case 2: return bytes(1 << 20)
        default: return bytes(Int.random(in: 16...900, using: &self))
        }
    }
}
