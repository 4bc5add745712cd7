import ArgumentParser
import Dispatch
import Foundation
import Sandbox

/// `erasure sandbox`: local emulators of every vendor API on one loopback port (docs/sandbox.md).
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve local emulators of every vendor API, for rehearsals and tests.",
        discussion: """
            Every vendor is served on one port under its own prefix, seeded with sample users \
            (Ada Lovelace and Grace Hopper everywhere; see docs/sandbox.md):
            \(SandboxServer.vendorList)

            Control endpoints: GET /_sandbox/state, GET /_sandbox/requests, POST /_sandbox/reset, \
            POST|GET|DELETE /_sandbox/faults, GET /_sandbox/config.

            stderr gets "sandbox listening on http://HOST:PORT"; stdout gets the erasure.toml with \
            --print-config, else the base URL. Ctrl-C or SIGTERM stops it cleanly.

            Example:
              erasure sandbox --port 0 --print-config > erasure.toml &
              erasure delete cubicasa email=ada@example.com --config erasure.toml
            """
    )

    @Option(name: .long, help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8080

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("Seed JSON file (users, credentials, settings).", valueName: "file"))
    var seed: String?

    @Flag(name: .long, help: "Print an erasure.toml pointing every vendor at this sandbox on stdout.")
    var printConfig = false

    @Flag(name: .long, help: "Print the default seed (JSON) on stdout and exit: a starting point for --seed.")
    var printSeed = false

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535 (got \(port))")
        }
    }

    func run() async throws {
        if printSeed {
            FileHandle.standardOutput.write(SandboxSeed.default.jsonData())
            FileHandle.standardOutput.write(Data("\n".utf8))
            return
        }
        let seedValue: SandboxSeed
        if let seed {
            do { seedValue = try SandboxSeed.load(file: seed) } catch {
                FileHandle.standardError.write(Data("erasure sandbox: \(error)\n".utf8))
                throw ExitCode(2)
            }
        } else {
            seedValue = .default
        }

        // Signals first, so a SIGTERM arriving right after the config is printed is never lost.
        let (signals, signalCont) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { signalCont.yield(sig) }
            src.resume()
            sources.append(src)
        }

        let server: SandboxServer
        do {
            server = try await SandboxServer.start(host: host, port: port, seed: seedValue)
        } catch {
            FileHandle.standardError.write(Data("erasure sandbox: \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("sandbox listening on \(server.baseURL)\n".utf8))
        let out = printConfig ? server.configTOML() : server.baseURL + "\n"
        FileHandle.standardOutput.write(Data(out.utf8))

        var received: Int32 = 0
        for await sig in signals {
            received = sig
            break
        }
        FileHandle.standardError.write(Data("sandbox: \(received == SIGINT ? "SIGINT" : "SIGTERM"), stopping\n".utf8))
        await server.stop()
        sources.forEach { $0.cancel() }
        FileHandle.standardError.write(Data("sandbox stopped\n".utf8))
    }
}
