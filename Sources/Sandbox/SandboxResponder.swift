import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Per-request context: the connection, so the `drop` fault can close it without answering.
struct SandboxContext: InitializableFromSource {
    let channel: any Channel
    init(source: ApplicationRequestContextSource) { channel = source.channel }
}

/// Thrown after a dropped connection was closed; Hummingbird's write of the 500 it substitutes fails.
struct ConnectionDropped: Error {}

/// Every request: control endpoints under `/_sandbox`; everything else is logged, may meet a
/// fault, and goes to the emulator named by its first path segment.
struct SandboxResponder: HTTPResponder {
    let state: SandboxState
    static let maxBody = 16 << 20
    /// The emulators' prefixes, for the answer to a path none of them owns.
    static let prefixes = VendorEmulators.all.map { $0.prefix }.joined(separator: ", ")

    func respond(to request: Request, context: SandboxContext) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/_sandbox") {
            return await Control.handle(request, state: state)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBody)
        } catch {
            return Reply.text(.contentTooLarge, "request body over \(Self.maxBody) bytes")
        }
        let mounted = state.mounted(owning: path)
        let method = request.method
        let seq = state.log.append(LoggedRequest(
            seq: 0, time: Date().timeIntervalSince1970, vendor: mounted?.name, method: method.rawValue,
            path: path, query: request.uri.query ?? "", headers: request.headers, body: body, status: 0))

        let fault = state.faults.take(vendor: mounted?.name, method: method.rawValue, path: path)
        if let fault {
            if let ms = fault.delayMs, ms > 0 { try? await Task.sleep(for: .milliseconds(ms)) }
            if fault.drop {
                context.channel.close(promise: nil)
                throw ConnectionDropped()
            }
        }

        var response: Response
        if let fault, fault.status != nil || fault.body != nil {
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            response = Reply.raw(HTTPResponse.Status(code: fault.status ?? 200), fault.body ?? [], headers: headers)
        } else if let mounted {
            response = route(request, to: mounted, path: path, body: body, seq: seq)
        } else {
            response = Reply.json(.notFound, .object([("error", .string("no vendor at \(path); vendors: \(Self.prefixes); control: /_sandbox/"))]))
        }
        if let fault {
            for (k, v) in fault.headers {
                if let name = HTTPField.Name(k) { response.headers[name] = v }
            }
        }
        state.log.setStatus(seq: seq, Int(response.status.code))
        return response
    }

    func route(_ request: Request, to mounted: SandboxState.Mounted, path: String, body: ByteBuffer, seq: Int) -> Response {
        guard path.hasPrefix(mounted.prefix) else { return mounted.emulator.outsidePrefix }
        let rest = path.dropFirst(mounted.prefix.count)
        guard rest.isEmpty || rest.first == "/" else { return mounted.emulator.outsidePrefix }
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst()  // leading ""
        if parts.last?.isEmpty == true && parts.count > 1 { parts = parts.dropLast() }
        return mounted.emulator.respond(to: VendorRequest(request: request, path: path, components: parts.map(percentDecode),
                                                          body: body, seq: seq, log: state.log))
    }
}

private func percentDecode(_ s: Substring) -> String {
    if !s.utf8.contains(UInt8(ascii: "%")) { return String(s) }
    return String(s).removingPercentEncoding ?? String(s)
}
