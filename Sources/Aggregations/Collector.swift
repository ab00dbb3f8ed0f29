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

    /// A top-level collector that can visit the matched `docs` in its own order (composite walking
    /// postings term by term, stopping once its page is full) does so and answers true; it then
    /// gets no batches.
    func collectAll(_ docs: DocSet) -> Bool { false }

    /// The partial state for owning bucket `owner`.
    func state(_ owner: Int32) -> AggState { .none }
}

/// A bucket aggregation's common machinery: per-bucket doc counts and a buffered batch for the
/// sub-collectors, in raw buffers so `emit` costs a few stores per document (no array uniqueness
/// checks in the per-document path).
class BucketCollector: Collector {
    let subs: [Collector]
    let hasSubs: Bool
    static let batchSize = 1024
    private var countsPtr: UnsafeMutablePointer<Int64>
    private var countsCapacity: Int
    private let childDocs: UnsafeMutablePointer<Int32>
    private let childOwners: UnsafeMutablePointer<Int32>
    private var childCount = 0

    init(subs: [Collector]) {
        self.subs = subs
        hasSubs = !subs.isEmpty
        countsCapacity = 16
        countsPtr = .allocate(capacity: 16)
        countsPtr.initialize(repeating: 0, count: 16)
        let n = subs.isEmpty ? 1 : BucketCollector.batchSize
        childDocs = .allocate(capacity: n)
        childOwners = .allocate(capacity: n)
    }

    deinit {
        countsPtr.deallocate()
        childDocs.deallocate()
        childOwners.deallocate()
    }

    /// Per-bucket document counts (trailing buckets may be zero).
    final var docCounts: [Int64] { Array(UnsafeBufferPointer(start: countsPtr, count: countsCapacity)) }

    /// Counts `doc` into bucket `bucket` and queues it for the sub-collectors.
    @inline(__always)
    final func emit(_ doc: Int32, _ bucket: Int32) {
        let i = Int(bucket)
        if i >= countsCapacity { grow(i) }
        countsPtr[i] &+= 1
        if hasSubs { queue(doc, bucket) }
    }

    /// Queues `doc` for the sub-collectors as bucket `bucket` without counting it.
    @inline(__always)
    final func queue(_ doc: Int32, _ bucket: Int32) {
        let n = childCount
        childDocs[n] = doc
        childOwners[n] = bucket
        childCount = n &+ 1
        if n &+ 1 == BucketCollector.batchSize { flushChildren() }
    }

    /// Makes room for bucket `b`.
    final func grow(_ b: Int) {
        let n = Swift.max(b + 1, countsCapacity * 2, 16)
        let p = UnsafeMutablePointer<Int64>.allocate(capacity: n)
        p.moveInitialize(from: countsPtr, count: countsCapacity)
        (p + countsCapacity).initialize(repeating: 0, count: n - countsCapacity)
        countsPtr.deallocate()
        countsPtr = p
        countsCapacity = n
    }

    final func flushChildren() {
        let n = childCount
        guard n > 0 else { return }
        childCount = 0
        let dd = UnsafeBufferPointer(start: childDocs, count: n), oo = UnsafeBufferPointer(start: childOwners, count: n)
        for s in subs { s.collect(dd, oo) }
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

    /// Adds `n` documents to bucket `bucket` at once (counts gathered outside `emit`).
    final func addCount(_ bucket: Int32, _ n: Int64) {
        let i = Int(bucket)
        if i >= countsCapacity { grow(i) }
        countsPtr[i] &+= n
    }

    final func docCount(_ bucket: Int32) -> Int64 {
        bucket >= 0 && Int(bucket) < countsCapacity ? countsPtr[Int(bucket)] : 0
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
        /// Dense mode (keys are small ordinals): `(owner * denseSpace + key)` → ordinal + 1, for
        /// the first `denseRows` owners; the hash table stays authoritative.
        var dense: [Int32] = []
        var denseSpace = 0
        var denseRows = 0
    }

    static let denseLimit = 1 << 22

    let state = Box(State())
    private var grouped: [Int32: [Int32]]?

    var count: Int { state.p.pointee.keys.count }
    var keys: [Int64] { state.p.pointee.keys }

    @inline(__always) static func hash(_ owner: Int32, _ key: Int64) -> Int {
        Int(truncatingIfNeeded: Hashing.mix64(key &+ Int64(owner) &* -7_046_029_254_386_353_131))
    }

    /// Keys are ordinals in `0..<space` (keyword terms below another bucket aggregation): look
    /// them up by array index instead of hashing, while the table stays small.
    func enableDense(keySpace space: Int) {
        if space > 0 && space <= BucketOrds.denseLimit { state.p.pointee.denseSpace = space }
    }

    private func growDense(_ owner: Int) -> Bool {
        let s = state.p
        let space = s.pointee.denseSpace
        let rows = Swift.max(owner + 1, s.pointee.denseRows * 2, 4)
        let fit = Swift.min(rows, BucketOrds.denseLimit / space)
        guard fit > owner else { return false }
        s.pointee.dense.append(contentsOf: repeatElement(0, count: (fit - s.pointee.denseRows) * space))
        s.pointee.denseRows = fit
        return true
    }

    /// The ordinal of (owner, key), assigning the next one if new.
    @inline(__always)
    func add(_ owner: Int32, _ key: Int64) -> Int32 {
        let s = state.p
        let space = s.pointee.denseSpace
        if space > 0 && key >= 0 && key < Int64(space) && owner >= 0 {
            let o = Int(owner)
            if o < s.pointee.denseRows || growDense(o) {
                let idx = o &* space &+ Int(key)
                let v = s.pointee.dense[idx]
                if v != 0 { return v &- 1 }
                let ord = addHashed(owner, key)
                s.pointee.dense[idx] = ord &+ 1
                return ord
            }
        }
        return addHashed(owner, key)
    }

    @inline(__always)
    private func addHashed(_ owner: Int32, _ key: Int64) -> Int32 {
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

    static func run(_ docs: DocSet, _ all: [Collector], cache: DecodedBatchCache? = nil) {
        let collectors = all.filter { !$0.collectAll(docs) }
        guard !collectors.isEmpty else { return }
        // Raw buffers: a Swift array written per document pays a uniqueness check each time.
        let buffer = UnsafeMutablePointer<Int32>.allocate(capacity: batchSize)
        let owners = UnsafeMutablePointer<Int32>.allocate(capacity: batchSize)
        owners.initialize(repeating: 0, count: batchSize)
        defer { buffer.deallocate(); owners.deallocate() }
        let oo = UnsafeBufferPointer(start: owners, count: batchSize)
        cache?.driverBuffer = UnsafePointer(buffer)
        var n = 0
        @inline(__always) func flush() {
            cache?.generation &+= 1
            let dd = UnsafeBufferPointer(start: UnsafePointer(buffer), count: n)
            let o = UnsafeBufferPointer(rebasing: oo[0..<n])
            for c in collectors { c.collect(dd, o) }
            n = 0
        }
        docs.words.withUnsafeBufferPointer { words in
            for wi in 0..<words.count {
                var w = words[wi]
                if w == ~0 && n &+ 64 <= batchSize {
                    // A full word (match_all, dense filters): 64 consecutive ids, no bit scan.
                    let first = Int32(truncatingIfNeeded: wi << 6)
                    for b in 0..<Int32(64) { buffer[n &+ Int(b)] = first &+ b }
                    n &+= 64
                    if n == batchSize { flush() }
                    continue
                }
                while w != 0 {
                    buffer[n] = Int32(wi << 6 | w.trailingZeroBitCount)
                    n &+= 1
                    if n == batchSize { flush() }
                    w &= w &- 1
                }
            }
        }
        if n > 0 { flush() }
    }
}
