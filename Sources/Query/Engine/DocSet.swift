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

    /// Adds every doc id in `[start, end)`.
    public mutating func insertRange(_ start: Int, _ end: Int) {
        guard start < end else { return }
        var i = start
        while i < end {
            if i & 63 == 0 && end - i >= 64 {
                words[i >> 6] = ~0
                i += 64
            } else {
                words[i >> 6] |= 1 << UInt64(i & 63)
                i += 1
            }
        }
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// `parts` disjoint sets of about equal size whose union is this one (whole words each), for
    /// collecting one segment on several threads.
    public func split(into parts: Int) -> [DocSet] {
        let total = count
        guard parts > 1, total > 0 else { return [self] }
        var out: [DocSet] = []
        var start = 0, seen = 0
        for p in 1...parts {
            let target = total * p / parts
            var end = start
            if p == parts {
                end = words.count
            } else {
                while end < words.count && seen < target { seen += words[end].nonzeroBitCount; end += 1 }
            }
            var part = DocSet(capacity: capacity)
            for i in start..<end { part.words[i] = words[i] }
            out.append(part)
            start = end
        }
        return out
    }
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

    /// Calls `body` for the members in `[start, end)`, increasing; stop early by returning false.
    /// Returns false when stopped early.
    @discardableResult
    public func forEach(in start: Int, _ end: Int, _ body: (Int32) -> Bool) -> Bool {
        guard start < end else { return true }
        var wi = start >> 6
        let last = (end - 1) >> 6
        while wi <= last {
            var w = words[wi]
            if wi == start >> 6 { w &= ~0 << UInt64(start & 63) }
            if wi == last, end & 63 != 0 { w &= (1 << UInt64(end & 63)) - 1 }
            while w != 0 {
                let bit = w.trailingZeroBitCount
                if !body(Int32(wi << 6 | bit)) { return false }
                w &= w &- 1
            }
            wi += 1
        }
        return true
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
