import Foundation

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
