import Index
import JSON
import Query

/// `multi_terms`: one bucket per (owning bucket, combination of the sources' values) — the
/// cartesian product of a document's values, documents lacking a source skipped unless it has
/// `missing`. Values are segment ordinals (keyword-like sources) or stored longs, turned into
/// composite keys when building the segment's result; ordering, size and error accounting are
/// the terms reduce's.
final class MultiTermsCollector: BucketCollector {
    struct Combo: Hashable {
        var owner: Int32
        var values: [Int64]
    }

    let sources: [FieldSource]
    let keywordLike: [Bool]
    let minDocCount: Int64
    let ctx: CollectContext
    private var table: [Combo: Int32] = [:]
    private var combos: [Combo] = []
    /// The lookup key, reused for every combination (no allocation unless the bucket is new).
    private var probe: Combo
    private var lists: [[Int64]]
    private var positions: [Int]
    /// min_doc_count 0: every combination in the segment's live documents.
    private var allCombos: [[Int64]] = []
    private var byOwner: [Int32: [Int32]]?

    init(_ spec: MultiTermsSpec, subs: [Collector], ctx: CollectContext, name: String, type: String) throws(OpenSearchError) {
        var srcs: [FieldSource] = []
        for vs in spec.sources { srcs.append(try FieldSource(vs, ctx, agg: name, type: type, numericOnly: false)) }
        sources = srcs
        keywordLike = srcs.map(\.isKeywordLike)
        minDocCount = spec.terms.minDocCount
        self.ctx = ctx
        probe = Combo(owner: 0, values: [Int64](repeating: 0, count: srcs.count))
        lists = [[Int64]](repeating: [], count: srcs.count)
        positions = [Int](repeating: 0, count: srcs.count)
        super.init(subs: subs)
    }

    /// Loads `doc`'s distinct values per source into `lists`; false when a source has none.
    private func load(_ doc: Int32) -> Bool {
        for s in 0..<sources.count {
            lists[s].removeAll(keepingCapacity: true)
            let f = sources[s]
            if keywordLike[s] {
                let n = f.loadOrds(doc)
                for k in 0..<n { let v = Int64(f.ord(k)); if lists[s].last != v { lists[s].append(v) } }
            } else {
                let n = f.loadNumeric(doc)
                for k in 0..<n { let v = f.raw(k); if !lists[s].contains(v) { lists[s].append(v) } }
            }
            if lists[s].isEmpty { return false }
        }
        return true
    }

    /// Calls `body` with `probe.values` set to each combination of `lists`.
    private func forEachCombination(_ body: () -> Void) {
        let n = sources.count
        for s in 0..<n { positions[s] = 0; probe.values[s] = lists[s][0] }
        while true {
            body()
            var s = n - 1
            while s >= 0 {
                positions[s] += 1
                if positions[s] < lists[s].count { probe.values[s] = lists[s][positions[s]]; break }
                positions[s] = 0
                probe.values[s] = lists[s][0]
                s -= 1
            }
            if s < 0 { return }
        }
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        for i in 0..<docs.count {
            let doc = docs[i]
            guard load(doc) else { continue }
            probe.owner = owners[i]
            forEachCombination {
                let ord: Int32
                if let o = table[probe] { ord = o } else {
                    ord = Int32(combos.count)
                    combos.append(probe)
                    table[probe] = ord
                }
                emit(doc, ord)
            }
        }
    }

    override func finish() throws(OpenSearchError) {
        try super.finish()
        guard minDocCount == 0 else { return }
        var seen = Set<[Int64]>()
        for d in 0..<Int32(ctx.segment.docCount) where ctx.ctx.liveDocs?.isLive(d) ?? true {
            guard load(d) else { continue }
            forEachCombination { if seen.insert(probe.values).inserted { allCombos.append(probe.values) } }
        }
    }

    func value(_ s: Int, _ v: Int64) -> CompositeValue {
        let f = sources[s]
        if keywordLike[s] { return .bytes(f.termBytes(Int32(v))) }
        if f.isDouble { return .double(NumericColumn.double(fromSortable: v)) }
        if f.isUnsigned { return .unsigned(UnsignedLong.value(v)) }
        return .long(v)
    }

    override func state(_ owner: Int32) -> AggState {
        if byOwner == nil {
            var g: [Int32: [Int32]] = [:]
            for (i, c) in combos.enumerated() { g[c.owner, default: []].append(Int32(i)) }
            byOwner = g
        }
        var s = BucketsState()
        s.sourceFormats = sources.map { $0.isBoolean ? .boolean : ($0.isDate ? $0.format : .raw) }
        var present = Set<[Int64]>()
        for ord in byOwner![owner] ?? [] {
            let c = combos[Int(ord)]
            present.insert(c.values)
            s.buckets.append(Bucket(key: .composite(c.values.enumerated().map { value($0, $1) }), docCount: docCount(ord), subs: subStates(ord)))
        }
        for values in allCombos where !present.contains(values) {
            s.buckets.append(Bucket(key: .composite(values.enumerated().map { value($0, $1) }), docCount: 0, subs: subStates(-1)))
        }
        s.typedName = "multi_terms"
        return .buckets(s)
    }
}
