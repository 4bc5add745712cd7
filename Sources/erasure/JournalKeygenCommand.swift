import ArgumentParser
import ErasureJournal
import Foundation

/// `erasure journal keygen`: the Ed25519 key pair that signs runs.
struct JournalKeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make the Ed25519 key pair that signs each run's final chain head.",
        discussion: """
            Writes FILE (the private key, readable by you only) and FILE.pub (the public key). Name \
            FILE in erasure.toml ([journal] signing_key = "file:FILE"), and give FILE.pub to whoever \
            audits: erasure journal verify --public-key FILE.pub. Without a configured key, each journal \
            gets its own next to it on first use.
            """)

    @Option(name: .long, help: ArgumentHelp("Where to write the private key (FILE.pub: the public key).", valueName: "FILE"))
    var out: String = "erasure-signing.key"

    func run() async throws {
        do {
            let key = try SigningKey.generate(at: out)
            JournalCommand.printLine("wrote \(out) (private: keep it) and \(out).pub (public: hand it to auditors); key \(key.id)")
        } catch {
            JournalCommand.fail("\(error)")
        }
    }
}
