import CSV
import ErasureHost
import ErasureJournal
import ErasurePlugins
import Foundation
import LuaBridge

/// One person of the input, or the reason its line cannot be used.
public struct PersonRow: Sendable {
    public var line: Int
    public var identity: Identity?
    public var problem: String?
    /// Applying a plan: this person's part of it.
    public var plan: PlannedPerson? = nil
}

/// Streams people from a CSV file (or standard input) whose header row names identity keys
/// (`email`, `id`, `cubicasa.id`, ...). One person per line: the file is never read whole, and a
/// malformed line (wrong number of fields, bad quoting, no identity, longer than `maxLineBytes`)
/// is reported with its line number while the rest goes on. Fields may be quoted ("a, b" and
/// "say ""hi""") but a field cannot span lines: identities never contain line breaks. Each line's
/// fields are split by the CSV library, a line of at most `maxLineBytes` (`LineReader`: linear
/// in the input's size, memory bounded by the limit).
public final class CSVPeople: @unchecked Sendable {
    public static let defaultMaxLineBytes = 1 << 20

    public let header: [String]
    public let path: String
    public var maxLineBytes: Int { reader.maxLineBytes }
    private let handle: FileHandle
    private(set) var reader: LineReader
    private var lineNumber = 1

    public init(path: String, maxLineBytes: Int = CSVPeople.defaultMaxLineBytes) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw SetupError("cannot read \(path): no such file, or not readable")
            }
            handle = h
        }
        reader = LineReader(handle: handle, maxLineBytes: maxLineBytes)
        // The header row.
        let first: [UInt8]
        switch reader.next() {
        case .text(let bytes)?:
            first = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes  // a UTF-8 byte order mark
        case .tooLong?:
            throw SetupError("\(path):1: the header row is longer than the limit of \(maxLineBytes) bytes (--max-line-bytes)")
        case nil: throw SetupError("\(path) is empty: its first line must name identity keys, e.g. email,gafapay.id")
        }
        guard let text = String(validating: first, as: UTF8.self) else {
            throw SetupError("\(path):1: the header row is not valid UTF-8")
        }
        guard let names = CSVPeople.fields(text), !names.isEmpty else {
            throw SetupError("\(path):1: the header row is not valid CSV")
        }
        let cleaned = names.map { $0.trimmingCharacters(in: .whitespaces) }
        if let blank = cleaned.firstIndex(where: \.isEmpty) {
            throw SetupError("\(path):1: column \(blank + 1) of the header has no name")
        }
        var seen = Set<String>()
        for name in cleaned where !seen.insert(name).inserted {
            throw SetupError("\(path):1: column \(name) appears twice in the header")
        }
        header = cleaned
    }

    deinit { if path != "-" { try? handle.close() } }

    /// The next row, or nil at the end of the input. Blank lines are skipped.
    public func next() -> PersonRow? {
        while let line = reader.next() {
            lineNumber += 1
            switch line {
            case .tooLong:
                return PersonRow(line: lineNumber, identity: nil,
                                 problem: "longer than the limit of \(maxLineBytes) bytes (--max-line-bytes); skipped")
            case .text(let bytes):
                // Not repaired with U+FFFD: that would be someone else's identity.
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    return PersonRow(line: lineNumber, identity: nil, problem: "not valid UTF-8: identities are text")
                }
                if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                return row(text, line: lineNumber)
            }
        }
        return nil
    }

    func row(_ text: String, line: Int) -> PersonRow {
        if text.utf8.reduce(0, { $0 + ($1 == UInt8(ascii: "\"") ? 1 : 0) }) % 2 != 0 {
            return PersonRow(line: line, identity: nil, problem: "bad quoting: a quote is not closed on this line")
        }
        guard let cells = CSVPeople.fields(text) else {
            return PersonRow(line: line, identity: nil, problem: "not valid CSV")
        }
        guard cells.count == header.count else {
            return PersonRow(line: line, identity: nil,
                             problem: "\(cells.count) field\(cells.count == 1 ? "" : "s") where the header has \(header.count)")
        }
        var identity = Identity()
        do {
            for (name, value) in zip(header, cells) { try identity.set(name, value) }
        } catch {
            return PersonRow(line: line, identity: nil, problem: "\(error)")
        }
        if identity.isEmpty { return PersonRow(line: line, identity: nil, problem: "no identity: every field is empty") }
        return PersonRow(line: line, identity: identity, problem: nil)
    }

    /// Splits one line into fields with the CSV library.
    static func fields(_ line: String) -> [String]? {
        guard let reader = try? CSVReader(string: line, hasHeaderRow: false) else { return nil }
        let row = reader.next()
        if reader.error != nil { return nil }
        return row
    }

    /// Counts the data lines of a file (for a progress bar's ETA); nil for standard input.
    public static func countLines(path: String) -> Int? {
        guard path != "-", let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        var n = 0
        var last: UInt8 = UInt8(ascii: "\n")
        while true {
            let chunk = h.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            for b in chunk where b == UInt8(ascii: "\n") { n += 1 }
            last = chunk.last!
        }
        if last != UInt8(ascii: "\n") { n += 1 }
        return max(0, n - 1)
    }
}
