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
/// sub-collectors.
class BucketCollector: Collector {
    let subs: [Collector]
    var docCounts: [Int64] = []
    private var childDocs: [Int32]
    private var childOwners: [Int32]
    private var childCount = 0
    static let batchSize = 1024

    init(subs: [Collector]) {
        self.subs = subs
        childDocs = subs.isEmpty ? [] : [Int32](repeating: 0, count: BucketCollector.batchSize)
        childOwners = subs.isEmpty ? [] : [Int32](repeating: 0, count: BucketCollector.batchSize)
    }

    /// Counts `doc` into bucket `bucket` and queues it for the sub-collectors.
    @inline(__always)
    final func emit(_ doc: Int32, _ bucket: Int32) {
        let b = Int(bucket)
        if b >= docCounts.count { grow(b) }
        docCounts[b] &+= 1
        if subs.isEmpty { return }
        queue(doc, bucket)
    }

    /// Queues `doc` for the sub-collectors as bucket `bucket` without counting it.
    @inline(__always)
    final func queue(_ doc: Int32, _ bucket: Int32) {
        childDocs[childCount] = doc
        childOwners[childCount] = bucket
        childCount &+= 1
        if childCount == BucketCollector.batchSize { flushChildren() }
    }

    final func grow(_ b: Int) {
        let n = Swift.max(b + 1, docCounts.count * 2, 16)
        docCounts.append(contentsOf: repeatElement(0, count: n - docCounts.count))
    }

    final func flushChildren() {
        guard childCount > 0 else { return }
        let n = childCount
        childCount = 0
        childDocs.withUnsafeBufferPointer { d in
            childOwners.withUnsafeBufferPointer { o in
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

    final func docCount(_ bucket: Int32) -> Int64 { bucket >= 0 && Int(bucket) < docCounts.count ? docCounts[Int(bucket)] : 0 }

    final func subStates(_ bucket: Int32) -> [AggState] { subs.map { $0.state(bucket) } }
}

/// Bucket ordinals for (owning bucket, key) pairs: an open-addressing hash table; when the
/// collector only ever has owner 0 (top level, or below single-bucket aggregations) the owner is
/// not part of the key.
final class BucketOrds {
    private(set) var keys: [Int64] = []
    private(set) var owners: [Int32] = []
    private var table: [Int32]
    private var mask: Int
    private var lastOwner: Int32 = -1
    private var lastKey: Int64 = 0
    private var lastOrd: Int32 = -1

    init() {
        table = [Int32](repeating: 0, count: 64)
        mask = 63
    }

    var count: Int { keys.count }

    @inline(__always) static func hash(_ owner: Int32, _ key: Int64) -> Int {
        Int(truncatingIfNeeded: Hashing.mix64(key &+ Int64(owner) &* -7_046_029_254_386_353_131))
    }

    /// The ordinal of (owner, key), assigning the next one if new.
    @inline(__always)
    func add(_ owner: Int32, _ key: Int64) -> Int32 {
        if owner == lastOwner && key == lastKey && lastOrd >= 0 { return lastOrd }
        var i = BucketOrds.hash(owner, key) & mask
        while true {
            let slot = table[i]
            if slot == 0 { break }
            let o = Int(slot) - 1
            if keys[o] == key && owners[o] == owner {
                lastOwner = owner; lastKey = key; lastOrd = Int32(o)
                return Int32(o)
            }
            i = (i + 1) & mask
        }
        let ord = Int32(keys.count)
        keys.append(key)
        owners.append(owner)
        table[i] = ord + 1
        if keys.count * 2 > table.count { rehash() }
        lastOwner = owner; lastKey = key; lastOrd = ord
        return ord
    }

    /// The ordinal of (owner, key) if assigned.
    func find(_ owner: Int32, _ key: Int64) -> Int32? {
        var i = BucketOrds.hash(owner, key) & mask
        while true {
            let slot = table[i]
            if slot == 0 { return nil }
            let o = Int(slot) - 1
            if keys[o] == key && owners[o] == owner { return Int32(o) }
            i = (i + 1) & mask
        }
    }

    private func rehash() {
        let size = table.count * 2
        table = [Int32](repeating: 0, count: size)
        mask = size - 1
        for o in 0..<keys.count {
            var i = BucketOrds.hash(owners[o], keys[o]) & mask
            while table[i] != 0 { i = (i + 1) & mask }
            table[i] = Int32(o + 1)
        }
    }

    private var grouped: [Int32: [Int32]]?

    /// The ordinals of `owner`'s buckets, in assignment order.
    func ords(of owner: Int32) -> [Int32] {
        if grouped == nil {
            var g: [Int32: [Int32]] = [:]
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
