import ArgumentParser
import ErasureHost
import Foundation

/// `erasure help NAME…`: an unknown command is a usage error with a did-you-mean (the argument
/// parser would print the root help and exit 0).
enum HelpTopic {
    static func check(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var subcommands: [ParsableCommand.Type] = Erasure.configuration.subcommands
        var path = "erasure"
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            var names: [String] = []
            var next: [ParsableCommand.Type]?
            for type in subcommands {
                let configuration = type.configuration
                let commandName = configuration.commandName ?? ""
                names.append(commandName)
                if commandName == name { next = configuration.subcommands }
            }
            guard let found = next else {
                let hint = closestMatch(name, in: names).map { "did you mean \($0)? " } ?? ""
                throw ValidationError("\(path) has no command \(name); \(hint)(commands: \(names.joined(separator: ", ")))")
            }
            subcommands = found
            path += " " + name
        }
    }
}
