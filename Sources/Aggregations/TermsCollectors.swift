import Index
import JSON
import Query

/// include/exclude, compiled for one segment.
struct TermsIncludeExclude {
    let include: TermsFilter?
    let exclude: TermsFilter?
    var includeLongs: Set<Int64>?
    var excludeLongs: Set<Int64>?

    init(_ spec: TermsSpec, source: FieldSource, aggName: String, ctx: CollectContext) throws(OpenSearchError) {
        include = spec.include
        exclude = spec.exclude
        if source.isKeywordLike { return }
        for f in [spec.include, spec.exclude] {
            if case .regex? = f {
                throw OpenSearchError("aggregation_execution_exception", "Aggregation [\(aggName)] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields", status: 400)
            }
        }
        func longs(_ f: TermsFilter?) throws(OpenSearchError) -> Set<Int64>? {
            guard case .values(let vs)? = f else { return nil }
            var out: Set<Int64> = []
            for v in vs {
                out.insert(try FieldSource.stored(v, isDate: source.isDate, isBoolean: source.isBoolean, isDouble: source.isDouble,
                                                  format: source.dateFormat, zone: .utc, now: ctx.ctx.now, field: source.field))
            }
            return out
        }
        includeLongs = try longs(spec.include)
        excludeLongs = try longs(spec.exclude)
    }

    var isEmpty: Bool { include == nil && exclude == nil }

    static func matches(_ f: TermsFilter, bytes: [UInt8]) -> Bool {
        switch f {
        case .regex(let r): return r.matches(String(decoding: bytes, as: UTF8.self))
        case .values(let vs): return vs.contains { QueryValues.text($0).map { Array($0.utf8) == bytes } ?? false }
        case .partition(let p, let n): return Hashing.floorMod(Int64(Hashing.murmur3_32(bytes, seed: 31)), Int64(n)) == Int64(p)
        }
    }

    func accepts(bytes: [UInt8]) -> Bool {
        if let i = include, !TermsIncludeExclude.matches(i, bytes: bytes) { return false }
        if let e = exclude, TermsIncludeExclude.matches(e, bytes: bytes) { return false }
        return true
    }

    @inline(__always) func accepts(raw: Int64, isDouble: Bool) -> Bool {
        if let s = includeLongs, !s.contains(raw) { return false }
        if let s = excludeLongs, s.contains(raw) { return false }
        if case .partition(let p, let n)? = include {
            let bits = isDouble ? Int64(bitPattern: NumericColumn.double(fromSortable: raw).bitPattern) : raw
            if Hashing.floorMod(Int64(bitPattern: Hashing.mix64(bits)), Int64(n)) != Int64(p) { return false }
        }
        return true
    }
}

/// terms over keyword (and fielddata text) fields: counts by segment ordinal — directly indexed
/// when there is one owning bucket, hashed (owner, ordinal) otherwise — and turns ordinals into
/// terms only when building the segment's result.
final class KeywordTermsCollector: BucketCollector {
    let source: FieldSource
    let singleOwner: Bool
    let minDocCount: Int64
    let ords = BucketOrds()
    /// Per ordinal (the missing ordinal included): whether include/exclude accept it.
    let accept: [Bool]?

    init(_ spec: TermsSpec, source: FieldSource, singleOwner: Bool, subs: [Collector], aggName: String, ctx: CollectContext) throws(OpenSearchError) {
        self.source = source
        self.singleOwner = singleOwner
        minDocCount = spec.minDocCount
        let ie = try TermsIncludeExclude(spec, source: source, aggName: aggName, ctx: ctx)
        if ie.isEmpty {
            accept = nil
        } else {
            accept = (0..<source.ordinalSpace).map { ie.accepts(bytes: source.termBytes(Int32($0))) }
        }
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        if singleOwner, accept == nil, let o = src.ords, !o.isMultiValued, src.missingBytes == nil {
            for i in 0..<docs.count {
                let ord = o.firstOrd(docs[i])
                if ord >= 0 { emit(docs[i], ord) }
            }
            return
        }
        for i in 0..<docs.count {
            let doc = docs[i]
            let n = src.loadOrds(doc)
            for k in 0..<n {
                let ord = src.ordScratch[k]
                if let a = accept, !a[Int(ord)] { continue }
                emit(doc, singleOwner ? ord : ords.add(owners[i], Int64(ord)))
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        var present = Set<Int32>()
        func add(_ ord: Int32, _ bucket: Int32) {
            let c = docCount(bucket)
            guard c > 0 || minDocCount == 0 else { return }
            present.insert(ord)
            s.buckets.append(Bucket(key: .bytes(source.termBytes(ord)), docCount: c, subs: subStates(bucket)))
        }
        if singleOwner {
            if owner == 0 { for ord in 0..<Int32(docCounts.count) where docCounts[Int(ord)] > 0 { add(ord, ord) } }
        } else {
            for b in ords.ords(of: owner) { add(Int32(ords.keys[Int(b)]), b) }
        }
        if minDocCount == 0 {
            // Every term of the segment, with zero documents where none matched.
            for ord in 0..<Int32(source.termCount) where !present.contains(ord) && (accept?[Int(ord)] ?? true) {
                s.buckets.append(Bucket(key: .bytes(source.termBytes(ord)), docCount: 0, subs: subs.map { $0.state(-1) }))
            }
        }
        return .buckets(s)
    }
}

/// terms over numeric, date and boolean fields: (owner, value) hashed to bucket ordinals.
final class NumericTermsCollector: BucketCollector {
    let source: FieldSource
    let ords = BucketOrds()
    let filter: TermsIncludeExclude
    let minDocCount: Int64
    let ctx: CollectContext

    init(_ spec: TermsSpec, source: FieldSource, subs: [Collector], aggName: String, ctx: CollectContext) throws(OpenSearchError) {
        self.source = source
        self.ctx = ctx
        minDocCount = spec.minDocCount
        filter = try TermsIncludeExclude(spec, source: source, aggName: aggName, ctx: ctx)
        super.init(subs: subs)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let filtered = !filter.isEmpty
        for i in 0..<docs.count {
            let doc = docs[i]
            let n = src.loadNumeric(doc)
            var previous = Int64.min
            for k in 0..<n {
                let v = src.scratch[k]
                if k > 0 && v == previous { continue }  // values are ascending: count a doc once per value
                previous = v
                if filtered && !filter.accepts(raw: v, isDouble: src.isDouble) { continue }
                emit(doc, ords.add(owners[i], v))
            }
        }
    }

    func key(_ raw: Int64) -> BucketKey {
        source.isDouble ? .double(NumericColumn.double(fromSortable: raw)) : .long(raw)
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.isDate || source.isBoolean ? source.format : .raw
        var present = Set<Int64>()
        for b in ords.ords(of: owner) {
            let raw = ords.keys[Int(b)]
            present.insert(raw)
            s.buckets.append(Bucket(key: key(raw), docCount: docCount(b), subs: subStates(b)))
        }
        if minDocCount == 0, let col = source.numeric {
            var values: [Int64] = []
            for d in 0..<Int32(ctx.segment.docCount) where ctx.ctx.liveDocs?.isLive(d) ?? true {
                col.values(d, into: &values)
                for v in values where !present.contains(v) && filter.accepts(raw: v, isDouble: source.isDouble) {
                    present.insert(v)
                    s.buckets.append(Bucket(key: key(v), docCount: 0, subs: subs.map { $0.state(-1) }))
                }
            }
        }
        return .buckets(s)
    }
}
