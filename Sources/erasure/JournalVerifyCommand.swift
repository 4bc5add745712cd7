import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal verify`: the receipt chain, every row, the run signatures; or an export, offline.
struct JournalVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the receipt chain and check the run signatures; name the first thing altered or removed.",
        discussion: """
            --public-key: check the signatures against this key (from erasure journal keygen), not only \
            against the key the journal records: only then is a chain recomputed after an edit, and signed \
            anew with another key, refused. --head HASH: a head printed by an earlier verify and kept \
            elsewhere must still be in the chain. --export FILE: verify a jsonl export with no database \
            (needs --public-key).
            Exit status: 0 intact, 1 tampered with, 2 no usable journal or export.
            """)

    @OptionGroup var location: JournalCommand.Location

    @Option(name: .long, help: ArgumentHelp("The public key the runs must be signed with.", valueName: "FILE"))
    var publicKey: String?

    @Option(name: .long, help: ArgumentHelp("A chain head hash kept elsewhere: it must be in the chain.", valueName: "HASH"))
    var head: String?

    @Option(name: .long, help: ArgumentHelp("Verify this jsonl export instead of a journal.", valueName: "FILE"))
    var export: String?

    func run() async throws {
        var key: SigningPublicKey?
        if let publicKey {
            do { key = try SigningKey.readPublicKey(publicKey) } catch { JournalCommand.fail("\(error)") }
        }
        if let export {
            guard let key else { JournalCommand.fail("--export needs --public-key: an export proves nothing without a key you trust") }
            return try verifyExport(export, key)
        }
        let journal = try location.open()
        let result: ChainVerification
        do {
            result = try await journal.verify(publicKey: key, anchoredHead: head)
        } catch {
            JournalCommand.fail("cannot read \(location.journal): \(error)")
        }
        let name = "journal \(location.journal)"
        if let violation = result.violation {
            JournalCommand.printLine("\(name): TAMPERED: \(violation)")
            JournalCommand.printLine("(\(result.receiptsChecked) receipts verified before it)")
        }
        if let violation = result.rowViolation {
            JournalCommand.printLine("\(name): TAMPERED: \(violation)")
        }
        if let violation = result.signatures.violation {
            JournalCommand.printLine("\(name): TAMPERED: \(violation)")
        }
        if !result.isIntact { throw ExitCode(1) }
        let s = result.signatures
        let pruned = result.receiptsPruned > 0 ? " (\(result.receiptsPruned) pruned)" : ""
        JournalCommand.printLine("\(name): OK, \(result.receiptsChecked) receipts\(pruned), "
                                 + "chain head #\(result.headSeq) \(result.headHash)")
        var signed = "\(s.runsSigned) runs signed"
        if !s.keyIDs.isEmpty { signed += " by key \(s.keyIDs.joined(separator: ", "))" }
        signed += s.trustedKey ? ", checked against \(publicKey!)"
            : s.runsSigned > 0 ? " (checked against the key the journal records; give --public-key to check it is yours)" : ""
        if s.runsUnsigned > 0 { signed += "; \(s.runsUnsigned) ended runs unsigned" }
        JournalCommand.printLine(signed)
        if let head { JournalCommand.printLine("head \(head) is in the chain") }
    }

    func verifyExport(_ path: String, _ key: SigningPublicKey) throws {
        guard let data = FileManager.default.contents(atPath: path) else { JournalCommand.fail("cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        let result = ExportVerifier.verify(lines: text.split(separator: "\n", omittingEmptySubsequences: false), publicKey: key)
        if let violation = result.violation {
            JournalCommand.printLine("export \(path): TAMPERED: \(violation)")
            throw ExitCode(1)
        }
        // Not an edit that was seen: what cannot be checked is said as such, never as tampering.
        if let unverified = result.unverified {
            JournalCommand.printLine("export \(path): NOT VERIFIED (every receipt matches its hash, but not every one "
                                     + "is covered by a signature): \(unverified)")
            throw ExitCode(1)
        }
        var line = "export \(path): OK, \(result.receiptsChecked) receipts"
        if result.receiptsPruned > 0 { line += " (\(result.receiptsPruned) pruned)" }
        line += ", \(result.runsSigned) runs signed by key \(SigningKey.id(of: key))"
        if result.signaturesNotCheckable > 0 {
            line += "; \(result.signaturesNotCheckable) signatures whose head is not in this export"
        }
        if let seq = result.headSeq, let hash = result.headHash { line += "; chain head #\(seq) \(hash)" }
        JournalCommand.printLine(line)
    }
}
