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

enum Vendor: String, CaseIterable, Sendable {
    case dragonpass, pagos, engagelab, gafapay, cubicasa

    var prefix: String {
        switch self {
        case .dragonpass: DragonPass.prefix
        case .pagos: Pagos.prefix
        case .engagelab: EngageLab.prefix
        case .gafapay: GafaPay.prefix
        case .cubicasa: CubiCasa.prefix
        }
    }

    /// The vendor owning a path: its first segment (`/cubicasa/...`).
    static func owning(_ path: String) -> Vendor? {
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        let first = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), maxSplits: 1, omittingEmptySubsequences: false).first
        guard let first, let name = String(first) else { return nil }
        return Vendor(rawValue: name)
    }

    func handle(_ r: VendorRequest, state: SandboxState) -> Response {
        switch self {
        case .dragonpass: DragonPass.handle(r, state: state)
        case .pagos: Pagos.handle(r, state: state)
        case .engagelab: EngageLab.handle(r, state: state)
        case .gafapay: GafaPay.handle(r, state: state)
        case .cubicasa: CubiCasa.handle(r, state: state)
        }
    }

    /// Answer for a path under the vendor's segment but outside its documented prefix.
    var outsidePrefix: Response {
        switch self {
        case .dragonpass: Reply.json(.notFound, DragonPass.notFound)
        case .pagos: Reply.json(.notFound, .object([("Message", .string("No HTTP resource was found that matches the request URI."))]),
                                contentType: Pagos.contentType, extra: Pagos.headers)
        case .engagelab: EngageLab.routeNotFound
        case .gafapay: GafaPay.routeNotFound
        case .cubicasa: CubiCasa.notFound
        }
    }
}

struct SandboxResponder: HTTPResponder {
    let state: SandboxState
    static let maxBody = 16 << 20

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
        let vendor = Vendor.owning(path)
        let method = request.method
        let seq = state.logRequest(LoggedRequest(
            seq: 0, time: Date().timeIntervalSince1970, vendor: vendor?.rawValue, method: method.rawValue,
            path: path, query: request.uri.query ?? "", headers: request.headers, body: body, status: 0))

        let fault = state.takeFault(vendor: vendor?.rawValue, method: method.rawValue, path: path)
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
        } else if let vendor {
            response = SandboxState.$handling.withValue(seq) {
                route(vendor: vendor, method: method, path: path, query: request.uri.query ?? "",
                      headers: request.headers, body: body)
            }
        } else {
            response = Reply.json(.notFound, .object([("error", .string("no vendor at \(path); vendors: /dragonpass/api/v2, /pagos, /engagelab/v4, /gafapay/gafapay/v3, /cubicasa/api/integrate/v3; control: /_sandbox/"))]))
        }
        if let fault {
            for (k, v) in fault.headers {
                if let name = HTTPField.Name(k) { response.headers[name] = v }
            }
        }
        state.setStatus(seq: seq, Int(response.status.code))
        return response
    }

    func route(vendor: Vendor, method: HTTPRequest.Method, path: String, query: String, headers: HTTPFields,
               body: ByteBuffer) -> Response {
        let prefix = vendor.prefix
        guard path.hasPrefix(prefix) else { return vendor.outsidePrefix }
        let rest = path.dropFirst(prefix.count)
        guard rest.isEmpty || rest.first == "/" else { return vendor.outsidePrefix }
        var parts = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst()  // leading ""
        let trailing = parts.last?.isEmpty == true && parts.count > 1
        if trailing { parts = parts.dropLast() }
        let req = VendorRequest(method: method, path: path, components: parts.map(percentDecode),
                                trailingSlash: trailing, rawQuery: query, headers: headers, body: body)
        return vendor.handle(req, state: state)
    }
}
