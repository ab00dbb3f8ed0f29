import Index
import JSON

/// avg, sum, min, max, value_count, stats and extended_stats over a numeric field (value_count
/// also over keywords: it counts values).
final class NumericMetricCollector: Collector {
    let source: FieldSource
    let squares: Bool
    let countOnly: Bool
    var states: [MetricState] = []

    init(_ source: FieldSource, kind: MetricKind) {
        self.source = source
        if case .extendedStats = kind { squares = true } else { squares = false }
        countOnly = kind == .valueCount
    }

    @inline(__always) func ensure(_ owner: Int32) {
        if Int(owner) >= states.count {
            var blank = MetricState()
            blank.format = source.format
            states.append(contentsOf: repeatElement(blank, count: Swift.max(Int(owner) + 1, states.count * 2) - states.count))
        }
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        guard let maxOwner = owners.max() else { return }
        ensure(maxOwner)
        let src = source
        if countOnly && src.isKeywordLike {
            states.withUnsafeMutableBufferPointer { st in
                src.forEachOrd(docs) { i, _ in st[Int(owners[i])].count &+= 1 }
            }
            return
        }
        let isDouble = src.isDouble, isUnsigned = src.isUnsigned
        let squares = self.squares
        if maxOwner == 0 && !squares {
            collectSingleOwner(docs)
            return
        }
        if maxOwner == 0 {
            // One bucket: accumulate in a local (registers), not through the states array.
            var s = states[0]
            src.forEachValue(docs) { _, raw in
                s.add(isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw), squares: squares)
            }
            states[0] = s
            return
        }
        states.withUnsafeMutableBufferPointer { st in
            src.forEachValue(docs) { i, raw in
                st[Int(owners[i])].add(isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw), squares: squares)
            }
        }
    }

    /// Values of one batch, decoded before they are summed.
    private var scratch = UnsafeMutablePointer<Double>.allocate(capacity: 0)
    private var scratchCapacity = 0

    deinit { scratch.deallocate() }

    /// One owning bucket (top-level or below single-bucket aggregations): decode the batch into
    /// a buffer, then sum it in four compensated lanes. One Kahan chain is four dependent
    /// additions per value; four lanes let them overlap, and the lanes' sums and compensations
    /// are folded into the state compensated too.
    private func collectSingleOwner(_ docs: UnsafeBufferPointer<Int32>) {
        let src = source
        let isDouble = src.isDouble, isUnsigned = src.isUnsigned
        if scratchCapacity < docs.count {
            scratch.deallocate()
            scratchCapacity = Swift.max(1024, docs.count)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var n = 0
        var cap = scratchCapacity
        var work = scratch
        var values = UnsafePointer(work)
        if let decoded = src.sharedDoubles(docs, into: work) {
            n = decoded.count
            values = decoded.baseAddress ?? values
        } else {
            src.forEachValue(docs) { _, raw in
                if n == cap {
                    let bigger = Swift.max(1024, cap * 2)
                    let p = UnsafeMutablePointer<Double>.allocate(capacity: bigger)
                    p.moveInitialize(from: work, count: n)
                    work.deallocate()
                    work = p
                    cap = bigger
                }
                work[n] = isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw)
                n &+= 1
            }
            scratch = work
            scratchCapacity = cap
            values = UnsafePointer(work)
        }
        guard n > 0 else { return }
        let buf = values
        var s = states[0]
        var lo = s.min, hi = s.max
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0
        @inline(__always) func lane(_ sum: inout Double, _ comp: inout Double, _ v: Double) {
            let corrected = v - comp
            let t = sum + corrected
            comp = (t - sum) - corrected
            sum = t
        }
        var j = 0
        while j &+ 4 <= n {
            let a = buf[j], b = buf[j &+ 1], c = buf[j &+ 2], d = buf[j &+ 3]
            lane(&s0, &c0, a); lane(&s1, &c1, b); lane(&s2, &c2, c); lane(&s3, &c3, d)
            lo = Swift.min(lo, Swift.min(Swift.min(a, b), Swift.min(c, d)))
            hi = Swift.max(hi, Swift.max(Swift.max(a, b), Swift.max(c, d)))
            j &+= 4
        }
        while j < n {
            let v = buf[j]
            lane(&s0, &c0, v)
            lo = Swift.min(lo, v); hi = Swift.max(hi, v)
            j &+= 1
        }
        if lo.isFinite && hi.isFinite {
            s.count &+= Int64(n)
            for (sum, comp) in [(s0, c0), (s1, c1), (s2, c2), (s3, c3)] {
                MetricState.kahan(&s.sum, &s.sumCompensation, sum)
                MetricState.kahan(&s.sum, &s.sumCompensation, -comp)
            }
            s.min = lo
            s.max = hi
        } else {
            // Infinities: the plain per-value path keeps their semantics.
            for k in 0..<n { s.add(buf[k], squares: false) }
        }
        states[0] = s
    }

    override func state(_ owner: Int32) -> AggState {
        if owner >= 0 && Int(owner) < states.count { return .metric(states[Int(owner)]) }
        var s = MetricState()
        s.format = source.format
        return .metric(s)
    }
}

/// weighted_avg: Σ value·weight / Σ weight over documents having both (or their `missing`).
final class WeightedAvgCollector: Collector {
    let value: FieldSource
    let weight: FieldSource
    let format: ValueFormat
    var states: [MetricState] = []

    init(value: FieldSource, weight: FieldSource, format: ValueFormat) {
        self.value = value
        self.weight = weight
        self.format = format
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        for i in 0..<docs.count {
            let o = Int(owners[i])
            if o >= states.count { states.append(contentsOf: repeatElement(MetricState(), count: o + 1 - states.count)) }
            let nw = weight.loadNumeric(docs[i])
            guard nw > 0 else { continue }
            if nw > 1 { continue }  // OpenSearch rejects multi-valued weights; skip rather than fail
            let w = weight.double(weight.raw(0))
            let nv = value.loadNumeric(docs[i])
            var st = states[o]
            for k in 0..<nv {
                let v = value.double(value.raw(k))
                st.count += 1
                MetricState.kahan(&st.sum, &st.sumCompensation, v * w)
                MetricState.kahan(&st.weight, &st.weightCompensation, w)
            }
            states[o] = st
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = owner >= 0 && Int(owner) < states.count ? states[Int(owner)] : MetricState()
        s.format = format
        return .metric(s)
    }
}

/// cardinality: per owning bucket, a bitset of keyword ordinals (hashed once per segment at the
/// end) while that stays small, else a sketch fed with hashes directly.
final class CardinalityCollector: Collector {
    struct State {
        var sketches: [CardinalitySketch] = []
        /// Keyword fields: per owner, `words` words of ordinal bits, owner after owner.
        var bits: [UInt64] = []
        var owners = 0
        var useOrdSets: Bool
        var ordHashes: [UInt64] = []
        var ordHashed: [Bool] = []
        /// Reads keyword terms for hashing without building Strings.
        var cursor: TermDictionary.Cursor?
    }

    let source: FieldSource
    let precision: Int
    let words: Int
    let st: Box<State>

    init(_ source: FieldSource, precision: Int) {
        self.source = source
        self.precision = precision
        words = Swift.max(1, (source.ordinalSpace + 63) >> 6)
        st = Box(State(useOrdSets: source.isKeywordLike, cursor: source.keyword?.termCursor()))
    }

    @inline(__always) func ensure(_ owner: Int32) {
        let s = st.p
        let o = Int(owner)
        if s.pointee.useOrdSets {
            if o >= s.pointee.owners {
                // Past ~16 MB of bitsets, hash straight into sketches instead.
                if (o + 1) * words > (1 << 21) { switchToSketches() } else {
                    s.pointee.bits.append(contentsOf: repeatElement(0, count: (o + 1 - s.pointee.owners) * words))
                    s.pointee.owners = o + 1
                    return
                }
            } else {
                return
            }
        }
        if o >= s.pointee.sketches.count {
            s.pointee.sketches.append(contentsOf: repeatElement(CardinalitySketch(precision: precision), count: o + 1 - s.pointee.sketches.count))
        }
    }

    private func switchToSketches() {
        let s = st.p
        let bits = s.pointee.bits, owners = s.pointee.owners
        s.pointee.useOrdSets = false
        s.pointee.bits = []
        s.pointee.owners = 0
        s.pointee.sketches = (0..<owners).map { o in
            var sketch = CardinalitySketch(precision: precision)
            fold(bits[(o * words)..<((o + 1) * words)], into: &sketch)
            return sketch
        }
    }

    @inline(__always) func hash(ord: Int32) -> UInt64 {
        let s = st.p
        let o = Int(ord)
        if s.pointee.ordHashes.isEmpty {
            s.pointee.ordHashes = [UInt64](repeating: 0, count: source.ordinalSpace)
            s.pointee.ordHashed = [Bool](repeating: false, count: source.ordinalSpace)
        }
        if !s.pointee.ordHashed[o] {
            if s.pointee.cursor != nil, o < source.termCount {
                s.pointee.ordHashes[o] = s.pointee.cursor!.withBytes(o) { Hashing.murmur3_64($0) }
            } else {
                s.pointee.ordHashes[o] = source.termHash(ord)
            }
            s.pointee.ordHashed[o] = true
        }
        return s.pointee.ordHashes[o]
    }

    private func fold(_ set: ArraySlice<UInt64>, into sketch: inout CardinalitySketch) {
        let base = set.startIndex
        var bits = 0
        for w in set { bits &+= w.nonzeroBitCount }
        if bits > sketch.exactLimit { sketch.useRegisters() } else { sketch.reserve(bits) }
        for wi in set.indices where set[wi] != 0 {
            var w = set[wi]
            while w != 0 {
                sketch.add(hash(ord: Int32((wi - base) << 6 | w.trailingZeroBitCount)))
                w &= w &- 1
            }
        }
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let s = st.p
        if let m = owners.max() { ensure(m) }
        if src.isKeywordLike {
            if s.pointee.useOrdSets {
                let words = self.words
                s.pointee.bits.withUnsafeMutableBufferPointer { bits in
                    src.forEachOrd(docs) { i, ord in
                        let o = Int(ord)
                        bits[Int(owners[i]) &* words &+ (o >> 6)] |= 1 << UInt64(o & 63)
                    }
                }
            } else {
                src.forEachOrd(docs) { i, ord in s.pointee.sketches[Int(owners[i])].add(hash(ord: ord)) }
            }
            return
        }
        let isDouble = src.isDouble
        s.pointee.sketches.withUnsafeMutableBufferPointer { sk in
            src.forEachValue(docs) { i, raw in
                // OpenSearch hashes a double's bits and a long's value with the same mixer.
                let bits = isDouble ? Int64(bitPattern: NumericColumn.double(fromSortable: raw).bitPattern) : raw
                sk[Int(owners[i])].add(Hashing.mix64(bits))
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        let s = st.p
        let o = Int(owner)
        var sketch = CardinalitySketch(precision: precision)
        if s.pointee.useOrdSets {
            if o >= 0 && o < s.pointee.owners { fold(s.pointee.bits[(o * words)..<((o + 1) * words)], into: &sketch) }
        } else if o >= 0 && o < s.pointee.sketches.count {
            sketch = s.pointee.sketches[o]
        }
        return .cardinality(sketch)
    }
}

/// percentiles and percentile_ranks: one t-digest per owning bucket. A single-bucket collector
/// over an integral column with a narrow value range (latencies in milliseconds) counts each value
/// exactly and feeds the digest one weighted point per distinct value at the end: a few thousand
/// digest inserts per segment instead of one per document, and no less accurate.
final class PercentilesCollector: Collector {
    let source: FieldSource
    let compression: Double
    var digests: [TDigest] = []
    /// Exact counts of `value − denseBase`, when counting densely.
    var dense: [Int64]?
    let denseBase: Int64
    static let maxDenseSpan: Int64 = 1 << 16

    init(_ source: FieldSource, compression: Double, singleOwner: Bool) {
        self.source = source
        self.compression = compression
        var base: Int64 = 0
        if singleOwner, !source.isDouble, !source.isUnsigned, let col = source.numeric, col.valueCount > 0 {
            var lo = col.minValue, hi = col.maxValue
            if let m = source.missingRaw { lo = Swift.min(lo, m); hi = Swift.max(hi, m) }
            let (span, overflow) = hi.subtractingReportingOverflow(lo)
            if !overflow, span < PercentilesCollector.maxDenseSpan {
                dense = [Int64](repeating: 0, count: Int(span) + 1)
                base = lo
            }
        }
        denseBase = base
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        if dense != nil {
            let base = denseBase
            dense!.withUnsafeMutableBufferPointer { counts in
                source.forEachValue(docs) { _, raw in counts[Int(raw &- base)] &+= 1 }
            }
            return
        }
        if let m = owners.max(), Int(m) >= digests.count {
            digests.append(contentsOf: repeatElement(TDigest(compression: compression), count: Int(m) + 1 - digests.count))
        }
        let src = source
        let isDouble = src.isDouble, isUnsigned = src.isUnsigned
        digests.withUnsafeMutableBufferPointer { dg in
            src.forEachValue(docs) { i, raw in
                dg[Int(owners[i])].add(isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw))
            }
        }
    }

    override func finish() throws(OpenSearchError) {
        guard let counts = dense else { return }
        dense = nil
        var d = TDigest(compression: compression)
        for (i, n) in counts.enumerated() where n > 0 { d.add(Double(denseBase &+ Int64(i)), weight: Double(n)) }
        digests = [d]
    }

    override func state(_ owner: Int32) -> AggState {
        var d = owner >= 0 && Int(owner) < digests.count ? digests[Int(owner)] : TDigest(compression: compression)
        d.compress()
        return .digest(d, source.format)
    }
}
