import Index
import JSON
import Query

/// range and date_range: ranges sorted by (from, to), each document counted once per range.
final class RangeCollector: BucketCollector {
    let source: FieldSource
    let resolved: [ResolvedRange]
    let lows: [Double]
    let highs: [Double]
    var hit: [Bool]

    init(_ spec: RangeSpec, source: FieldSource, subs: [Collector], ctx: CollectContext) throws(OpenSearchError) {
        self.source = source
        var list: [ResolvedRange] = []
        for e in spec.ranges {
            func bound(_ v: JSONValue?) throws(OpenSearchError) -> Double? {
                guard let v else { return nil }
                if source.isDate {
                    return Double(try FieldSource.stored(v, isDate: true, isBoolean: false, isDouble: false, format: source.dateFormat,
                                                         zone: spec.zone ?? .utc, now: ctx.ctx.now, field: source.field))
                }
                guard let d = v.doubleValue else { throw OpenSearchError.illegalArgument("[\(QueryValues.text(v) ?? v.tokenName)] is not a number") }
                return d
            }
            let from = try bound(e.from), to = try bound(e.to)
            let key = e.key ?? RangeCollector.key(from, to, source.format)
            list.append(ResolvedRange(key: key, from: from, to: to))
        }
        // OpenSearch sorts ranges by from, then to (stable).
        let sorted = list.enumerated().sorted { a, b in
            let fa = a.element.from ?? -.infinity, fb = b.element.from ?? -.infinity
            if fa != fb { return fa < fb }
            let ta = a.element.to ?? .infinity, tb = b.element.to ?? .infinity
            if ta != tb { return ta < tb }
            return a.offset < b.offset
        }.map(\.element)
        resolved = sorted
        lows = sorted.map { $0.from ?? -.infinity }
        highs = sorted.map { $0.to ?? .infinity }
        hit = [Bool](repeating: false, count: sorted.count)
        super.init(subs: subs)
    }

    static func key(_ from: Double?, _ to: Double?, _ format: ValueFormat) -> String {
        (from.map { format.keyText($0) } ?? "*") + "-" + (to.map { format.keyText($0) } ?? "*")
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let src = source
        let n = resolved.count
        if let col = src.numeric, !col.isMultiValued, src.missingRaw == nil {
            let isDouble = src.isDouble, isUnsigned = src.isUnsigned
            for i in 0..<docs.count {
                let d = docs[i]
                guard col.hasValue(d) else { continue }
                let raw = col.value(d)
                let v = isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw)
                let base = owners[i] &* Int32(n)
                for r in 0..<n where v >= lows[r] && v < highs[r] { emit(d, base &+ Int32(r)) }
            }
            return
        }
        let rd = src.numericReader()
        for i in 0..<docs.count {
            let doc = docs[i]
            let count = rd.load(doc)
            let base = owners[i] &* Int32(n)
            if count == 1 {
                let v = src.double(rd.raw(0))
                for r in 0..<n where v >= lows[r] && v < highs[r] { emit(doc, base &+ Int32(r)) }
            } else if count > 1 {
                // Several values: each range counts the document once.
                for r in 0..<n { hit[r] = false }
                for k in 0..<count {
                    let v = src.double(rd.raw(k))
                    for r in 0..<n where v >= lows[r] && v < highs[r] { hit[r] = true }
                }
                for r in 0..<n where hit[r] { emit(doc, base &+ Int32(r)) }
            }
        }
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.format = source.format
        s.ranges = resolved
        let n = resolved.count
        for r in 0..<n {
            let b: Int32 = owner < 0 ? -1 : owner &* Int32(n) &+ Int32(r)
            s.buckets.append(Bucket(key: .position(r), docCount: docCount(b), subs: subStates(b)))
        }
        return .buckets(s)
    }
}
