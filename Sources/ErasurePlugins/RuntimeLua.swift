import ErasureHost
import LuaBridge

/// The Lua half of the runtime (lua/runtime.lua and the files it loads), embedded at build time:
/// Package.swift's `.embedInCode("lua")` generates `PackageResources`, one [UInt8] per
/// file, so nothing is looked for at run time.
struct RuntimeLua: Sendable {
    /// Every file of lua/, by name without ".lua" (a test checks that this list and the folder
    /// agree, and compiles each).
    static let files: [String: [UInt8]] = [
        "runtime": PackageResources.runtime_lua,
        "ctx": PackageResources.ctx_lua,
        "ctx_http": PackageResources.ctx_http_lua,
        "ctx_auth": PackageResources.ctx_auth_lua,
        "ctx_log": PackageResources.ctx_log_lua,
        "ctx_state": PackageResources.ctx_state_lua,
        "response": PackageResources.response_lua,
        "link": PackageResources.link_lua,
        "pages": PackageResources.pages_lua,
        "workflow": PackageResources.workflow_lua,
        "readonly": PackageResources.readonly_lua,
    ]

    /// How errors name a file of lua/: "erasure/ctx_http.lua:12: ...".
    static func chunkName(_ name: String) -> String { "erasure/\(name).lua" }

    var install: LuaFunction
    var invoke: LuaFunction
    var runWorkflow: LuaFunction
    /// The global `skip(reason)` of every workflow.
    var skip: LuaFunction

    /// Runs runtime.lua in an environment of its own, handing it the other files compiled. The
    /// `__erasure` host module must be registered first: runtime.lua wraps every function of it.
    static func load(into lua: LuaRuntime) async throws -> RuntimeLua {
        let env = await lua.newEnvironment(name: "erasure")
        var compiled: [String: LuaValue] = [:]
        for (name, code) in files {
            compiled[name] = .function(try await lua.compile(code, chunkName: chunkName(name), in: env))
        }
        let result = try await lua.call(compiled["runtime"]!.functionValue!, [LuaConv.table(compiled)])
        guard case .function(let install)? = LuaConv.field(result.first, "install"),
              case .function(let invoke)? = LuaConv.field(result.first, "invoke"),
              case .function(let run)? = LuaConv.field(result.first, "run_workflow"),
              case .function(let skip)? = LuaConv.field(result.first, "skip")
        else { throw SetupError("internal: lua/runtime.lua did not return the runtime's functions") }
        return RuntimeLua(install: install, invoke: invoke, runWorkflow: run, skip: skip)
    }
}
