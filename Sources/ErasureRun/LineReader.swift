import Foundation

/// Lines of a file, read 64 KiB at a time: linear in the input's size whatever its lines, and
/// never holding more than `maxLineBytes` plus one read in memory (the bytes of a line past the
/// limit are dropped as they are read, up to its end).
struct LineReader {
    enum Line: Equatable {
        case text([UInt8])
        /// Longer than `maxLineBytes`: its bytes were dropped.
        case tooLong
    }

    let handle: FileHandle
    let maxLineBytes: Int
    /// Bytes read and not consumed yet: `buffer[offset...]`; `buffer[offset..<scanned]` holds no '\n'.
    private var buffer: [UInt8] = []
    private var offset = 0
    private var scanned = 0
    private var eof = false
    /// The most bytes held at once (what bounds the reader's memory).
    private(set) var peakBufferedBytes = 0

    init(handle: FileHandle, maxLineBytes: Int) {
        self.handle = handle
        self.maxLineBytes = maxLineBytes
    }

    /// The next line without its '\n' (nor a '\r' before it), 64 KiB read at a time; nil at the
    /// end. Each byte is looked at once: the search for '\n' resumes where the last one stopped.
    mutating func next() -> Line? {
        var tooLong = false
        while true {
            if let nl = newline(from: scanned) {
                defer { offset = nl + 1; scanned = offset }
                return tooLong ? .tooLong : line(buffer[offset..<nl])
            }
            scanned = buffer.count
            if tooLong || buffer.count - offset > maxLineBytes + 1 {  // + 1: room for a '\r' before the '\n'
                tooLong = true
                buffer.removeAll(keepingCapacity: true)
                offset = 0
                scanned = 0
            }
            if eof {
                guard offset < buffer.count || tooLong else { return nil }
                defer { offset = buffer.count; scanned = offset }
                return tooLong ? .tooLong : line(buffer[offset...])
            }
            if offset > 0 {
                buffer.removeFirst(offset)
                scanned -= offset
                offset = 0
            }
            let chunk = handle.readData(ofLength: 64 * 1024)
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
            peakBufferedBytes = max(peakBufferedBytes, buffer.count)
        }
    }

    /// Index of the first '\n' in `buffer[from...]`.
    private func newline(from: Int) -> Int? {
        buffer.withUnsafeBytes { b in
            guard from < b.count, let p = memchr(b.baseAddress! + from, Int32(UInt8(ascii: "\n")), b.count - from) else {
                return nil
            }
            return b.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
    }

    private func line(_ bytes: ArraySlice<UInt8>) -> Line {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes.count > maxLineBytes ? .tooLong : .text(Array(bytes))
    }
}
