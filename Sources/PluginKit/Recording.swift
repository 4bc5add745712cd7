import ErasureHost
import ErasurePlugins
import Foundation
import LuaBridge

/// The pairs `--record DIR` saved for one vendor (`DIR/VENDOR.jsonl`, `FixtureRecorder`), read
/// for kit.lua's replay(): a list of { method, target, status, headers = { {name, value}, … }, body }.
enum Recording {
    /// `dir` is relative to the test file's folder (or absolute).
    static func load(dir: String, vendor: String, testsFolder: URL) throws -> LuaValue {
        let base = dir.hasPrefix("/") ? URL(fileURLWithPath: dir) : testsFolder.appendingPathComponent(dir)
        let file = base.appendingPathComponent("\(vendor).jsonl")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw HostError("replay: no recording \(displayPath(file.path)) (erasure … --record \(dir) saves one)")
        }
        var pairs: [LuaValue] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let pair = try? JSONDecoder().decode(FixturePair.self, from: Data(line)) else {
                throw HostError("replay: \(displayPath(file.path)):\(i + 1): not a recorded pair")
            }
            pairs.append(LuaConv.table([
                "method": LuaConv.s(pair.method), "target": LuaConv.s(pair.target), "status": .integer(Int64(pair.status)),
                "headers": LuaConv.array(pair.headers.map { LuaConv.array($0.map(LuaConv.s)) }),
                "body": .string(LuaString(bytes: pair.body.bytes)),
            ]))
        }
        return LuaConv.array(pairs)
    }
}
