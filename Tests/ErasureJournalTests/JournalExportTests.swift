import CSV
import ErasureJournal
import ErasureHost
import Foundation
import XCTest

final class JournalExportTests: XCTestCase {
    func makeJournal(_ dir: URL) async throws -> (Journal, [Receipt]) {
        let journal = try Journal.open(path: dir.appendingPathComponent("j.sqlite").path)
        let run = try await journal.beginRun(sampleRun())
        for i in 0..<25 {
            let vendor = ["dragonpass", "pagos", "cubicasa"][i % 3]
            let key = StepKey(run: run, person: PersonRef(line: i + 2, identity: ["email": "p\(i)@example.com",
                                                                                  "name": "O'Brien, \"Pat\"\nJr"]),
                              vendor: vendor, action: "delete")
            try await journal.markSent(key)
            let bodies = i % 2 == 0 ? [BodyRecord(request: nil, response: "{\"ok\":true}"),
                                       BodyRecord(request: "{\"id\":\"\(i)\"}", response: "")] : nil
            var evidence = deleteEvidence(vendor: vendor, id: "\(i)")
            evidence.bodies = bodies
            try await journal.complete(key, result: StepResult(outcome: i % 5 == 0 ? "not_found" : "deleted",
                                                               message: i % 4 == 0 ? "line1,\nline2 \"q\"" : nil,
                                                               vendorID: "v\(i)"),
                                       evidence: evidence)
        }
        return (journal, try await journal.receipts())
    }

    func testJSONLExportRoundTrips() async throws {
        let dir = try makeTempDir()
        let (journal, receipts) = try await makeJournal(dir)
        let out = dir.appendingPathComponent("receipts.jsonl")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        let written = try await journal.export(format: .jsonl, to: handle)
        try handle.close()
        XCTAssertEqual(written, 25)

        let text = try String(contentsOf: out, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 27)  // 25 receipts and the chain head, each ending with \n
        XCTAssertEqual(lines.last, "")
        XCTAssertTrue(lines[25].hasPrefix("{\"kind\":\"chain_head\",\"seq\":25,"), String(lines[25]))
        for (line, receipt) in zip(lines, receipts) {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["kind"] as? String, "receipt")
            XCTAssertEqual(object["seq"] as? Int, Int(receipt.seq))
            XCTAssertEqual(object["requests_json"] as? String, receipt.requestsJSON, "exactly as stored")
            XCTAssertEqual(object["run_id"] as? String, receipt.run.rawValue)
            XCTAssertEqual(object["person_key"] as? String, receipt.personKey)
            XCTAssertEqual((object["person"] as? [String: String])?["name"], "O'Brien, \"Pat\"\nJr")
            XCTAssertEqual(object["vendor"] as? String, receipt.vendor)
            XCTAssertEqual(object["outcome"] as? String, receipt.outcome)
            XCTAssertEqual(object["message"] as? String, receipt.message)
            XCTAssertEqual(object["vendor_id"] as? String, receipt.vendorID)
            XCTAssertEqual(object["time"] as? String, receipt.time)
            XCTAssertEqual(object["hash"] as? String, receipt.hash)
            XCTAssertEqual(object["prev_hash"] as? String, receipt.prevHash)
            let requests = try XCTUnwrap(object["requests"] as? [[String: Any]])
            XCTAssertEqual(requests.map { $0["method"] as? String }, ["GET", "DELETE"])
            XCTAssertEqual(requests[1]["status"] as? Int, 204)
            XCTAssertEqual(requests[1]["request_sha256"] as? String, receipt.requests[1].requestSHA256)
            if receipt.bodiesJSON == nil {
                XCTAssertTrue(object["bodies"] is NSNull)
            } else {
                XCTAssertEqual((object["bodies"] as? [[String: Any]])?.count, 2)
            }
        }
    }

    func testCSVExportIsFlat() async throws {
        let dir = try makeTempDir()
        let (journal, receipts) = try await makeJournal(dir)
        let out = dir.appendingPathComponent("receipts.csv")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        let v1 = try await journal.export(format: .csv, to: handle)
        XCTAssertEqual(v1, 25)
        try handle.close()

        let stream = try XCTUnwrap(InputStream(fileAtPath: out.path))
        let reader = try CSVReader(stream: stream, hasHeaderRow: true)
        XCTAssertEqual(reader.headerRow, Journal.csvColumns)
        var rows: [[String: String]] = []
        while let row = reader.next() { rows.append(Dictionary(uniqueKeysWithValues: zip(Journal.csvColumns, row))) }
        // One row per request: every receipt has a GET and a DELETE.
        XCTAssertEqual(rows.count, 50)
        for (i, receipt) in receipts.enumerated() {
            let pair = rows[2 * i...2 * i + 1]
            XCTAssertEqual(pair.map { $0["seq"] }, [String(receipt.seq), String(receipt.seq)])
            XCTAssertEqual(pair.map { $0["request"] }, ["1", "2"])
            XCTAssertEqual(pair.map { $0["method"] }, ["GET", "DELETE"])
            XCTAssertEqual(pair.last?["status"], "204")
            XCTAssertEqual(pair.last?["url"], receipt.requests[1].url)
            XCTAssertEqual(pair.first?["message"], receipt.message ?? "")
            XCTAssertEqual(pair.first?["hash"], receipt.hash)
            XCTAssertEqual(pair.first?["identity"], "email=p\(i)@example.com; name=O'Brien, \"Pat\"\nJr")
        }
        // One value per cell: no JSON anywhere.
        for row in rows {
            for (column, cell) in row {
                XCTAssertFalse(cell.hasPrefix("{") || cell.hasPrefix("["), "\(column): \(cell)")
            }
        }
    }
}
