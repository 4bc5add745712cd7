import ErasureHost
import ErasurePlugins
import Foundation

/// `erasure plugins test [NAME|FILE…]`: finds the test files and runs each (`PluginTestFile`).
public enum PluginTests {
    /// The test files for `targets`: a plugin NAME → `tests/NAME.test.lua` in the first folder
    /// of the search path that has it; a `.test.lua` FILE → itself; a plugin FILE → the
    /// `tests/NAME.test.lua` beside it. No target: every `tests/*.test.lua` of every folder.
    public static func files(_ targets: [String], locator: PluginLocator) throws -> [String] {
        let fm = FileManager.default
        func testsOf(folder: String, name: String) -> String {
            URL(fileURLWithPath: folder).appendingPathComponent("tests/\(name).test.lua").path
        }
        if targets.isEmpty {
            var out: [String] = []
            for folder in locator.folders {
                let dir = URL(fileURLWithPath: folder).appendingPathComponent("tests").path
                for n in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() where n.hasSuffix(".test.lua") {
                    out.append(URL(fileURLWithPath: dir).appendingPathComponent(n).path)
                }
            }
            return out
        }
        return try targets.map { target in
            if target.hasSuffix(".test.lua") {
                guard fm.fileExists(atPath: target) else { throw KitError("\(target): no such file") }
                return target
            }
            if target.hasSuffix(".lua") {
                let url = URL(fileURLWithPath: target)
                let file = testsOf(folder: url.deletingLastPathComponent().path, name: url.deletingPathExtension().lastPathComponent)
                guard fm.fileExists(atPath: file) else { throw KitError("\(target) has no tests: expected \(displayPath(file))") }
                return file
            }
            for folder in locator.folders where fm.fileExists(atPath: testsOf(folder: folder, name: target)) {
                return testsOf(folder: folder, name: target)
            }
            throw KitError("no tests for \(target): expected tests/\(target).test.lua in \(locator.folders.map(displayPath).joined(separator: ", ")) "
                           + "(erasure plugins new \(target) makes one)")
        }
    }

    /// Runs the files in order, printing each test's result; returns the totals.
    public static func run(_ files: [String], output: @escaping @Sendable (String) -> Void) async throws -> (passed: Int, failed: Int) {
        var passed = 0, failed = 0
        for file in files {
            output(displayPath(file))
            let (p, f) = try await PluginTestFile(path: file).run(output: output)
            passed += p
            failed += f
        }
        return (passed, failed)
    }
}
