import ArgumentParser
import ErasureHost
import ErasurePlugins
import Foundation

/// What the shell completes (`erasure --generate-completion-script bash|zsh|fish`): workflow
/// names, and vendor names — the config's vendors, else the plugins found.
enum Completions {
    static let workflows = CompletionKind.custom { _, _, _ in PluginLocator.standard().workflowNames() }

    static let vendors = CompletionKind.custom { _, _, _ in
        if let config = try? ConfigFile.load(path: ConfigFile.locate(explicit: nil)), !config.vendorNames.isEmpty {
            return config.vendorNames
        }
        return PluginLocator.standard().pluginFiles().map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
    }
}
