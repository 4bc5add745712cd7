import ErasureHost
import ErasureRun
import Foundation

/// Ctrl-C and SIGTERM during a batch. The first asks the batch to stop taking new people (the
/// ones in flight finish, each bounded by its deadline, and the summary says how to resume); the
/// second ends the process at once, exit 130 — the journal stays consistent, since each of its
/// writes is one SQLite transaction and a step cut off while `sent` is settled by a lookup on resume.
/// The signals are read by dispatch sources: nothing runs inside a C signal handler.
final class Interrupts: @unchecked Sendable {
    let stop = BatchStop()
    private var sources: [DispatchSourceSignal] = []
    private let count = Locked(0)

    init(onFirst: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [stop, count] in
                let n = count.withLock { c -> Int in c += 1; return c }
                if n == 1 {
                    stop.request()
                    onFirst()
                } else {
                    FileHandle.standardError.write(Data("\nerasure: stopped at once (second interrupt); the journal is consistent: resume as said above\n".utf8))
                    _exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    var interrupted: Bool { stop.requested }

    /// Back to the default: the process dies on the next signal.
    func cancel() {
        for s in sources { s.cancel() }
        for sig in [SIGINT, SIGTERM] { signal(sig, SIG_DFL) }
    }
}

/// The command line that resumes this one: the same arguments, `--resume RUN` in place of any
/// `--resume` given (for `run`), quoted for a POSIX shell.
func resumeCommand(run: String?, addResume: Bool) -> String {
    var args = Array(CommandLine.arguments.dropFirst())
    if addResume {
        if let i = args.firstIndex(of: "--resume") {
            args.remove(at: i)
            if i < args.count, !args[i].hasPrefix("-"), args[i].count == 36 { args.remove(at: i) }
        }
        args += ["--resume"] + (run.map { [$0] } ?? [])
    }
    return (["erasure"] + args).map(shellQuoted).joined(separator: " ")
}

func shellQuoted(_ s: String) -> String {
    if !s.isEmpty, s.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_./=:@,+".unicodeScalars.contains($0) }) {
        return s
    }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
