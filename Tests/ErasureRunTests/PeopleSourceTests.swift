import Foundation
import XCTest

@testable import ErasureRun

/// The CSV of people (PeopleSource.swift, LineReader.swift): reading is linear in the input's
/// size, and a line past the limit is refused while the batch goes on.
final class PeopleSourceTests: XCTestCase {
    var dir: URL!

    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("erasure-csv-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// Writes `parts` (a string, or a count of 'x' bytes) to a file, 1 MiB at a time.
    func write(_ name: String, _ parts: [Any]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for part in parts {
            if let text = part as? String { h.write(Data(text.utf8)); continue }
            var left = part as! Int
            while left > 0 {
                let n = min(left, block.count)
                h.write(block.prefix(n))
                left -= n
            }
        }
        return path
    }

    /// Finding 10: a 100 MB line, then a 100 MB last line without a newline. Each is refused with
    /// its line number and the limit, in about the time it takes to read it (the quadratic reader
    /// took 71 s for 8 MB), the lines around them are read, and the reader never holds more than
    /// the limit plus a read or two.
    func testA100MBLineIsRefusedInLinearTimeAndBoundedMemory() async throws {
        let path = try write("long.csv", ["email\n", "ada@example.com\n", 100 << 20, "\n", "grace@example.com\r\n", 100 << 20])
        let people = try CSVPeople(path: path)
        let start = ContinuousClock.now
        var rows: [PersonRow] = []
        while let row = people.next() { rows.append(row) }
        let took = ContinuousClock.now - start
        XCTAssertLessThan(took, .seconds(30), "200 MB read in \(took)")
        XCTAssertEqual(rows.map(\.line), [2, 3, 4, 5])
        XCTAssertEqual(rows[0].identity?.flattened, ["email": "ada@example.com"])
        XCTAssertEqual(rows[2].identity?.flattened, ["email": "grace@example.com"])
        for i in [1, 3] {
            XCTAssertNil(rows[i].identity)
            XCTAssertEqual(rows[i].problem, "longer than the limit of 1048576 bytes (--max-line-bytes); skipped")
        }
        XCTAssertLessThanOrEqual(people.reader.peakBufferedBytes, CSVPeople.defaultMaxLineBytes + 2 * 65_536)
    }

    /// The limit is the caller's; a line of exactly the limit (a '\r' before its '\n' not counted)
    /// is read, one byte more is refused; a header past it is a setup error.
    func testTheLimitIsExact() throws {
        let path = try write("exact.csv", ["id\n", 10, "\r\n", 11, "\n", "last"])
        let people = try CSVPeople(path: path, maxLineBytes: 10)
        let rows = [people.next(), people.next(), people.next(), people.next()]
        XCTAssertEqual(rows[0]?.identity?.flattened, ["id": "xxxxxxxxxx"])
        XCTAssertEqual(rows[1]?.problem, "longer than the limit of 10 bytes (--max-line-bytes); skipped")
        XCTAssertEqual(rows[2]?.identity?.flattened, ["id": "last"])
        XCTAssertNil(rows[3])
        XCTAssertThrowsError(try CSVPeople(path: path, maxLineBytes: 1)) { error in
            XCTAssertTrue("\(error)".contains(":1: the header row is longer than the limit of 1 bytes"), "\(error)")
        }
    }
}
