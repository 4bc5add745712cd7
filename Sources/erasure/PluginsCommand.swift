import ArgumentParser
import ErasureHost
import ErasurePlugins
import Foundation
import PluginKit

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List, check and describe vendor plugins.",
        discussion: """
            Plugins are Lua files found in ./plugins, then in each folder of $ERASURE_PLUGIN_PATH \
            (colon-separated), then among the plugins shipped with erasure (share/erasure/plugins \
            beside its executable); an earlier folder's plugin overrides a later one's. Adding a vendor needs no rebuild: drop its .lua file in one of those \
            folders, add its [vendors.NAME] table to erasure.toml, and run `erasure plugins check`.
            Writing one: docs/plugins.md (`erasure plugins new NAME` scaffolds a plugin with its tests \
            and mock vendor; `erasure plugins test NAME` runs them offline).
            """,
        subcommands: [List.self, Check.self, Show.self, New.self, Test.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every plugin found: version, actions, identity keys, the configured vendors that use it, where it came from.",
            discussion: """
                VENDORS lists the [vendors.NAME] tables that use the plugin: the one named like it, and \
                every table naming it with plugin = "NAME" (one plugin serving several vendors, e.g. scim).
                FROM says where the file was found: ./plugins, $ERASURE_PLUGIN_PATH, or shipped (with erasure).
                """)
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let info = try await usage { try await PluginInfo.inspect(configPath: options.config, files: nil) }
            if options.json {
                for p in info.plugins { print(p.json) }
            } else {
                let identityWidth = max(24, (info.plugins.map { $0.spec.identity.joined(separator: ", ").count }.max() ?? 0) + 2)
                let vendorsWidth = max(20, (info.plugins.map { $0.vendors.joined(separator: ", ").count }.max() ?? 0) + 2)
                print(pad("NAME", 12) + pad("VERSION", 9) + pad("ACTIONS", 24) + pad("IDENTITY", identityWidth)
                      + pad("VENDORS", vendorsWidth) + "FROM")
                for p in info.plugins {
                    print(pad(p.spec.name, 12) + pad(p.spec.version, 9) + pad(p.actions, 24)
                          + pad(p.spec.identity.joined(separator: ", "), identityWidth)
                          + pad(p.configured ? p.vendors.joined(separator: ", ") : "- (not configured)", vendorsWidth) + p.source)
                }
                // A plugin earlier in the search path replaces a same-named one later: say so.
                for p in info.plugins { if let note = p.overrideNote { print("\(p.spec.name): \(p.file) \(note)") } }
                for line in info.unknownVendors { stderr(line) }
                for (file, problems) in info.problems.sorted(by: { $0.key < $1.key }) {
                    stderr("\(file): not loaded (\(problems.count) problem\(problems.count == 1 ? "" : "s"); see erasure plugins check)")
                }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load plugins and check their metadata, config schema and config; report every problem as file:line.",
            discussion: "With no FILE, checks every plugin found. Exit status 1 when there is any problem.")
        @Argument(help: "Plugin files to check (default: every plugin found).")
        var files: [String] = []
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let info = try await usage {
                try await PluginInfo.inspect(configPath: options.config, files: files.isEmpty ? nil : files)
            }
            var count = 0
            for (_, problems) in info.problems.sorted(by: { $0.key < $1.key }) {
                for p in problems { print(p.description); count += 1 }
            }
            for line in info.unknownVendors { print(line); count += 1 }
            for p in info.plugins {
                for problem in p.configProblems { print(problem); count += 1 }
                if p.configProblems.isEmpty && !info.problems.keys.contains(p.spec.path) {
                    print("ok  \(p.file) (\(p.spec.name) \(p.spec.version)"
                          + (p.vendors == [p.spec.name] ? ", configured" : p.configured ? ", vendors: \(p.vendors.joined(separator: ", "))" : "")
                          + (p.overrideNote.map { "; \($0)" } ?? "") + ")")
                }
            }
            if count > 0 {
                stderr("\(count) problem\(count == 1 ? "" : "s") found")
                throw ExitCode(1)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Describe one plugin: its actions, identity keys and config keys.")
        @Argument(help: "The plugin's name.", completion: Completions.vendors)
        var name: String
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let info = try await usage { try await PluginInfo.inspect(configPath: options.config, files: nil) }
            guard let p = info.plugins.first(where: { $0.spec.name == name }) else {
                throw usageFailure(UsageError("no plugin named \(name) (known: \(info.plugins.map(\.spec.name).joined(separator: ", ")))"))
            }
            if options.json { print(p.json); return }
            print("\(p.spec.name) \(p.spec.version) — \(p.spec.description)")
            print("file:       \(p.file)" + (p.overrideNote.map { " (\($0))" } ?? ""))
            print("actions:    \(p.actions)")
            print("identity:   \(p.spec.identity.joined(separator: " or "))")
            print("deletions:  \(p.verification)")
            if !p.spec.hosts.isEmpty { print("hosts:      \(p.spec.hosts.joined(separator: ", "))") }
            print("configured: " + (p.vendors == [p.spec.name] ? "yes"
                : p.configured ? "as \(p.vendors.map { "[vendors.\($0)]" }.joined(separator: ", "))"
                : "no: add [vendors.\(p.spec.name)] to erasure.toml (or [vendors.OTHER] with plugin = \"\(p.spec.name)\")"))
            print("config keys ([vendors.\(p.spec.name)]):")
            for key in p.spec.config.sorted(by: { ($0.required ? 0 : 1, $0.name) < ($1.required ? 0 : 1, $1.name) }) {
                var flags: [String] = []
                if key.required { flags.append("required") }
                if key.secret { flags.append("secret") }
                if let d = key.defaultValue { flags.append("default \(PluginInfo.describe(d))") }
                print("  " + pad(key.name, 18) + pad(flags.joined(separator: ", "), 34) + (key.doc ?? ""))
            }
            print("  (every vendor also takes rate_limit, max_attempts, max_retry_wait, timeout, action_timeout, hosts)")
        }
    }
}

extension PluginsCommand {
    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scaffold a plugin: NAME.lua (every field explained), tests/NAME.test.lua and tests/NAME.mock.lua.",
            discussion: """
                Writes into ./plugins (or --dir). The plugin is a working one for a made-up vendor; \
                `erasure plugins test NAME` passes on it as it is. Edit the three files for your vendor.
                """)
        @Argument(help: "The plugin's name: lower-case letters, digits, '_' or '-'.")
        var name: String
        @Option(name: .long, help: "The plugins folder to write into (default ./plugins).")
        var dir = "plugins"

        func run() async throws {
            let written = try await usage { try Scaffold.write(name: name, folder: dir) }
            for path in written { print("wrote \(displayPath(path))") }
            print("next: erasure plugins test \(name)")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run plugins' Lua tests offline, each against its mock vendor on loopback.",
            discussion: """
                NAME runs tests/NAME.test.lua of the first plugins folder that has it; FILE runs a test file \
                (or the tests of a plugin file). Without arguments: every tests/*.test.lua of every plugins \
                folder. Ends with `N passed, M failed`; exit status 1 when any failed. Nothing leaves the \
                machine: the only origin a plugin may reach in a test is its mock vendor's.
                """)
        @Argument(help: "Plugin names or files (default: every test file found).")
        var targets: [String] = []

        func run() async throws {
            let (passed, failed) = try await usage {
                let files = try PluginTests.files(targets, locator: .standard())
                if files.isEmpty { throw UsageError("no test files found (tests/*.test.lua beside the plugins)") }
                return try await PluginTests.run(files) { line in print(line) }
            }
            print("\(passed) passed, \(failed) failed")
            // Test files that declare no test prove nothing: not a pass.
            if failed > 0 || passed == 0 { throw ExitCode(1) }
        }
    }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}
