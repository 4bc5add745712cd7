import ErasureHost
import ErasurePlugins
import ErasureRun
import Foundation
import LuaBridge

/// One test file of `erasure plugins test` (`tests/NAME.test.lua` beside plugin NAME): its own
/// Lua runtime with the kit's API (lua/kit.lua) and the mock vendors of its folder
/// (`tests/*.mock.lua`), the mock vendor served on loopback, and for each test a fresh engine
/// running the real plugin against it.
final class PluginTestFile: Sendable {
    let path: String
    /// The plugin under test: the file name up to its first dot.
    let plugin: String
    /// The folder of the plugin (the parent of tests/).
    let pluginFolder: String
    let lua: LuaRuntime
    private let engines = EngineCache()

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path).standardizedFileURL
        plugin = String(url.lastPathComponent.prefix { $0 != "." })
        pluginFolder = url.deletingLastPathComponent().deletingLastPathComponent().path
        lua = try LuaRuntime(limits: LuaLimits(memoryBytes: 256 << 20, instructionBudget: 2_000_000_000,
                                               deadline: .seconds(120)))
    }

    /// Runs every test of the file, writing one line per test; returns (passed, failed).
    func run(output: @Sendable (String) -> Void) async throws -> (Int, Int) {
        let testsFolder = URL(fileURLWithPath: path).deletingLastPathComponent()
        await lua.register(module: "__kit", [
            "run": .async { [engines, plugin, pluginFolder] args, _ in
                [try await engines.run(args, plugin: plugin, folder: pluginFolder)]
            },
            "recording": .async { args, _ in
                guard let dir = LuaConv.string(args.first), let vendor = LuaConv.string(args.count > 1 ? args[1] : nil) else {
                    throw HostError("replay(dir): dir must be a string")
                }
                return [try Recording.load(dir: dir, vendor: vendor, testsFolder: testsFolder)]
            },
        ])
        let env = await lua.newEnvironment(name: displayPath(path))
        let kit = try await lua.load(PackageResources.kit_lua, chunkName: "erasure/kit.lua", in: env).first ?? .nil
        guard case .table = kit else { throw KitError("internal: lua/kit.lua did not return its table") }
        func fn(_ name: String) throws -> LuaFunction {
            guard case .function(let f)? = LuaConv.field(kit, name) else { throw KitError("internal: kit.\(name) is missing") }
            return f
        }
        _ = try await lua.call(fn("init"), [LuaConv.s(plugin)])
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: testsFolder.path)) ?? []).sorted()
        where name.hasSuffix(".mock.lua") {
            let file = testsFolder.appendingPathComponent(name).path
            let spec = try await lua.loadFile(file, chunkName: displayPath(file), in: env).first ?? .nil
            _ = try await lua.call(fn("add_mock"), [LuaConv.s(String(name.dropLast(".mock.lua".count))), spec])
        }
        let dispatch = try fn("dispatch")
        let server = try await MockVendorServer.start { [lua] request in
            await Self.answer(request, lua: lua, dispatch: dispatch)
        }
        defer { Task { await server.stop() } }
        await engines.serve(at: server.baseURL)
        _ = try await lua.loadFile(path, chunkName: displayPath(path), in: env)

        var passed = 0, failed = 0
        let count = Int(LuaConv.double(try await lua.call(fn("count")).first) ?? 0)
        if count == 0 { output("  no tests in \(displayPath(path)): declare them with test(name, function(vendor) … end)") }
        for i in 0..<count {
            let name = LuaConv.string(try await lua.call(fn("name"), [.integer(Int64(i + 1))]).first) ?? "test \(i + 1)"
            await engines.reset()
            do {
                _ = try await lua.call(fn("run_test"), [.integer(Int64(i + 1))])
                passed += 1
                output("  ok    \(name)")
            } catch {
                failed += 1
                let message = (error as? LuaError).map { LuaConv.string(LuaConv.field($0.value, "message")) ?? $0.message }
                    ?? "\(error)"
                output("  FAIL  \(name)\n        \(message)")
            }
        }
        await engines.reset()
        await server.stop()
        return (passed, failed)
    }

    /// One request to the mock vendor, answered by the test file's Lua (kit.dispatch).
    static func answer(_ r: MockRequest, lua: LuaRuntime, dispatch: LuaFunction) async -> MockAnswer {
        var query: [String: LuaValue] = [:]
        for (k, v) in r.query { query[k] = LuaConv.s(v) }
        var headers: [String: LuaValue] = [:]
        for (k, v) in r.headers { headers[k.lowercased()] = LuaConv.s(v) }
        let request = LuaConv.table(["method": LuaConv.s(r.method), "path": LuaConv.s(r.path), "target": LuaConv.s(r.target),
                                     "query": LuaConv.table(query), "headers": LuaConv.table(headers),
                                     "body": .string(LuaString(bytes: r.body))])
        do {
            let a = try await lua.call(dispatch, [request], deadline: .seconds(10)).first ?? .nil
            var answer = MockAnswer()
            answer.status = Int(LuaConv.double(LuaConv.field(a, "status")) ?? 200)
            if case .string(let body)? = LuaConv.field(a, "body") { answer.body = body.bytes }
            answer.hang = LuaConv.double(LuaConv.field(a, "hang")) ?? 0
            if case .table(let list)? = LuaConv.field(a, "headers") {
                for pair in list.array {
                    guard case .table(let p) = pair, p.array.count == 2, let n = LuaConv.string(p.array[0]),
                          let v = LuaConv.string(p.array[1]) else { continue }
                    answer.headers.append((n, v))
                }
            }
            return answer
        } catch {
            return MockAnswer(status: 500, body: Array("mock vendor error: \(error)".utf8))
        }
    }
}
