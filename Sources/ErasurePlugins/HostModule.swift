import ErasureHost
import Foundation
import Logging
import LuaBridge

/// The raw host functions behind `ctx` and the workflow handles, the one list of them: the files
/// of lua/ wrap each by its name here, and lua/runtime.lua refuses to start when a name is
/// missing on either side. Each acts for the action whose Lua call is running (`context`): a
/// plugin can only ever reach its own vendor's hosts, under its own policy.
extension Engine {
    /// The module, bound late: `late` holds the engine once it is built (the module must be
    /// registered before the environments that copy it are made).
    static func hostModule(_ late: Locked<Engine?>) -> [String: HostFunction] {
        @Sendable func engine() throws -> Engine {
            guard let e = late.current else { throw HostError("erasure is still starting") }
            return e
        }
        return [
            "http": .async { args, context in [try await engine().hostHTTP(args.first ?? .nil, context)] },
            "oauth2_token": .async { args, context in try await engine().hostOAuth2Token(args.first, context) },
            "oauth2_invalidate": .async { args, context in try await engine().hostOAuth2Invalidate(args.first, context) },
            "act": .async { args, context in
                guard let person = context as? any WorkflowCallContext else { throw HostError("vendor handles can only be used inside a workflow") }
                return try await person.act(engine: engine(), args)
            },
            "sleep": .async { args, _ in
                let requested = LuaConv.double(args.first) ?? 0
                guard !requested.isNaN else { throw HostError("ctx.sleep: seconds must be a number (got nan)") }
                // never past the call's deadline: a sleep that would outlast it ends the call now
                if let left = LuaCall.timeLeft, requested >= left.seconds { throw LuaDeadlineReached() }
                try await Task.sleep(nanoseconds: UInt64(min(max(requested, 0), 86_400) * 1e9))
                return []
            },
            "state_get": .async { args, context in try await engine().hostStateGet(args, context) },
            "state_set": .async { args, context in try await engine().hostStateSet(args, context) },
            "url": .sync { call in try engine().hostURL(&call) },
            "basic": .sync { call in try engine().hostBasic(&call) },
            "jwt": .sync { call in call.push(LuaConv.s(try engine().jwt(try call.argument(1)))) },
            "uuid": .sync { call in call.push(LuaConv.s(HostHelpers.uuid())) },
            "now": .sync { call in call.push(.number(Date().timeIntervalSince1970)) },  // no ISO 8601 string: only the epoch is used
            "log": .sync { call in try engine().hostLog(&call) },
            "skip": .sync { call in
                guard let person = call.context as? any WorkflowCallContext else { throw HostError("skip() can only be used inside a workflow") }
                person.skip(vendor: LuaConv.string(try call.argument(1)),
                            reason: LuaConv.string(try call.argument(2)) ?? "skipped by the workflow")
            },
        ]
    }

    func hostHTTP(_ request: LuaValue, _ context: (any Sendable)?) async throws -> LuaValue {
        guard let actx = context as? ActionContext else { throw HostError("ctx.http can only be used inside a plugin action") }
        return try await self.request(request, actx)
    }

    func hostOAuth2Token(_ source: LuaValue?, _ context: (any Sendable)?) async throws -> [LuaValue] {
        let (client, actx) = try oauthClient(source, context)
        do { return [LuaConv.s(try await client.token(recorder: actx?.recorder))] } catch {
            throw luaError(error)
        }
    }

    func hostOAuth2Invalidate(_ source: LuaValue?, _ context: (any Sendable)?) async throws -> [LuaValue] {
        let (client, _) = try oauthClient(source, context)
        await client.invalidate()
        return []
    }

    func hostURL(_ call: inout HostCall) throws {
        guard let base = LuaConv.string(try call.argument(1)) else { throw HostError("ctx.url: the base URL must be a string") }
        var segments: [String] = []
        if call.count >= 2 {
            for i in 2...call.count {
                let v = try call.argument(i)
                guard let s = LuaConv.string(v) else {
                    throw HostError("ctx.url: segment \(i - 1) is \(PluginValidator.typeName(v)), not a string")
                }
                segments.append(s)
            }
        }
        do { call.push(LuaConv.s(try URLBuilder.join(base: base, segments: segments))) } catch {
            throw HostError(redactor.redact("ctx.url: \(error)"))
        }
    }

    func hostBasic(_ call: inout HostCall) throws {
        let user = LuaConv.string(try call.argument(1)) ?? "", pass = LuaConv.string(try call.argument(2)) ?? ""
        redactor.addBasicPair(user: user, password: pass)
        call.push(LuaConv.s(Auth.basic(user: user, password: pass).1))
    }

    func hostLog(_ call: inout HostCall) throws {
        let level = LuaConv.string(try call.argument(1)) ?? "info"
        let text = LuaConv.string(try call.argument(2)) ?? ""
        let vendor = (call.context as? ActionContext)?.vendor ?? "workflow"
        let logger = HostLog.logger(plugin: vendor, redactor: redactor, level: logLevel)
        logger.log(level: Logger.Level(rawValue: level == "warn" ? "warning" : level) ?? .info, "\(text)")
    }

    func oauthClient(_ source: LuaValue?, _ context: (any Sendable)?) throws -> (OAuth2ClientCredentials, ActionContext?) {
        let actx = context as? ActionContext
        guard let vendor = actx?.vendor, let policy = policies[vendor] else {
            throw HostError("ctx.auth tokens can only be used inside a plugin action")
        }
        guard let url = LuaConv.string(LuaConv.field(source, "token_url")),
              let id = LuaConv.string(LuaConv.field(source, "client_id")),
              let secret = LuaConv.string(LuaConv.field(source, "client_secret"))
        else { throw HostError("ctx.auth.oauth2 needs token_url, client_id and client_secret") }
        redactor.add(secret)
        // The vendor's own policy: the token URL passes the same gate as every request.
        return (oauth.client(tokenURL: url, clientID: id, clientSecret: secret,
                             scope: LuaConv.string(LuaConv.field(source, "scope")), engine: http, policy: policy), actx)
    }

    func jwt(_ spec: LuaValue) throws -> String {
        guard case .table = spec else { throw HostError("ctx.auth.jwt expects a table {alg, key, claims, lifetime}") }
        let alg = (LuaConv.string(LuaConv.field(spec, "alg")) ?? "HS256").uppercased()
        guard let key = LuaConv.string(LuaConv.field(spec, "key")) else { throw HostError("ctx.auth.jwt: `key` is missing") }
        let algorithm: JWT.Algorithm
        switch alg {
        case "HS256": algorithm = .hs256(secret: Array(key.utf8))
        case "RS256": algorithm = .rs256(privateKeyPEM: key)
        default: throw HostError("ctx.auth.jwt: alg must be HS256 or RS256 (got \(alg))")
        }
        var claims: [String: JSONValue] = [:]
        if let c = LuaConv.field(spec, "claims") {
            guard case .object(let object) = try LuaConv.toJSONValue(c) else {
                throw HostError("ctx.auth.jwt: `claims` must be a table of name = value")
            }
            claims = object
        }
        do {
            let token = try JWT.sign(claims: claims, algorithm: algorithm, lifetime: LuaConv.double(LuaConv.field(spec, "lifetime")))
            redactor.add(token)
            return token
        } catch {
            throw HostError(redactor.redact("ctx.auth.jwt: \(error)"))
        }
    }

    /// The error a failed request raises in Lua: `{ message, retryable, kind }`, plus
    /// `outcome_unknown = true` for a mutation whose result is unknown (`HostHTTPError.Kind.outcomeUnknown`:
    /// it may have taken effect and was not sent again). `kind` is the `HostHTTPError.Kind` name.
    private func luaError(_ error: any Error) -> HostError {
        if let e = error as? HostError { return e }
        var fields: [String: LuaValue]
        switch error {
        case let e as HostHTTPError:
            fields = ["message": LuaConv.s(e.message), "retryable": .boolean(e.retryable), "kind": LuaConv.s(e.kind.rawValue)]
            if e.outcomeUnknown { fields["outcome_unknown"] = .boolean(true) }
        case let e as OAuth2Error:
            fields = ["message": LuaConv.s(redactor.redact(e.message)), "retryable": .boolean(e.retryable), "kind": LuaConv.s("auth")]
        default:
            fields = ["message": LuaConv.s(redactor.redact("\(error)")), "retryable": .boolean(true)]
        }
        return HostError(value: LuaConv.table(fields))
    }

    /// ctx.http.request: the Lua request table → HTTPEngine → the Lua response table.
    private func request(_ req: LuaValue, _ actx: ActionContext) async throws -> LuaValue {
        guard case .table = req else { throw HostError("ctx.http.request expects a table {method, url, ...}") }
        guard let policy = policies[actx.vendor] else { throw HostError("vendor \(actx.vendor) has no HTTP policy") }
        guard let url = LuaConv.string(LuaConv.field(req, "url")) else { throw HostError("ctx.http.request: `url` is missing") }
        var spec = HTTPRequestSpec(method: (LuaConv.string(LuaConv.field(req, "method")) ?? "GET").uppercased(), url: url)
        spec.query = try LuaConv.stringPairs(LuaConv.field(req, "query"), what: "query")
        for (name, value) in try LuaConv.stringPairs(LuaConv.field(req, "headers"), what: "headers") {
            spec.headers.set(name, value)
        }
        if let json = LuaConv.field(req, "json") {
            do { spec.setJSONBody(try JSON.encode(json)) } catch { throw HostError("ctx.http.request: json body: \(error)") }
        } else if case .string(let body)? = LuaConv.field(req, "body") {
            spec.body = body.bytes
        } else if let form = LuaConv.field(req, "form") {
            spec.setFormBody(try LuaConv.stringPairs(form, what: "form"))
        }
        if let t = LuaConv.double(LuaConv.field(req, "timeout")) {
            guard t.isFinite, t > 0, t <= 86_400 else {
                throw HostError("ctx.http.request: `timeout` must be a positive number of seconds, at most 86400 (got \(t))")
            }
            spec.timeout = .milliseconds(Int64(t * 1000))
        }
        if let left = LuaCall.timeLeft {  // never past the call's deadline: neither a request nor a retry wait
            spec.timeout = min(spec.timeout ?? policy.timeout, left)
            spec.timeLeft = left
        }
        spec.readOnly = LuaConv.bool(LuaConv.field(req, "read_only")) ?? false
        let result: HTTPResult
        do {
            if let source = LuaConv.field(req, "auth") {
                let (client, _) = try oauthClient(source, actx)
                result = try await http.send(spec, policy: policy, recorder: actx.recorder, oauth: client,
                                             admit: actx.admit, beforeSending: actx.beforeMutating)
            } else {
                result = try await http.send(spec, policy: policy, recorder: actx.recorder,
                                             admit: actx.admit, beforeSending: actx.beforeMutating)
            }
        } catch {
            throw luaError(error)
        }
        switch result {
        case .planned:
            return LuaConv.table(["status": .integer(0), "planned": .boolean(true), "body": LuaConv.s(""),
                                  "headers": LuaConv.table([:])])
        case .response(let r):
            actx.lastResponse.withLock { $0 = r }
            // `headers`: the last value of each name; `repeated`: every value of the names sent more
            // than once (only built when there is one: resp.header_values reads it).
            var headers: [String: LuaValue] = [:]
            var repeated: [String: [LuaValue]] = [:]
            for (name, value) in r.headers {
                let key = name.lowercased(), v = LuaConv.s(value)
                if let earlier = headers[key] { repeated[key, default: [earlier]].append(v) }
                headers[key] = v
            }
            var fields: [String: LuaValue] = ["status": .integer(Int64(r.status)), "body": .string(LuaString(bytes: r.body)),
                                              "headers": LuaConv.table(headers)]
            if !repeated.isEmpty { fields["repeated"] = LuaConv.table(repeated.mapValues(LuaConv.array)) }
            return LuaConv.table(fields)
        }
    }
}
