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
        let isIP = ctx.ctx.mapping.field(source.field)?.type == .ip
        if source.isKeywordLike && !isIP { return }
        for f in [spec.include, spec.exclude] {
            if case .regex? = f {
                throw OpenSearchError("aggregation_execution_exception", "Aggregation [\(aggName)] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields", status: 500)
            }
        }
        if isIP { return }
        func longs(_ f: TermsFilter?) throws(OpenSearchError) -> Set<Int64>? {
            guard case .values(let vs)? = f else { return nil }
            var out: Set<Int64> = []
            for v in vs {
                out.insert(try FieldSource.stored(v, isDate: source.isDate, isBoolean: source.isBoolean, isDouble: source.isDouble,
                                                  format: source.dateFormat, zone: .utc, now: ctx.ctx.now, field: source.field,
                                                  isUnsigned: source.isUnsigned))
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
    /// The segment is the whole shard and the order only counts and keys: cut to this many here.
    let shardCut: Int?
    let order: [BucketOrder]
    /// Per ordinal (the missing ordinal included): whether include/exclude accept it.
    let accept: [Bool]?

    init(_ spec: TermsSpec, source: FieldSource, singleOwner: Bool, subs: [Collector], aggName: String, ctx: CollectContext) throws(OpenSearchError) {
        self.source = source
        self.singleOwner = singleOwner
        minDocCount = spec.minDocCount
        order = spec.order
        let simpleOrder = spec.order.allSatisfy { if case .path = $0 { return false }; return true }
        shardCut = ctx.ctx.segmentsInIndex == 1 && simpleOrder && spec.minDocCount > 0 && source.missingBytes == nil
            ? spec.effectiveShardSize : nil
        let ie = try TermsIncludeExclude(spec, source: source, aggName: aggName, ctx: ctx)
        if ie.isEmpty {
            accept = nil
        } else {
            accept = (0..<source.ordinalSpace).map { ie.accepts(bytes: source.termBytes(Int32($0))) }
        }
        super.init(subs: subs)
        if !singleOwner { ords.enableDense(keySpace: source.ordinalSpace) }
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        if singleOwner, accept == nil {
            src.forEachOrd(docs) { i, ord in emit(docs[i], ord) }
            return
        }
        let accept = self.accept
        src.forEachOrd(docs) { i, ord in
            if let a = accept, !a[Int(ord)] { return }
            emit(docs[i], singleOwner ? ord : ords.add(owners[i], Int64(ord)))
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        // Buckets in ordinal order, which is key (byte) order: reduce merges them without hashing.
        var pairs: [(ord: Int32, bucket: Int32)] = []
        if singleOwner {
            let counts = docCounts
            if owner == 0 { for ord in 0..<Int32(counts.count) where counts[Int(ord)] > 0 { pairs.append((ord, ord)) } }
        } else {
            pairs = ords.ords(of: owner).map { (Int32(ords.keys[Int($0)]), $0) }
            pairs.sort { $0.ord < $1.ord }
        }
        if minDocCount == 0 {
            // Every term of the segment, with zero documents where none matched.
            var present = [Bool](repeating: false, count: source.ordinalSpace)
            for p in pairs { present[Int(p.ord)] = true }
            for ord in 0..<Int32(source.termCount) where !present[Int(ord)] && (accept?[Int(ord)] ?? true) { pairs.append((ord, -1)) }
            pairs.sort { $0.ord < $1.ord }
        }
        var sorted = source.missingBytes == nil  // the missing value's ordinal sorts last, its bytes may not
        if let cut = shardCut, pairs.count > cut {
            // Whole shard: keep its best `shard_size` buckets (ordinal order is key order), count
            // the rest as other documents, and decode only the kept terms.
            let counts = pairs.map { docCount($0.bucket) }
            let order = self.order
            func before(_ i: Int, _ j: Int) -> Bool {
                for o in order {
                    switch o {
                    case .count(let asc): if counts[i] != counts[j] { return (counts[i] < counts[j]) == asc }
                    case .key(let asc): if pairs[i].ord != pairs[j].ord { return (pairs[i].ord < pairs[j].ord) == asc }
                    case .path: break
                    }
                }
                return i < j
            }
            var best: [Int] = []
            best.reserveCapacity(cut + 1)
            for i in pairs.indices {
                if best.count == cut, !before(i, best[cut - 1]) { continue }
                var lo = 0, hi = best.count
                while lo < hi { let m = (lo + hi) / 2; if before(best[m], i) { lo = m + 1 } else { hi = m } }
                best.insert(i, at: lo)
                if best.count > cut { best.removeLast() }
            }
            let total = counts.reduce(0, +)
            s.otherDocCount = total - best.reduce(0) { $0 + counts[$1] }
            pairs = best.map { pairs[$0] }
            sorted = false
        }
        s.buckets.reserveCapacity(pairs.count)
        for (ord, bucket) in pairs {
            s.buckets.append(Bucket(key: .bytes(source.termBytes(ord)), docCount: docCount(bucket), subs: subStates(bucket)))
        }
        s.sortedByKey = sorted
        if case .unmapped = source.kind { s.typedName = "umterms" } else { s.typedName = "sterms" }
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
        let isDouble = src.isDouble
        var lastDoc = -1, lastValue = Int64.min
        src.forEachValue(docs) { i, v in
            if i == lastDoc && v == lastValue { return }  // values are ascending: count a doc once per value
            lastDoc = i; lastValue = v
            if filtered && !filter.accepts(raw: v, isDouble: isDouble) { return }
            emit(docs[i], ords.add(owners[i], v))
        }
    }

    func key(_ raw: Int64) -> BucketKey { source.key(raw) }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.isDate || source.isBoolean ? source.format : .raw
        // Buckets in key order (stored longs, and sortable longs for doubles, sort like the keys).
        var pairs = ords.ords(of: owner).map { (raw: ords.keys[Int($0)], bucket: $0) }
        if minDocCount == 0, let col = source.numeric {
            var present = Set(pairs.map(\.raw))
            var values: [Int64] = []
            for d in 0..<Int32(ctx.segment.docCount) where ctx.ctx.liveDocs?.isLive(d) ?? true {
                col.values(d, into: &values)
                for v in values where !present.contains(v) && filter.accepts(raw: v, isDouble: source.isDouble) {
                    present.insert(v)
                    pairs.append((v, -1))
                }
            }
        }
        pairs.sort { $0.raw < $1.raw }
        s.buckets.reserveCapacity(pairs.count)
        for (raw, b) in pairs { s.buckets.append(Bucket(key: key(raw), docCount: docCount(b), subs: subStates(b))) }
        s.sortedByKey = true
        if case .unmapped = source.kind { s.typedName = "umterms" } else { s.typedName = source.isDouble ? "dterms" : source.isUnsigned ? "ulterms" : "lterms" }
        return .buckets(s)
    }
}
