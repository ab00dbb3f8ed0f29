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
        if let m = owners.max() { ensure(m) }
        let src = source
        if countOnly && src.isKeywordLike {
            states.withUnsafeMutableBufferPointer { st in
                for i in 0..<docs.count { st[Int(owners[i])].count &+= Int64(src.loadOrds(docs[i])) }
            }
            return
        }
        let isDouble = src.isDouble
        let squares = self.squares
        if let col = src.numeric, !col.isMultiValued, src.missingRaw == nil {
            // The common case: one value per document, no missing substitute.
            states.withUnsafeMutableBufferPointer { st in
                for i in 0..<docs.count {
                    let d = docs[i]
                    guard col.hasValue(d) else { continue }
                    let raw = col.value(d)
                    st[Int(owners[i])].add(isDouble ? NumericColumn.double(fromSortable: raw) : Double(raw), squares: squares)
                }
            }
            return
        }
        states.withUnsafeMutableBufferPointer { st in
            for i in 0..<docs.count {
                let n = src.loadNumeric(docs[i])
                for k in 0..<n { st[Int(owners[i])].add(src.double(src.scratch[k]), squares: squares) }
            }
        }
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
            let w = weight.double(weight.scratch[0])
            let nv = value.loadNumeric(docs[i])
            var st = states[o]
            for k in 0..<nv {
                let v = value.double(value.scratch[k])
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
    let source: FieldSource
    let precision: Int
    var sketches: [CardinalitySketch] = []
    /// Keyword fields: per owner, which ordinals occurred.
    var ordSets: [[UInt64]] = []
    var useOrdSets: Bool
    let words: Int

    init(_ source: FieldSource, precision: Int) {
        self.source = source
        self.precision = precision
        words = (source.ordinalSpace + 63) >> 6
        useOrdSets = source.isKeywordLike
    }

    @inline(__always) func ensure(_ owner: Int32) {
        let o = Int(owner)
        if useOrdSets {
            if o >= ordSets.count {
                ordSets.append(contentsOf: repeatElement([], count: o + 1 - ordSets.count))
                // Past ~16 MB of bitsets, hash straight into sketches instead.
                if ordSets.count * words > (1 << 21) { switchToSketches() }
            }
        } else if o >= sketches.count {
            sketches.append(contentsOf: repeatElement(CardinalitySketch(precision: precision), count: o + 1 - sketches.count))
        }
    }

    private func switchToSketches() {
        let sets = ordSets
        useOrdSets = false
        ordSets = []
        for (o, set) in sets.enumerated() {
            ensure(Int32(o))
            fold(set, into: &sketches[o])
        }
    }

    private var ordHashes: [UInt64] = []
    private var ordHashed: [Bool] = []

    @inline(__always) func hash(ord: Int32) -> UInt64 {
        let o = Int(ord)
        if ordHashes.isEmpty {
            ordHashes = [UInt64](repeating: 0, count: source.ordinalSpace)
            ordHashed = [Bool](repeating: false, count: source.ordinalSpace)
        }
        if !ordHashed[o] {
            ordHashes[o] = Hashing.murmur3_64(source.termBytes(ord))
            ordHashed[o] = true
        }
        return ordHashes[o]
    }

    private func fold(_ set: [UInt64], into sketch: inout CardinalitySketch) {
        for (wi, word) in set.enumerated() where word != 0 {
            var w = word
            while w != 0 {
                sketch.add(hash(ord: Int32(wi << 6 | w.trailingZeroBitCount)))
                w &= w &- 1
            }
        }
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        if src.isKeywordLike {
            for i in 0..<docs.count {
                let owner = owners[i]
                ensure(owner)
                let n = src.loadOrds(docs[i])
                if useOrdSets {
                    let o = Int(owner)
                    if ordSets[o].isEmpty { ordSets[o] = [UInt64](repeating: 0, count: words) }
                    for k in 0..<n {
                        let ord = Int(src.ordScratch[k])
                        ordSets[o][ord >> 6] |= 1 << UInt64(ord & 63)
                    }
                } else {
                    for k in 0..<n { sketches[Int(owner)].add(hash(ord: src.ordScratch[k])) }
                }
            }
            return
        }
        for i in 0..<docs.count {
            let owner = owners[i]
            ensure(owner)
            let n = src.loadNumeric(docs[i])
            for k in 0..<n {
                // OpenSearch hashes a double's bits and a long's value with the same mixer.
                let raw = src.scratch[k]
                let bits = src.isDouble ? Int64(bitPattern: NumericColumn.double(fromSortable: raw).bitPattern) : raw
                sketches[Int(owner)].add(Hashing.mix64(bits))
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        let o = Int(owner)
        var sketch = CardinalitySketch(precision: precision)
        if useOrdSets {
            if o >= 0 && o < ordSets.count { fold(ordSets[o], into: &sketch) }
        } else if o >= 0 && o < sketches.count {
            sketch = sketches[o]
        }
        return .cardinality(sketch)
    }
}

/// percentiles and percentile_ranks: one t-digest per owning bucket.
final class PercentilesCollector: Collector {
    let source: FieldSource
    let compression: Double
    var digests: [TDigest] = []

    init(_ source: FieldSource, compression: Double) {
        self.source = source
        self.compression = compression
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        if let m = owners.max(), Int(m) >= digests.count {
            digests.append(contentsOf: repeatElement(TDigest(compression: compression), count: Int(m) + 1 - digests.count))
        }
        let src = source
        for i in 0..<docs.count {
            let n = src.loadNumeric(docs[i])
            for k in 0..<n { digests[Int(owners[i])].add(src.double(src.scratch[k])) }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var d = owner >= 0 && Int(owner) < digests.count ? digests[Int(owner)] : TDigest(compression: compression)
        d.compress()
        return .digest(d, source.format)
    }
}
