import Index
import JSON
import Query

/// filter: the query's documents in this segment, intersected with each incoming batch.
final class FilterCollector: BucketCollector {
    let set: DocSet

    init(_ query: Query, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        set = try ctx.ctx.docs(matching: query)
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        for i in 0..<docs.count where set.contains(docs[i]) { emit(docs[i], owners[i]) }
    }

    override func state(_ owner: Int32) -> AggState { .single(Bucket(key: .position(0), docCount: docCount(owner), subs: subStates(owner))) }
}

/// filters: one bucket per filter (plus `other`), bucket = owner × n + filter.
final class FiltersCollector: BucketCollector {
    let sets: [DocSet]
    let other: Bool
    let width: Int32

    init(_ spec: FiltersSpec, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        var sets: [DocSet] = []
        for f in spec.filters { sets.append(try ctx.ctx.docs(matching: f.query)) }
        self.sets = sets
        other = spec.otherBucket
        width = Int32(sets.count + (spec.otherBucket ? 1 : 0))
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let n = sets.count
        for i in 0..<docs.count {
            let doc = docs[i]
            var matched = false
            for f in 0..<n where sets[f].contains(doc) {
                matched = true
                emit(doc, owners[i] &* width &+ Int32(f))
            }
            if other && !matched { emit(doc, owners[i] &* width &+ Int32(n)) }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        for f in 0..<Int(width) {
            let b: Int32 = owner < 0 ? -1 : owner &* width &+ Int32(f)
            s.buckets.append(Bucket(key: .position(f), docCount: docCount(b), subs: subStates(b)))
        }
        return .buckets(s)
    }
}

/// missing: documents without a value (a `missing` parameter fills them, so none are missing).
final class MissingCollector: BucketCollector {
    let source: FieldSource

    init(source: FieldSource, subs: [Collector]) {
        self.source = source
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        if source.missingRaw != nil || source.missingBytes != nil { return }
        for i in 0..<docs.count {
            let d = docs[i]
            if !source.hasValue(d) { emit(d, owners[i]) }
        }
    }

    override func state(_ owner: Int32) -> AggState { .single(Bucket(key: .position(0), docCount: docCount(owner), subs: subStates(owner))) }
}

/// global: ignores the query; collects every live document of the segment once.
final class GlobalCollector: BucketCollector {
    let ctx: CollectContext

    init(subs: [Collector], ctx: CollectContext) {
        self.ctx = ctx
        super.init(subs: subs)
    }

    override func finish() throws(OpenSearchError) {
        emitAll(ctx.ctx.liveSet, 0)
        try super.finish()
    }

    override func state(_ owner: Int32) -> AggState { .single(Bucket(key: .position(0), docCount: docCount(owner), subs: subStates(owner))) }
}

/// adjacency_matrix: a bucket per filter and per pair of filters (documents matching both),
/// bucket = owner × keys + key index.
final class AdjacencyMatrixCollector: BucketCollector {
    let sets: [DocSet]
    let keys: [(key: String, first: Int, second: Int?)]
    let width: Int32
    /// Per doc: which filters matched (reused across documents).
    private var matched: [Bool]

    init(_ spec: AdjacencyMatrixSpec, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        var sets: [DocSet] = []
        for f in spec.filters { sets.append(try ctx.ctx.docs(matching: f.query)) }
        self.sets = sets
        keys = spec.keys
        width = Int32(keys.count)
        matched = [Bool](repeating: false, count: sets.count)
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let n = sets.count
        for i in 0..<docs.count {
            let doc = docs[i]
            var any = false
            for f in 0..<n { matched[f] = sets[f].contains(doc); any = any || matched[f] }
            guard any else { continue }
            let base = owners[i] &* width
            for (k, e) in keys.enumerated() where matched[e.first] && (e.second.map { matched[$0] } ?? true) {
                emit(doc, base &+ Int32(k))
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        for (k, e) in keys.enumerated() {
            let b: Int32 = owner < 0 ? -1 : owner &* width &+ Int32(k)
            s.buckets.append(Bucket(key: .bytes(Array(e.key.utf8)), docCount: docCount(b), subs: subStates(b)))
        }
        return .buckets(s)
    }
}
