import ErasureHost
import ErasurePlugins
import ErasureRun

/// A test case that runs test plugins (a `LuaFixture`) against a recording `TestServer`:
/// `setUp` calls `startPluginHost()`, `tearDown` `stopPluginHost()`.
package protocol PluginHostCase: AnyObject {
    var server: TestServer! { get }
    var fx: LuaFixture! { get }
}

extension PluginHostCase {
    package func startPluginHost() async throws -> (TestServer, LuaFixture) {
        (try await TestServer.start(), try LuaFixture())
    }

    package func stopPluginHost() async {
        await server?.stop()
        fx?.remove()
    }

    /// `[vendors.acme] base_url = <test server>` plus `extra` lines.
    package func acmeConfig(_ extra: String = "") throws {
        try fx.config("""
            [vendors.acme]
            base_url = "\(server.base)"
            \(extra)
            """)
    }

    package func seenCount(_ prefix: String = "/") async -> Int { await server.seen.seen(pathPrefix: prefix).count }
}

/// The outcomes a run reported, in the order it reported them (the sink the command line's
/// report is, without the rendering).
package final class OutcomeCollector: OutcomeSink {
    private let collected = Locked<[(outcome: Outcome, line: Int?)]>([])

    package init() {}

    package func add(_ outcome: Outcome, line: Int?, person: String?) { collected.withLock { $0.append((outcome, line)) } }

    package var outcomes: [Outcome] { collected.current.map(\.outcome) }

    package func count(_ kind: OutcomeKind) -> Int { outcomes.filter { $0.kind == kind }.count }

    /// Every outcome as its `--json` line.
    package var jsonLines: [String] { collected.current.map { $0.outcome.jsonLine(line: $0.line) } }
}

extension Outcome {
    /// The plugin's own message, without the note the host adds to a deletion it checked (or
    /// could not check): for tests whose plugins carry data in their message.
    package var pluginMessage: String {
        guard let how = verification else { return message }
        let note = (verified == true ? " (verified: " : " (not verified: ") + how + ")"
        return message.hasSuffix(note) ? String(message.dropLast(note.count)) : message
    }
}
