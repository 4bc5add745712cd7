import Crypto
import Foundation

/// The names and deterministic ids the emulators' default records are made of.
enum SampleNames {
    static let ada = (first: "Ada", last: "Lovelace")
    static let grace = (first: "Grace", last: "Hopper")

    /// Each emulator takes its own slice, so the vendors hold overlapping but different people.
    static let pioneers: [(String, String)] = [
        ("Alan", "Turing"), ("Barbara", "Liskov"), ("Charles", "Babbage"), ("Donald", "Knuth"),
        ("Edsger", "Dijkstra"), ("Frances", "Allen"), ("John", "Backus"), ("Katherine", "Johnson"),
        ("Dennis", "Ritchie"), ("Ken", "Thompson"), ("Margaret", "Hamilton"), ("Niklaus", "Wirth"),
        ("Radia", "Perlman"), ("Tim", "Berners-Lee"), ("Vint", "Cerf"), ("Bob", "Kahn"),
        ("Leslie", "Lamport"), ("Shafi", "Goldwasser"), ("Silvio", "Micali"), ("Whitfield", "Diffie"),
        ("Martin", "Hellman"), ("Ron", "Rivest"), ("Adi", "Shamir"), ("Leonard", "Adleman"),
        ("John", "McCarthy"), ("Marvin", "Minsky"), ("Claude", "Shannon"), ("John", "von Neumann"),
        ("Alonzo", "Church"), ("Kurt", "Godel"), ("Hedy", "Lamarr"), ("Annie", "Easley"),
        ("Dorothy", "Vaughan"), ("Mary", "Jackson"), ("Jean", "Bartik"), ("Betty", "Holberton"),
        ("Kathleen", "Booth"), ("Sophie", "Wilson"), ("Steve", "Furber"), ("Guido", "van Rossum"),
        ("Bjarne", "Stroustrup"), ("James", "Gosling"), ("Anders", "Hejlsberg"), ("Chris", "Lattner"),
        ("Brian", "Kernighan"), ("Rob", "Pike"), ("Jim", "Gray"), ("Michael", "Stonebraker"),
        ("Edgar", "Codd"), ("Ivan", "Sutherland"), ("Douglas", "Engelbart"), ("Alan", "Kay"),
        ("Adele", "Goldberg"), ("Butler", "Lampson"), ("Chuck", "Thacker"), ("Fernando", "Corbato"),
        ("Ward", "Cunningham"), ("Kent", "Beck"), ("Lynn", "Conway"), ("Jean", "Sammet"),
    ]

    /// SHA-256 of `s`, lower-case hex.
    static func hex(_ s: String) -> String {
        SHA256.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Deterministic UUID (version-4 shaped) from a string.
    static func uuid(_ s: String, uppercase: Bool = false) -> String {
        var h = Array(hex(s).prefix(32))
        h[12] = "4"
        h[16] = ["8", "9", "a", "b"][Int(String(h[16]), radix: 16)! % 4]
        let str = String(h)
        let parts = [str.prefix(8), str.dropFirst(8).prefix(4), str.dropFirst(12).prefix(4),
                     str.dropFirst(16).prefix(4), str.dropFirst(20)].map(String.init)
        let u = parts.joined(separator: "-")
        return uppercase ? u.uppercased() : u
    }

    /// `ada.lovelace`, `ada_lovelace`: letters only, lower-case.
    static func slug(_ first: String, _ last: String, sep: String) -> String {
        let clean: (String) -> String = { $0.lowercased().filter { $0.isLetter } }
        return clean(first) + sep + clean(last)
    }
}
