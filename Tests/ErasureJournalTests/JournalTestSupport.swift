import ErasureJournal
import Foundation
import XCTest

extension XCTestCase {
    /// A fresh temporary directory, removed when the test ends.
    func makeTempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("erasure-journal-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

func sampleRun(workflow: String = "offboard", sha: String? = String(repeating: "a", count: 64),
               dryRun: Bool = false) -> RunInfo {
    RunInfo(workflow: workflow, inputPath: "people.csv", inputSHA256: sha, configFingerprint: "fp-1234",
            dryRun: dryRun, argv: ["erasure", "run", workflow, "--users", "people.csv"])
}

func person(_ line: Int, _ email: String) -> PersonRef {
    PersonRef(line: line, identity: ["email": email, "cubicasa.id": "id-\(line)"])
}

func deleteEvidence(vendor: String, id: String, status: Int = 204) -> ReceiptEvidence {
    ReceiptEvidence(requests: [
        ReceiptRequest(method: "GET", url: "http://127.0.0.1:9/\(vendor)/users/\(id)", status: 200,
                      requestBody: nil, responseBody: Array("{\"id\":\"\(id)\"}".utf8)),
        ReceiptRequest(method: "DELETE", url: "http://127.0.0.1:9/\(vendor)/users/\(id)", status: status,
                      requestBody: [], responseBody: []),
    ])
}

/// Every byte of the journal's files (main, -wal, -shm when present).
func journalBytes(_ path: String) throws -> Data {
    var all = Data()
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if let d = FileManager.default.contents(atPath: path + suffix) { all.append(d) }
    }
    return all
}
