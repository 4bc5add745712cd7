import Foundation
import XCTest
@testable import LuaBridge

/// The Lua of LuaBridge is in Sources/LuaBridge/lua, embedded at build time: every file there is
/// embedded and compiles, so a syntax error fails here.
final class EmbeddedLuaTests: XCTestCase {
    func testEveryLuaFileIsEmbeddedAndCompiles() async throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/LuaBridge/lua").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
        XCTAssertEqual(Set(files), Set(LuaCore.embeddedLua.keys))
        let (rt, env) = try await makeRuntime()
        for (name, code) in LuaCore.embeddedLua {
            XCTAssertFalse(code.isEmpty, name)
            _ = try await rt.compile(code, chunkName: name, in: env)
        }
        // and the compiler does fail on a syntax error
        await assertLuaError(.syntax, "broken.lua:1:") {
            try await rt.compile(Array("local = 1".utf8), chunkName: "broken.lua", in: env)
        }
    }
}

/// Every `.lua` file of the project compiles: the runtime's, the benchmark's, the shipped plugins
/// and workflows (a syntax error anywhere fails here, with its file and line).
final class ProjectLuaTests: XCTestCase {
    func testEveryLuaFileOfTheProjectCompiles() async throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        var files: [URL] = []
        for top in ["Sources", "plugins"] {
            let walker = FileManager.default.enumerator(at: repo.appendingPathComponent(top), includingPropertiesForKeys: nil)
            while let url = walker?.nextObject() as? URL {
                if url.pathExtension == "lua" { files.append(url) }
            }
        }
        XCTAssertGreaterThanOrEqual(files.filter { $0.path.contains("/Sources/") }.count, 10, "the runtime's own Lua")
        XCTAssertGreaterThanOrEqual(files.filter { $0.path.contains("/plugins/") }.count, 8, "shipped plugins and workflows")
        let (rt, env) = try await makeRuntime()
        for file in files {
            let code = try [UInt8](Data(contentsOf: file))
            do { _ = try await rt.compile(code, chunkName: "@" + file.lastPathComponent, in: env) } catch {
                XCTFail("\(file.path): \(error)")
            }
        }
    }
}
