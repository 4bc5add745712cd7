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
