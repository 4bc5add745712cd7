/// Finds byte patterns in a text in one pass, reading escapes as what they stand for, so a secret
/// is found however a vendor or an encoder wrote it: raw, percent-encoded (`%73`, `%2F` or `%2f`,
/// `+` for a space), JSON-escaped (`\u0073`, `\u00E9`, surrogate pairs, `\/`, `\"`, `\n`…), or any
/// mix of these, character by character (`\u0073andbox-…`, a fully `\u`-escaped string).
///
/// Immutable once built (a `Redactor` swaps in a new one when a secret is added; a class, so taking
/// it is one retain). The scan looks at each byte once through a 256-entry table of first bytes and
/// a 64 Ki-bit table of first byte pairs, so a text without secrets costs two table reads per
/// byte, however many patterns there are.
final class SecretMatcher: Sendable {
    /// Patterns, longest first; `firstIndex[b]..<firstIndex[b + 1]` in `byFirst` are the indexes
    /// of those that start with byte `b`.
    private let patterns: [[UInt8]]
    private let byFirst: [Int32]
    private let firstIndex: [Int32]
    /// Bit `a << 8 | b` is set when a pattern starts with `a, b` (every `b` for a 1-byte pattern).
    private let pairs: [UInt64]

    init(patterns set: some Collection<[UInt8]>) {
        let patterns = set.filter { !$0.isEmpty }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        var lists = [[Int32]](repeating: [], count: 256)
        var pairs = [UInt64](repeating: 0, count: 1024)
        for (i, p) in patterns.enumerated() {
            lists[Int(p[0])].append(Int32(i))
            let seconds = p.count > 1 ? [p[1]] : Array(0...255)
            for b in seconds {
                let bit = Int(p[0]) << 8 | Int(b)
                pairs[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        var firstIndex: [Int32] = [0]
        for list in lists { firstIndex.append(firstIndex.last! + Int32(list.count)) }
        self.patterns = patterns
        self.byFirst = lists.flatMap { $0 }
        self.firstIndex = firstIndex
        self.pairs = pairs
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// The ranges of `t` that hold a pattern (in any of its written forms), merged where they
    /// overlap, in order. Empty when there is none (the common case: no allocation).
    func ranges(in t: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        firstIndex.withUnsafeBufferPointer { first in
            pairs.withUnsafeBufferPointer { pairs in ranges(in: t, first: first, pairs: pairs) }
        }
    }

    private func ranges(in t: UnsafeBufferPointer<UInt8>, first: UnsafeBufferPointer<Int32>,
                        pairs: UnsafeBufferPointer<UInt64>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        let n = t.count
        var p = 0
        while p < n {
            let c = t[p]
            var end = -1
            if Self.isEscapeStart(c) {
                end = longestMatch(first: c, t, p)
                if let d = Self.decode(t, p) { end = max(end, longestMatch(first: UInt8(truncatingIfNeeded: d.bytes), t, p)) }
            } else if first[Int(c)] != first[Int(c) + 1] {
                if p + 1 < n {
                    let c2 = t[p + 1]
                    let bit = Int(c) << 8 | Int(c2)
                    if !Self.isEscapeStart(c2) && pairs[bit >> 6] & (1 << UInt64(bit & 63)) == 0 {
                        p += 1
                        continue
                    }
                }
                end = longestMatch(first: c, t, p)
            }
            if end > p {
                if let last = found.last, p < last.upperBound {
                    found[found.count - 1] = last.lowerBound..<max(end, last.upperBound)
                } else {
                    found.append(p..<end)
                }
            }
            p += 1
        }
        return found
    }

    /// The end of the first (longest) pattern starting with byte `first` that matches at `p`, or -1.
    private func longestMatch(first: UInt8, _ t: UnsafeBufferPointer<UInt8>, _ p: Int) -> Int {
        var k = Int(firstIndex[Int(first)])
        let last = Int(firstIndex[Int(first) + 1])
        while k < last {
            let end = patterns[Int(byFirst[k])].withUnsafeBufferPointer { Self.matchEnd($0, 0, t, p) }
            if let end { return end }
            k += 1
        }
        return -1
    }

    /// Where `pat[j...]` ends when it matches at `t[p...]`, each byte written as itself or inside
    /// an escape; nil when it does not. Backtracks only at an escape that could also be literal.
    private static func matchEnd(_ pat: UnsafeBufferPointer<UInt8>, _ j0: Int, _ t: UnsafeBufferPointer<UInt8>,
                                 _ p0: Int) -> Int? {
        var j = j0, p = p0
        let m = pat.count, n = t.count
        while j < m {
            guard p < n else { return nil }
            let c = t[p]
            if isEscapeStart(c), let d = decode(t, p), j + d.count <= m {
                var same = true
                for i in 0..<d.count where pat[j + i] != UInt8(truncatingIfNeeded: d.bytes >> (8 * UInt32(i))) {
                    same = false
                    break
                }
                if same, let end = matchEnd(pat, j + d.count, t, p + d.length) { return end }
            }
            guard c == pat[j] else { return nil }
            j += 1
            p += 1
        }
        return p
    }

    @inline(__always)
    private static func isEscapeStart(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "%") || c == UInt8(ascii: "\\") || c == UInt8(ascii: "+")
    }

    /// The escape at `t[p]`: the UTF-8 bytes it stands for (little-endian in `bytes`, `count` of
    /// them) and how many bytes of `t` it takes. `%XX`, `+` (a space in a form), JSON's `\"`, `\\`,
    /// `\/`, `\b`, `\f`, `\n`, `\r`, `\t` and `\uXXXX` (a surrogate pair as one character).
    static func decode(_ t: UnsafeBufferPointer<UInt8>, _ p: Int) -> (bytes: UInt32, count: Int, length: Int)? {
        let n = t.count
        switch t[p] {
        case UInt8(ascii: "+"):
            return (0x20, 1, 1)
        case UInt8(ascii: "%"):
            guard p + 2 < n, let hi = hex(t[p + 1]), let lo = hex(t[p + 2]) else { return nil }
            return (hi << 4 | lo, 1, 3)
        case UInt8(ascii: "\\"):
            guard p + 1 < n else { return nil }
            switch t[p + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return (UInt32(t[p + 1]), 1, 2)
            case UInt8(ascii: "b"): return (0x08, 1, 2)
            case UInt8(ascii: "f"): return (0x0C, 1, 2)
            case UInt8(ascii: "n"): return (0x0A, 1, 2)
            case UInt8(ascii: "r"): return (0x0D, 1, 2)
            case UInt8(ascii: "t"): return (0x09, 1, 2)
            case UInt8(ascii: "u"):
                guard let unit = hex4(t, p + 2) else { return nil }
                var scalar = unit, length = 6
                if (0xD800..<0xDC00).contains(unit) {
                    guard p + 11 < n, t[p + 6] == UInt8(ascii: "\\"), t[p + 7] == UInt8(ascii: "u"),
                          let low = hex4(t, p + 8), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    length = 12
                } else if (0xDC00..<0xE000).contains(unit) {
                    return nil
                }
                return utf8(scalar, length)
            default:
                return nil
            }
        default:
            return nil
        }
    }

    private static func utf8(_ s: UInt32, _ length: Int) -> (bytes: UInt32, count: Int, length: Int) {
        switch s {
        case ..<0x80: return (s, 1, length)
        case ..<0x800: return ((0xC0 | s >> 6) | (0x80 | s & 0x3F) << 8, 2, length)
        case ..<0x10000: return ((0xE0 | s >> 12) | (0x80 | s >> 6 & 0x3F) << 8 | (0x80 | s & 0x3F) << 16, 3, length)
        default:
            return ((0xF0 | s >> 18) | (0x80 | s >> 12 & 0x3F) << 8 | (0x80 | s >> 6 & 0x3F) << 16
                    | (0x80 | s & 0x3F) << 24, 4, length)
        }
    }

    private static func hex4(_ t: UnsafeBufferPointer<UInt8>, _ p: Int) -> UInt32? {
        guard p + 3 < t.count, let a = hex(t[p]), let b = hex(t[p + 1]), let c = hex(t[p + 2]), let d = hex(t[p + 3])
        else { return nil }
        return a << 12 | b << 8 | c << 4 | d
    }

    private static func hex(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
