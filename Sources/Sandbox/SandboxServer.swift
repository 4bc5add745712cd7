import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Every vendor emulator (`VendorEmulators.all`) on one loopback port (Contract 6), started in-process.
///
/// ```swift
/// let sandbox = try await SandboxServer.start(seed: .default)   // port 0: a free port
/// defer { Task { await sandbox.stop() } }
/// sandbox.baseURL            // "http://127.0.0.1:PORT"
/// sandbox.configTOML()       // an erasure.toml pointing every vendor at it
/// ```
public final class SandboxServer: Sendable {
    public let host: String
    public let port: Int
    /// `http://HOST:PORT` (no trailing slash); vendor prefixes follow (`/cubicasa/api/integrate/v3`, …).
    public var baseURL: String { "http://\(urlHost):\(port)" }
    let state: SandboxState
    private let group: ServiceGroup
    private let runTask: Task<Void, any Error>

    private var urlHost: String { SandboxServer.urlHost(host) }
    static func urlHost(_ host: String) -> String {
        if host == "0.0.0.0" || host.isEmpty { return "127.0.0.1" }
        return host.contains(":") ? "[\(host)]" : host
    }

    private init(host: String, port: Int, state: SandboxState, group: ServiceGroup, runTask: Task<Void, any Error>) {
        self.host = host; self.port = port; self.state = state; self.group = group; self.runTask = runTask
    }

    /// Starts serving. `port: 0` picks a free port (read it back from `port`).
    /// Throws when the address cannot be bound.
    public static func start(host: String = "127.0.0.1", port: Int = 0, seed: SandboxSeed = .default) async throws -> SandboxServer {
        let state = SandboxState(seed: seed, host: host)
        var logger = Logger(label: "erasure.sandbox")
        logger.logLevel = .critical
        let (ports, portCont) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: SandboxResponder(state: state),
            server: .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in
                portCont.yield(channel.localAddress?.port ?? 0)
                portCont.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { portCont.finish() }
            try await group.run()
        }
        var bound: Int?
        for await p in ports { bound = p }
        guard let bound, bound > 0 else {
            let reason: String
            do { try await task.value; reason = "server stopped before listening" } catch { reason = "\(error)" }
            throw SandboxError("sandbox: cannot listen on \(host):\(port): \(reason)")
        }
        state.port.store(bound, ordering: .relaxed)
        return SandboxServer(host: host, port: bound, state: state, group: group, runTask: task)
    }

    /// Graceful stop: no new connections, in-flight requests finish (bounded to 5 s, then cancelled).
    public func stop() async {
        await group.triggerGracefulShutdown()
        let task = runTask
        let watchdog = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = try? await task.value
        watchdog.cancel()
    }

    /// The credentials the emulators accept.
    public var credentials: SandboxCredentials { state.credentials }

    /// The current state, in the seed format (what `GET /_sandbox/state` returns).
    public func currentState() -> SandboxSeed { state.snapshot() }

    /// Back to the seed (or to `seed`, which then becomes the seed), request log and faults cleared.
    public func reset(to seed: SandboxSeed? = nil) { state.reset(to: seed) }

    /// An `erasure.toml` (Contract 4) pointing every vendor at this sandbox, with its credentials.
    public func configTOML() -> String {
        Self.configTOML(host: host, port: port, credentials: state.credentials)
    }

    static func configTOML(host: String, port: Int, credentials: SandboxCredentials) -> String {
        let base = "http://\(urlHost(host)):\(port)"
        let tables = VendorEmulators.all.map { $0.configTable(baseURL: base, credentials: credentials) }
        return "# erasure.toml for the erasure sandbox at \(base)\n"
            + "sandbox = true  # the credentials below are the emulator's, not secrets: no warning about literals\n\n"
            + tables.joined(separator: "\n")
    }

    /// Each vendor emulator's prefix, then its endpoints, indented for a help text.
    public static var vendorList: String {
        VendorEmulators.all.map { "  \($0.prefix)\n    \($0.endpoints)" }.joined(separator: "\n")
    }
}
