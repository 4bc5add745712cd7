import Foundation
import LuaBridge
import XCTest

@testable import ErasurePlugins
import ErasureHost
import LuaBridge
import ErasureTesting

/// The Lua half of the runtime (Sources/ErasurePlugins/lua, embedded at build time): every
/// file is embedded, compiles and runs, and the files and the Swift host module agree on every
/// host function.
final class RuntimeLuaTests: XCTestCase {
    func testEveryLuaFileIsEmbeddedAndLoads() async throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/ErasurePlugins/lua").standardized
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
        XCTAssertEqual(Set(onDisk), Set(RuntimeLua.files.keys.map { "\($0).lua" }))
        // compiles every file, runs runtime.lua, which runs the others
        _ = try await runtime(Engine.hostModule(Locked(nil)))
    }

    func testAHostFunctionOnOneSideOnlyStopsTheRuntime() async throws {
        var extra = Engine.hostModule(Locked(nil))
        extra["shred"] = .sync { _ in }
        await assertLoadFails(extra, "host function 'shred' (HostModule.swift) is wrapped by no Lua file")

        var missing = Engine.hostModule(Locked(nil))
        missing["jwt"] = nil
        await assertLoadFails(missing, "erasure/ctx_auth.lua:", "HostModule.swift registers no host function 'jwt'")
    }

    func testResponseHeadersMatchInAnyCase() async throws {
        let lua = try LuaRuntime()
        let env = await lua.newEnvironment(name: "response")
        let module = try await lua.load(RuntimeLua.files["response"]!, chunkName: RuntimeLua.chunkName("response"), in: env)
        try await lua.setGlobal("response", module[0], in: env)
        let r = try await lua.evaluate("""
            local r = response.new({ status = 429, headers = { ["Retry-After"] = "5" }, body = '{"ids":[7,8]}' })
            local empty = response.new({})
            return r.status, r.headers["retry-after"], r.headers["RETRY-AFTER"], r.headers["Retry-After"],
              r.headers.missing, r.json().ids[2], r.planned, empty.status, empty.body, response.new({ planned = true }).planned
            """, in: env)
        XCTAssertEqual(r, [429, "5", "5", "5", nil, 8, false, 0, "", true])
    }

    private func runtime(_ host: [String: HostFunction]) async throws -> RuntimeLua {
        let lua = try LuaRuntime()
        await lua.register(module: "__erasure", host)
        return try await RuntimeLua.load(into: lua)
    }

    private func assertLoadFails(_ host: [String: HostFunction], _ fragments: String..., line: UInt = #line) async {
        do {
            _ = try await runtime(host)
            XCTFail("the runtime started with a host module that its Lua files do not match", line: line)
        } catch {
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" does not contain \"\(fragment)\"", line: line)
            }
        }
    }
}
