import Index
import JSON
import Query

/// A per-segment aggregator. Documents arrive in batches of (doc, owning bucket) pairs — one
/// dynamic call per batch, not per document — so bucket aggregations can feed their
/// sub-aggregations the bucket ordinals they assigned (Lucene's `LeafBucketCollector` idea).
class Collector {
    /// Collects `docs[i]` into owning bucket `owners[i]`.
    func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {}

    /// Called once after the last batch (bucket collectors flush and run deferred passes here).
    func finish() throws(OpenSearchError) {}

    /// The partial state for owning bucket `owner`.
    func state(_ owner: Int32) -> AggState { .none }
}

/// A bucket aggregation's common machinery: per-bucket doc counts and a buffered batch for the
/// sub-collectors, kept behind a `Box` so `emit` costs a few stores per document.
class BucketCollector: Collector {
    struct Buffers {
        var counts: [Int64] = []
        var childDocs: [Int32]
        var childOwners: [Int32]
        var childCount = 0
    }

    let subs: [Collector]
    let hasSubs: Bool
    let buffers: Box<Buffers>
    static let batchSize = 1024

    init(subs: [Collector]) {
        self.subs = subs
        hasSubs = !subs.isEmpty
        let n = subs.isEmpty ? 0 : BucketCollector.batchSize
        buffers = Box(Buffers(childDocs: [Int32](repeating: 0, count: n), childOwners: [Int32](repeating: 0, count: n)))
    }

    /// Per-bucket document counts.
    final var docCounts: [Int64] { buffers.p.pointee.counts }

    /// Counts `doc` into bucket `bucket` and queues it for the sub-collectors.
    @inline(__always)
    final func emit(_ doc: Int32, _ bucket: Int32) {
        let b = buffers.p
        let i = Int(bucket)
        if i >= b.pointee.counts.count { grow(i) }
        b.pointee.counts[i] &+= 1
        if hasSubs { queue(doc, bucket) }
    }

    /// Queues `doc` for the sub-collectors as bucket `bucket` without counting it.
    @inline(__always)
    final func queue(_ doc: Int32, _ bucket: Int32) {
        let b = buffers.p
        let n = b.pointee.childCount
        b.pointee.childDocs[n] = doc
        b.pointee.childOwners[n] = bucket
        b.pointee.childCount = n &+ 1
        if n &+ 1 == BucketCollector.batchSize { flushChildren() }
    }

    /// Makes room for bucket `b` (and sizes the table ahead when the bucket space is known).
    final func grow(_ b: Int) {
        let counts = buffers.p.pointee.counts
        let n = Swift.max(b + 1, counts.count * 2, 16)
        buffers.p.pointee.counts.append(contentsOf: repeatElement(0, count: n - counts.count))
    }

    final func flushChildren() {
        let b = buffers.p
        let n = b.pointee.childCount
        guard n > 0 else { return }
        b.pointee.childCount = 0
        b.pointee.childDocs.withUnsafeBufferPointer { d in
            b.pointee.childOwners.withUnsafeBufferPointer { o in
                let dd = UnsafeBufferPointer(rebasing: d[0..<n]), oo = UnsafeBufferPointer(rebasing: o[0..<n])
                for s in subs { s.collect(dd, oo) }
            }
        }
    }

    /// Feeds a whole doc set to the sub-collectors as bucket `bucket` (global, composite pass 2).
    final func emitAll(_ set: DocSet, _ bucket: Int32) {
        for (wi, word) in set.words.enumerated() where word != 0 {
            var w = word
            while w != 0 {
                emit(Int32(wi << 6 | w.trailingZeroBitCount), bucket)
                w &= w &- 1
            }
        }
    }

    override func finish() throws(OpenSearchError) {
        flushChildren()
        for s in subs { try s.finish() }
    }

    final func docCount(_ bucket: Int32) -> Int64 {
        let counts = buffers.p.pointee.counts
        return bucket >= 0 && Int(bucket) < counts.count ? counts[Int(bucket)] : 0
    }

    final func subStates(_ bucket: Int32) -> [AggState] { subs.map { $0.state(bucket) } }
}

/// Bucket ordinals for (owning bucket, key) pairs: an open-addressing hash table; when the
/// collector only ever has owner 0 (top level, or below single-bucket aggregations) the owner is
/// not part of the key.
final class BucketOrds {
    struct State {
        var keys: [Int64] = []
        var owners: [Int32] = []
        var table = [Int32](repeating: 0, count: 64)
        var mask = 63
        var lastOwner: Int32 = -1
        var lastKey: Int64 = 0
        var lastOrd: Int32 = -1
    }

    let state = Box(State())
    private var grouped: [Int32: [Int32]]?

    var count: Int { state.p.pointee.keys.count }
    var keys: [Int64] { state.p.pointee.keys }

    @inline(__always) static func hash(_ owner: Int32, _ key: Int64) -> Int {
        Int(truncatingIfNeeded: Hashing.mix64(key &+ Int64(owner) &* -7_046_029_254_386_353_131))
    }

    /// The ordinal of (owner, key), assigning the next one if new.
    @inline(__always)
    func add(_ owner: Int32, _ key: Int64) -> Int32 {
        let s = state.p
        if owner == s.pointee.lastOwner && key == s.pointee.lastKey && s.pointee.lastOrd >= 0 { return s.pointee.lastOrd }
        var i = BucketOrds.hash(owner, key) & s.pointee.mask
        while true {
            let slot = s.pointee.table[i]
            if slot == 0 { break }
            let o = Int(slot) - 1
            if s.pointee.keys[o] == key && s.pointee.owners[o] == owner {
                s.pointee.lastOwner = owner; s.pointee.lastKey = key; s.pointee.lastOrd = Int32(o)
                return Int32(o)
            }
            i = (i + 1) & s.pointee.mask
        }
        let ord = Int32(s.pointee.keys.count)
        s.pointee.keys.append(key)
        s.pointee.owners.append(owner)
        s.pointee.table[i] = ord + 1
        if s.pointee.keys.count * 2 > s.pointee.table.count { rehash() }
        s.pointee.lastOwner = owner; s.pointee.lastKey = key; s.pointee.lastOrd = ord
        return ord
    }

    /// The ordinal of (owner, key) if assigned.
    func find(_ owner: Int32, _ key: Int64) -> Int32? {
        let s = state.p
        var i = BucketOrds.hash(owner, key) & s.pointee.mask
        while true {
            let slot = s.pointee.table[i]
            if slot == 0 { return nil }
            let o = Int(slot) - 1
            if s.pointee.keys[o] == key && s.pointee.owners[o] == owner { return Int32(o) }
            i = (i + 1) & s.pointee.mask
        }
    }

    private func rehash() {
        let s = state.p
        let size = s.pointee.table.count * 2
        s.pointee.table = [Int32](repeating: 0, count: size)
        s.pointee.mask = size - 1
        for o in 0..<s.pointee.keys.count {
            var i = BucketOrds.hash(s.pointee.owners[o], s.pointee.keys[o]) & s.pointee.mask
            while s.pointee.table[i] != 0 { i = (i + 1) & s.pointee.mask }
            s.pointee.table[i] = Int32(o + 1)
        }
    }

    /// The ordinals of `owner`'s buckets, in assignment order.
    func ords(of owner: Int32) -> [Int32] {
        if grouped == nil {
            var g: [Int32: [Int32]] = [:]
            let owners = state.p.pointee.owners
            for o in 0..<owners.count { g[owners[o], default: []].append(Int32(o)) }
            grouped = g
        }
        return grouped![owner] ?? []
    }
}

/// Runs batches of matched documents through top-level collectors.
enum CollectorDriver {
    static let batchSize = 512

    static func run(_ docs: DocSet, _ collectors: [Collector]) {
        guard !collectors.isEmpty else { return }
        var buffer = [Int32](repeating: 0, count: batchSize)
        let owners = [Int32](repeating: 0, count: batchSize)
        var n = 0
        owners.withUnsafeBufferPointer { o in
            func flush() {
                buffer.withUnsafeBufferPointer { d in
                    let dd = UnsafeBufferPointer(rebasing: d[0..<n]), oo = UnsafeBufferPointer(rebasing: o[0..<n])
                    for c in collectors { c.collect(dd, oo) }
                }
                n = 0
            }
            for (wi, word) in docs.words.enumerated() where word != 0 {
                var w = word
                while w != 0 {
                    buffer[n] = Int32(wi << 6 | w.trailingZeroBitCount)
                    n &+= 1
                    if n == batchSize { flush() }
                    w &= w &- 1
                }
            }
            if n > 0 { flush() }
        }
    }
}
