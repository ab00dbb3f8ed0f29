import Index
import JSON
import Query

/// composite: walks the combinations of its sources' values in key order, keeping only the first
/// `size` keys after `after` (a bounded buffer pruned as it grows), then — if it has
/// sub-aggregations — a second pass over the matched documents feeds them the kept buckets.
///
/// Values are encoded per segment as order-preserving Int64s: keyword ordinals, stored numerics
/// (sortable longs for doubles), rounded dates, histogram bucket indexes.
final class CompositeCollector: BucketCollector {
    struct SourceReader {
        let spec: CompositeSpec.Source
        let field: FieldSource
        let rounding: PreparedRounding?
        let interval: Double?
        /// The `after` value: exact (bias 0) or just below `value` (bias −1, the after term is
        /// not in this segment), or the missing bucket.
        var after: (value: Int64, bias: Int8, missing: Bool)?
    }

    let size: Int
    var readers: [SourceReader]
    let width: Int
    let hasAfter: Bool
    /// Kept keys, flat: `width` values and missing flags per entry.
    var values: [Int64] = []
    var missing: [Bool] = []
    var counts: [Int64] = []
    var table: [Int32] = [Int32](repeating: 0, count: 64)
    var threshold: Int?  // entry index of the largest key allowed in, once the buffer was pruned
    var matched: DocSet
    private var combo: [Int64]
    private var comboMissing: [Bool]
    /// The current doc's distinct values per source, flat: source `s` holds
    /// `srcVals[s * srcCap ..< s * srcCap + srcCount[s]]`.
    private var srcVals: [Int64]
    private var srcCount: [Int]
    private var srcCap = 8
    // Per-source facts copied out of `readers` so the per-document loops touch no structs.
    private let fields: [FieldSource]
    private let roundings: [PreparedRounding?]
    private let intervals: [Double]
    private let keywordLike: [Bool]
    private let ascending: [Bool]
    private let missingFirst: [Bool]
    private let missingBucket: [Bool]

    init(_ spec: CompositeSpec, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        size = spec.size
        var readers: [SourceReader] = []
        for s in spec.sources {
            var field: FieldSource
            var rounding: PreparedRounding? = nil
            var interval: Double? = nil
            switch s.kind {
            case .terms:
                field = try FieldSource(s.value, ctx, agg: s.name, type: "terms", numericOnly: false,
                                        dateFormatOverride: s.value.format)
            case .histogram(let i):
                field = try FieldSource(s.value, ctx, agg: s.name, type: "histogram", numericOnly: true)
                interval = i
            case .dateHistogram(let di, let zone, let off):
                var vs = s.value
                if vs.valueType == nil { vs.valueType = "date" }
                field = try FieldSource(vs, ctx, agg: s.name, type: "date_histogram", numericOnly: true, zone: zone)
                rounding = PreparedRounding(interval: di, zone: zone, offset: off)
            }
            var r = SourceReader(spec: s, field: field, rounding: rounding, interval: interval, after: nil)
            if let a = spec.after?[s.name] { r.after = try CompositeCollector.encodeAfter(a, r, ctx) }
            readers.append(r)
        }
        self.readers = readers
        width = readers.count
        hasAfter = spec.after != nil
        matched = DocSet(capacity: ctx.segment.docCount)
        combo = [Int64](repeating: 0, count: readers.count)
        comboMissing = [Bool](repeating: false, count: readers.count)
        srcVals = [Int64](repeating: 0, count: readers.count * 8)
        srcCount = [Int](repeating: 0, count: readers.count)
        fields = readers.map(\.field)
        roundings = readers.map(\.rounding)
        intervals = readers.map { $0.interval ?? 0 }
        keywordLike = readers.map(\.field.isKeywordLike)
        ascending = readers.map(\.spec.ascending)
        missingFirst = readers.map(\.spec.missingSortsFirst)
        missingBucket = readers.map(\.spec.missingBucket)
        super.init(subs: subs)
    }

    static func encodeAfter(_ v: JSONValue, _ r: SourceReader, _ ctx: CollectContext) throws(OpenSearchError) -> (Int64, Int8, Bool) {
        if v.isNull { return (0, 0, true) }
        let f = r.field
        // Unmapped here: no values, only the missing bucket compares (by its missing order).
        if case .unmapped = f.kind, f.missingRaw == nil, f.missingBytes == nil { return (0, 0, false) }
        switch r.spec.kind {
        case .terms where f.isKeywordLike:
            guard let text = QueryValues.text(v) else { throw OpenSearchError.illegalArgument("Invalid value for [after.\(r.spec.name)]") }
            let bytes = Array(text.utf8)
            guard let ords = f.ords else { return (0, -1, false) }
            let lb = ords.lowerBound(bytes)
            if lb < ords.termCount && Array(ords.term(lb).utf8) == bytes { return (Int64(lb), 0, false) }
            return (Int64(lb), -1, false)
        case .terms:
            let raw = try FieldSource.stored(v, isDate: f.isDate, isBoolean: f.isBoolean, isDouble: f.isDouble, format: f.dateFormat,
                                             zone: .utc, now: ctx.ctx.now, field: f.field, isUnsigned: f.isUnsigned)
            return (raw, 0, false)
        case .histogram(let interval):
            guard let d = v.doubleValue else { throw OpenSearchError.illegalArgument("Invalid value for [after.\(r.spec.name)]") }
            let idx = (d / interval).rounded(.down)
            return (Reducer.clamped(idx), idx * interval == d ? 0 : 1, false)
        case .dateHistogram(_, let zone, _):
            let ms = try FieldSource.stored(v, isDate: true, isBoolean: false, isDouble: false, format: f.dateFormat, zone: zone,
                                            now: ctx.ctx.now, field: f.field)
            return (ms, 0, false)
        }
    }

    // MARK: key order

    /// Compares value `x` (missing `xm`) of source `s` with `y`/`ym`: −1, 0, 1 in key order.
    @inline(__always)
    func compare(_ s: Int, _ x: Int64, _ xm: Bool, _ y: Int64, _ ym: Bool) -> Int {
        if xm || ym {
            if xm && ym { return 0 }
            let first = missingFirst[s]
            return xm ? (first ? -1 : 1) : (first ? 1 : -1)
        }
        if x == y { return 0 }
        return (x < y) == ascending[s] ? -1 : 1
    }

    /// Whether the current combination comes strictly after `after`.
    func afterAfter() -> Bool {
        for s in 0..<width {
            guard let a = readers[s].after else { continue }
            let asc = ascending[s]
            let x = combo[s], xm = comboMissing[s]
            if xm || a.missing {
                let c = compare(s, x, xm, a.value, a.missing)
                if c != 0 { return c > 0 }
                continue
            }
            if x == a.value {
                if a.bias == 0 { continue }
                // The after value lies between a.value − 1 and a.value (−1) or above a.value (+1).
                return (a.bias < 0) == asc
            }
            return (x > a.value) == asc
        }
        return false
    }

    func compareEntries(_ i: Int, _ j: Int) -> Int {
        for s in 0..<width {
            let c = compare(s, values[i * width + s], missing[i * width + s], values[j * width + s], missing[j * width + s])
            if c != 0 { return c }
        }
        return 0
    }

    func compareCombo(toEntry j: Int) -> Int {
        for s in 0..<width {
            let c = compare(s, combo[s], comboMissing[s], values[j * width + s], missing[j * width + s])
            if c != 0 { return c }
        }
        return 0
    }

    // MARK: the entry table

    func hashCombo() -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for s in 0..<width { h = Hashing.mix64(Int64(bitPattern: h) &+ (comboMissing[s] ? 0x5bd1e995 : combo[s])) }
        return Int(truncatingIfNeeded: h)
    }

    func find() -> (found: Int?, slot: Int) {
        let mask = table.count - 1
        var i = hashCombo() & mask
        while true {
            let t = table[i]
            if t == 0 { return (nil, i) }
            let e = Int(t) - 1
            var same = true
            for s in 0..<width where values[e * width + s] != combo[s] || missing[e * width + s] != comboMissing[s] { same = false; break }
            if same { return (e, i) }
            i = (i + 1) & mask
        }
    }

    func rebuildTable() {
        var size = 64
        while size < counts.count * 2 + 2 { size *= 2 }
        table = [Int32](repeating: 0, count: size)
        let saveCombo = combo, saveMissing = comboMissing
        for e in 0..<counts.count {
            for s in 0..<width { combo[s] = values[e * width + s]; comboMissing[s] = missing[e * width + s] }
            let (_, slot) = find()
            table[slot] = Int32(e + 1)
        }
        combo = saveCombo
        comboMissing = saveMissing
    }

    /// Keeps the first `keep` entries in key order.
    func prune(to keep: Int) {
        let order = (0..<counts.count).sorted { compareEntries($0, $1) < 0 }.prefix(keep)
        var nv: [Int64] = [], nm: [Bool] = [], nc: [Int64] = []
        for e in order {
            nv.append(contentsOf: values[(e * width)..<((e + 1) * width)])
            nm.append(contentsOf: missing[(e * width)..<((e + 1) * width)])
            nc.append(counts[e])
        }
        values = nv; missing = nm; counts = nc
        threshold = counts.count >= keep && keep > 0 ? counts.count - 1 : nil
        rebuildTable()
    }

    // MARK: collection

    /// Loads each source's distinct values for `doc` (sources from `from` on); false when a
    /// source has none and no missing bucket.
    @inline(__always)
    func loadSources(_ doc: Int32, from: Int = 0) -> Bool {
        for s in from..<width {
            let f = fields[s]
            var n = 0
            let base = s &* srcCap
            if keywordLike[s] {
                let k = f.loadOrds(doc)
                if k > srcCap { growSources(k); return loadSources(doc, from: from) }
                for i in 0..<k { srcVals[base &+ i] = Int64(f.ord(i)) }
                n = k
            } else {
                let k = f.loadNumeric(doc)
                if k > srcCap { growSources(k); return loadSources(doc, from: from) }
                let rd = roundings[s], interval = intervals[s]
                for i in 0..<k {
                    var v = f.raw(i)
                    if let rd { v = rd.round(v) }
                    else if interval != 0 {
                        let idx = (f.double(v) / interval).rounded(.down)
                        guard idx.isFinite, abs(idx) < 9e18 else { continue }
                        v = Int64(idx)
                    }
                    if n == 0 || srcVals[base &+ n &- 1] != v { srcVals[base &+ n] = v; n &+= 1 }
                }
            }
            srcCount[s] = n
            if n == 0 && !missingBucket[s] { return false }
        }
        return true
    }

    private func growSources(_ need: Int) {
        var cap = srcCap
        while cap < need { cap *= 2 }
        var nv = [Int64](repeating: 0, count: width * cap)
        for s in 0..<width { for i in 0..<srcCount[s] { nv[s * cap + i] = srcVals[s * srcCap + i] } }
        srcVals = nv
        srcCap = cap
    }

    /// Calls `body` for every combination (missing bucket for sources without values).
    @inline(__always)
    func forEachCombo(_ body: () -> Void) {
        // The common case: one value (or the missing bucket) per source.
        var single = true
        for s in 0..<width where srcCount[s] > 1 { single = false; break }
        if single {
            for s in 0..<width {
                if srcCount[s] == 0 { combo[s] = 0; comboMissing[s] = true }
                else { combo[s] = srcVals[s &* srcCap]; comboMissing[s] = false }
            }
            body()
            return
        }
        var idx = [Int](repeating: 0, count: width)
        while true {
            for s in 0..<width {
                if srcCount[s] == 0 { combo[s] = 0; comboMissing[s] = true }
                else { combo[s] = srcVals[s * srcCap + idx[s]]; comboMissing[s] = false }
            }
            body()
            var s = width - 1
            while s >= 0 {
                idx[s] += 1
                if idx[s] < max(1, srcCount[s]) { break }
                idx[s] = 0
                s -= 1
            }
            if s < 0 { return }
        }
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        for i in 0..<docs.count { collectDoc(docs[i], firstOrd: nil) }
    }

    /// Counts `doc`'s combinations (only those whose first value is `firstOrd`, when given).
    @inline(__always)
    func collectDoc(_ doc: Int32, firstOrd: Int64?) {
        if let o = firstOrd {
            guard loadSources(doc, from: 1) else { return }
            srcVals[0] = o
            srcCount[0] = 1
        } else {
            guard loadSources(doc) else { return }
        }
        var any = false
        forEachCombo { if countCombo() { any = true } }
        if any { matched.insert(doc) }
    }

    /// Counts the current combination if it belongs on the page; whether it did.
    @inline(__always)
    func countCombo() -> Bool {
        if hasAfter && !afterAfter() { return false }
        if let t = threshold, compareCombo(toEntry: t) > 0 { return false }
        let (found, slot) = find()
        if let e = found {
            counts[e] += 1
        } else {
            values.append(contentsOf: combo)
            missing.append(contentsOf: comboMissing)
            counts.append(1)
            table[slot] = Int32(counts.count)
            if counts.count * 2 > table.count { rebuildTable() }
            if counts.count >= 2 * size + 64 { prune(to: size) }
        }
        return true
    }

    /// Two sources, the first fixed at `ord`: the second source's values for a batch of docs
    /// come from one column pass (`forEachValue`/`forEachOrd`), not a reader per document.
    private func collectPairs(_ docs: UnsafeBufferPointer<Int32>, firstOrd ord: Int64) {
        let f = fields[1]
        let rd = roundings[1], interval = intervals[1]
        var lastI = -1
        var lastV: Int64 = 0
        var lastCounted = false
        combo[0] = ord
        comboMissing[0] = false
        comboMissing[1] = false
        func visit(_ i: Int, _ v: Int64) {
            if i == lastI {
                if v == lastV { return }  // one count per doc and key
            } else {
                if missingBucket[1] { fillMissing(docs, from: lastI + 1, to: i) }
                if lastCounted { matched.insert(docs[lastI]) }
                lastCounted = false
            }
            lastI = i
            lastV = v
            combo[1] = v
            comboMissing[1] = false
            if countCombo() { lastCounted = true }
        }
        if keywordLike[1] {
            f.forEachOrd(docs) { i, o in visit(i, Int64(o)) }
        } else {
            f.forEachValue(docs) { i, raw in
                var v = raw
                if let rd { v = rd.round(raw) }
                else if interval != 0 {
                    let idx = (f.double(raw) / interval).rounded(.down)
                    guard idx.isFinite, abs(idx) < 9e18 else { return }
                    v = Int64(idx)
                }
                visit(i, v)
            }
        }
        if lastCounted { matched.insert(docs[lastI]) }
        if missingBucket[1] { fillMissing(docs, from: lastI + 1, to: docs.count) }
    }

    /// Docs `docs[from..<to]` had no value for the second source: the missing bucket.
    private func fillMissing(_ docs: UnsafeBufferPointer<Int32>, from: Int, to: Int) {
        guard from < to else { return }
        for i in from..<to {
            combo[1] = 0
            comboMissing[1] = true
            if countCombo() { matched.insert(docs[i]) }
        }
        comboMissing[1] = false
    }

    /// When the first source is an ascending keyword `terms` source without a missing bucket,
    /// keys come in the order of its term ordinals: walk the terms from the `after` term up,
    /// visiting each term's postings (restricted to the matched docs), and stop as soon as a full
    /// page of keys is known — every later term only makes larger keys. An export's every `after`
    /// page then reads a page's worth of documents instead of the whole segment.
    override func collectAll(_ docs: DocSet) -> Bool {
        guard size > 0, let first = readers.first, case .terms = first.spec.kind, first.spec.ascending,
              !first.spec.missingBucket, let kw = first.field.keyword, first.field.missingBytes == nil else { return false }
        var start = 0
        if let a = first.after {
            if !a.missing { start = Int(a.value) }
        }
        var o = start
        var batch: [Int32] = []
        while o < kw.termCount {
            if counts.count >= size { break }
            let ord = Int64(o)
            if width == 2 {
                batch.removeAll(keepingCapacity: true)
                kw.postings(o).forEach { doc, _ in if docs.contains(doc) { batch.append(doc) } }
                batch.withUnsafeBufferPointer { collectPairs($0, firstOrd: ord) }
            } else {
                kw.postings(o).forEach { doc, _ in
                    if docs.contains(doc) { collectDoc(doc, firstOrd: ord) }
                }
            }
            o += 1
        }
        return true
    }

    override func finish() throws(OpenSearchError) {
        prune(to: size)
        if !subs.isEmpty {
            for (wi, word) in matched.words.enumerated() where word != 0 {
                var w = word
                while w != 0 {
                    let doc = Int32(wi << 6 | w.trailingZeroBitCount)
                    w &= w &- 1
                    guard loadSources(doc) else { continue }
                    forEachCombo {
                        if let e = find().found { queue(doc, Int32(e)) }
                    }
                }
            }
        }
        try super.finish()
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.sourceFormats = readers.map { r in
            switch r.spec.kind {
            case .dateHistogram: return r.spec.value.format != nil ? r.field.format : .raw
            case .terms: return r.field.isBoolean ? .boolean : (r.field.isDate && r.spec.value.format != nil ? r.field.format : .raw)
            case .histogram: return .raw
            }
        }
        guard owner == 0 else { return .buckets(s) }
        for e in 0..<counts.count {
            var key: [CompositeValue] = []
            for src in 0..<width {
                if missing[e * width + src] { key.append(.null); continue }
                let v = values[e * width + src]
                let r = readers[src]
                switch r.spec.kind {
                case .terms where r.field.isKeywordLike: key.append(.bytes(r.field.termBytes(Int32(v))))
                case .terms: key.append(r.field.isDouble ? .double(NumericColumn.double(fromSortable: v))
                                        : r.field.isUnsigned ? .unsigned(UnsignedLong.value(v)) : .long(v))
                case .histogram(let i): key.append(.double(Double(v) * i))
                case .dateHistogram: key.append(.long(v))
                }
            }
            s.buckets.append(Bucket(key: .composite(key), docCount: counts[e], subs: subStates(Int32(e))))
        }
        return .buckets(s)
    }
}
