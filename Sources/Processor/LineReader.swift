import Foundation

/// Reads a file or standard input in large chunks that end on a line boundary, so the processor
/// never holds a whole multi-gigabyte log file in memory.
final class LineReader {
    let handle: FileHandle
    var carry: [UInt8] = []
    var done = false
    static let chunkSize = 4 * 1024 * 1024

    init(_ input: LogProcessor.Input) throws(ProcessorError) {
        switch input {
        case .standardInput: handle = FileHandle.standardInput
        case .file(let path):
            guard let h = FileHandle(forReadingAtPath: path) else { throw ProcessorError(.sink, "cannot open \(path)") }
            handle = h
        }
    }

    /// The next run of whole lines (the last chunk may end without a newline); nil at the end.
    func nextChunk() -> ArraySlice<UInt8>? {
        while !done {
            let data = (try? handle.read(upToCount: LineReader.chunkSize)) ?? nil
            guard let data, !data.isEmpty else {
                done = true
                break
            }
            carry.append(contentsOf: data)
            if let nl = carry.lastIndex(of: 0x0A) {
                let out = Array(carry[...nl])
                carry.removeSubrange(...nl)
                return out[...]
            }
        }
        if carry.isEmpty { return nil }
        defer { carry = [] }
        return carry[...]
    }
}
