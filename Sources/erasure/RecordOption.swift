import ArgumentParser
import ErasureHost

/// `--record DIR` of the commands that talk to vendors (run, delete, suspend, lookup).
struct RecordOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Save every answered request and its answer, secrets redacted, as fixtures in DIR.",
        discussion: "One file per vendor, DIR/VENDOR.jsonl, one pair a line, written as answers come back; "
            + "a plugin test replays it with replay(\"DIR\") (docs/plugins.md). Requests dry-run holds back are not saved.",
        valueName: "DIR"))
    var record: String?

    /// The recorder of this run, or nil without --record; a folder that cannot be made is a usage
    /// error (exit 2), before anything is sent.
    func fixtures() throws -> FixtureRecorder? {
        guard let record else { return nil }
        do { return try FixtureRecorder(folder: record) } catch {
            throw usageFailure(UsageError("--record \(record): cannot make the folder: \(error.localizedDescription)"))
        }
    }
}
