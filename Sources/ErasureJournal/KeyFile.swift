import Foundation

/// A file holding a key: private to its owner. Read only when no one else may read or write it
/// (whoever reads the journal key can test a guess of who is in the journal; whoever reads the
/// signing key can sign a forged chain); created with that mode from the start, never widened.
enum KeyFile {
    static func read(_ path: String, what: String) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            throw JournalKeyError("the \(what) file \(path) may be read or written by others (mode "
                                  + String(mode & 0o777, radix: 8) + "): chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JournalKeyError("cannot read the \(what) file \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `text` to a new file of mode 0600 (refuses to replace an existing one), synced.
    static func create(_ path: String, _ text: String, what: String, mode: mode_t = 0o600) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            throw JournalKeyError("cannot create the \(what) file \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { throw JournalKeyError("cannot write the \(what) file \(path)") }
    }

    /// 32 random bytes from the system's generator.
    static func randomBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The text a `[journal]` reference names: `env:NAME` (the variable), `file:PATH` (a private
    /// file), or nil when the reference is nil (then the caller's default file applies).
    static func resolve(_ reference: String, what: String, environment: [String: String]) throws -> (text: String, origin: String) {
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let value = environment[name], !value.isEmpty else {
                throw JournalKeyError("the \(what) \"\(reference)\": the environment variable \(name) is not set")
            }
            return (value, reference)
        }
        let path = String(reference.dropFirst("file:".count))
        guard FileManager.default.fileExists(atPath: path) else { throw JournalKeyError("no \(what) file at \(path)") }
        return (try read(path, what: what), path)
    }
}

public struct JournalKeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
