/// A set of segment-local doc ids as a bitset: the currency of query execution. Dense by design:
/// a segment's worth of bits is docCount/8 bytes, and and/or/andNot are word loops.
public struct DocSet: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public let capacity: Int

    public init(capacity: Int, full: Bool = false) {
        self.capacity = capacity
        words = [UInt64](repeating: full ? ~0 : 0, count: (capacity + 63) >> 6)
        if full { trimTail() }
    }

    mutating func trimTail() {
        if capacity & 63 != 0, !words.isEmpty { words[words.count - 1] &= (1 << UInt64(capacity & 63)) - 1 }
    }

    @inline(__always) public mutating func insert(_ doc: Int32) {
        words[Int(doc) >> 6] |= 1 << UInt64(doc & 63)
    }

    @inline(__always) public func contains(_ doc: Int32) -> Bool {
        words[Int(doc) >> 6] & (1 << UInt64(doc & 63)) != 0
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
    public var isEmpty: Bool { !words.contains { $0 != 0 } }

    public mutating func formIntersection(_ o: DocSet) {
        words.withUnsafeMutableBufferPointer { w in o.words.withUnsafeBufferPointer { v in for i in w.indices { w[i] &= v[i] } } }
    }

    public mutating func formUnion(_ o: DocSet) {
        words.withUnsafeMutableBufferPointer { w in o.words.withUnsafeBufferPointer { v in for i in w.indices { w[i] |= v[i] } } }
    }

    public mutating func subtract(_ o: DocSet) {
        words.withUnsafeMutableBufferPointer { w in o.words.withUnsafeBufferPointer { v in for i in w.indices { w[i] &= ~v[i] } } }
    }

    /// Keeps only live documents (`liveWords` as stored by LiveDocs: bit set = live).
    public mutating func intersect(liveWords: [UInt64]) {
        words.withUnsafeMutableBufferPointer { w in liveWords.withUnsafeBufferPointer { v in for i in w.indices { w[i] &= v[i] } } }
    }

    /// Calls `body` for every member in decreasing order; stop early by returning false.
    public func forEachReversed(_ body: (Int32) -> Bool) {
        for wi in stride(from: words.count - 1, through: 0, by: -1) where words[wi] != 0 {
            var w = words[wi]
            while w != 0 {
                let bit = 63 - w.leadingZeroBitCount
                if !body(Int32(wi << 6 | bit)) { return }
                w &= ~(1 << UInt64(bit))
            }
        }
    }

    /// Calls `body` for every member in increasing order; stop early by returning false.
    public func forEach(_ body: (Int32) -> Bool) {
        for (wi, word) in words.enumerated() where word != 0 {
            var w = word
            while w != 0 {
                let bit = w.trailingZeroBitCount
                if !body(Int32(wi << 6 | bit)) { return }
                w &= w &- 1
            }
        }
    }
}
