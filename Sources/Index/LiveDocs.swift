import Foundation
import Storage

/// Which documents of a segment are still live. Immutable once published: a delete makes a new
/// copy (copy-on-write), so a searcher keeps the view it started with.
///
/// On disk (`seg_<n>_<gen>.liv`): magic `SLLIV001` (8 bytes), doc count (UInt64 LE), word count
/// (UInt64 LE), the bit words (UInt64 LE, bit set = live), CRC32 of all preceding bytes (UInt32 LE).
public struct LiveDocs: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public let docCount: Int
    public private(set) var liveCount: Int

    /// All `docCount` documents live.
    public init(allLive docCount: Int) {
        self.docCount = docCount
        var w = [UInt64](repeating: ~0, count: (docCount + 63) / 64)
        if docCount % 64 != 0, !w.isEmpty { w[w.count - 1] = (1 << UInt64(docCount % 64)) - 1 }
        words = w
        liveCount = docCount
    }

    @inline(__always) public func isLive(_ doc: Int32) -> Bool {
        words[Int(doc) >> 6] & (1 << UInt64(doc & 63)) != 0
    }

    /// Marks documents deleted; returns how many were live before.
    @discardableResult
    public mutating func delete(_ docs: some Sequence<Int32>) -> Int {
        var n = 0
        for d in docs {
            let w = Int(d) >> 6, bit: UInt64 = 1 << UInt64(d & 63)
            if words[w] & bit != 0 { words[w] &= ~bit; n += 1 }
        }
        liveCount -= n
        return n
    }

    static let magic = Array("SLLIV001".utf8)

    public func write(to path: String) throws(StorageError) {
        var out = LiveDocs.magic
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u64(UInt64(docCount))
        u64(UInt64(words.count))
        for w in words { u64(w) }
        let crc = CRC32.checksum(out)
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
        try FileIO.writeDurably(out, to: path)
    }

    public static func read(from path: String) throws(StorageError) -> LiveDocs {
        guard let data = FileManager.default.contents(atPath: path) else { throw StorageError(.io, "cannot read \(path)") }
        let b = [UInt8](data)
        guard b.count >= 28, Array(b[0..<8]) == magic else { throw StorageError(.corrupt, "\(path): not a live-docs file") }
        func u64(_ at: Int) -> UInt64 { b[at..<at + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        let docCount = Int(u64(8)), wordCount = Int(u64(16))
        guard wordCount == (docCount + 63) / 64, b.count == 24 + wordCount * 8 + 4 else { throw StorageError(.corrupt, "\(path): truncated") }
        let stored = b[(b.count - 4)...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32.checksum(Array(b[0..<(b.count - 4)])) == stored else { throw StorageError(.corrupt, "\(path): checksum mismatch") }
        var l = LiveDocs(allLive: docCount)
        l.words = (0..<wordCount).map { u64(24 + $0 * 8) }
        l.liveCount = l.words.reduce(0) { $0 + $1.nonzeroBitCount }
        return l
    }
}
