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

/// `--resume [RUN]`: the argument parser has no option whose value is optional, so a run id
/// right after `--resume` is handed over as the hidden `--resume-run RUN`.
enum ResumeArgument {
    static let runOption = "resume-run"

    static func rewrite(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            out.append(arguments[i])
            if arguments[i] == "--resume", i + 1 < arguments.count, isRunID(arguments[i + 1]) {
                out += ["--" + runOption, arguments[i + 1]]
                i += 1
            }
            i += 1
        }
        return out
    }

    /// A journal run id: a UUID.
    static func isRunID(_ s: String) -> Bool { UUID(uuidString: s) != nil }
}
