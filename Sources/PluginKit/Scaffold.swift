import ErasureHost
import ErasurePlugins
import Foundation

/// `erasure plugins new NAME`: a working plugin, its test file and its mock vendor, from the
/// templates in lua/ (a plugin for a made-up vendor "acme", renamed): `plugins test NAME` passes
/// on them as they are, and every field is explained where it is written.
public enum Scaffold {
    public static let namePattern = "^[a-z][a-z0-9_-]*$"

    /// Writes `folder/NAME.lua`, `folder/tests/NAME.test.lua` and `folder/tests/NAME.mock.lua`;
    /// refuses to overwrite any file. Returns the paths written.
    public static func write(name: String, folder: String) throws -> [String] {
        guard name.range(of: namePattern, options: .regularExpression) != nil else {
            throw KitError("\(name): a plugin name is lower-case letters, digits, '_' or '-', starting with a letter")
        }
        let base = URL(fileURLWithPath: folder)
        let files = [
            (base.appendingPathComponent("\(name).lua"), PackageResources.scaffold_plugin_lua),
            (base.appendingPathComponent("tests/\(name).test.lua"), PackageResources.scaffold_test_lua),
            (base.appendingPathComponent("tests/\(name).mock.lua"), PackageResources.scaffold_mock_lua),
        ]
        for (url, _) in files where FileManager.default.fileExists(atPath: url.path) {
            throw KitError("\(displayPath(url.path)) already exists: nothing was written")
        }
        try FileManager.default.createDirectory(at: base.appendingPathComponent("tests"), withIntermediateDirectories: true)
        for (url, template) in files {
            let text = String(decoding: template, as: UTF8.self)
                .replacingOccurrences(of: "acme", with: name)
                .replacingOccurrences(of: "ACME", with: name.uppercased())
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return files.map(\.0.path)
    }
}
