import Index
import JSON
import Query

/// top_hits: per owning bucket the best `from + size` documents by the requested sort (score by
/// default); the kept hits are fetched (`_id`, `_source`, …) when the segment's state is built.
final class TopHitsCollector: Collector {
    struct Candidate {
        var keys: [SortKey]   // keyword keys hold the segment ordinal as .int until fetched
        var score: Float
        var doc: Int32
    }

    let spec: TopHitsSpec
    let ctx: CollectContext
    let sort: [TopHitsSpec.Sort]
    let sources: [FieldSource?]
    let keep: Int
    var perOwner: [[Candidate]] = []
    var totals: [Int64] = []
    var maxScores: [Float] = []

    init(_ spec: TopHitsSpec, ctx: CollectContext) throws(OpenSearchError) {
        self.spec = spec
        self.ctx = ctx
        sort = spec.sort.isEmpty ? [.init(target: .score, descending: true)] : spec.sort
        var sources: [FieldSource?] = []
        for s in sort {
            if case .field(let f) = s.target {
                sources.append(try FieldSource(ValueSource(field: f), ctx, agg: "top_hits", type: "top_hits", numericOnly: false))
            } else {
                sources.append(nil)
            }
        }
        self.sources = sources
        keep = spec.from + spec.size
    }

    func key(_ i: Int, _ doc: Int32, _ score: Float) -> SortKey {
        switch sort[i].target {
        case .score: return .double(Double(score))
        case .doc: return .int(Int64(doc))
        case .field:
            guard let src = sources[i] else { return .missing }
            if src.isKeywordLike {
                let n = src.loadOrds(doc)
                guard n > 0 else { return .missing }
                var best = src.ord(0)
                for k in 1..<n { best = sort[i].descending ? max(best, src.ord(k)) : min(best, src.ord(k)) }
                return .int(Int64(best))
            }
            let n = src.loadNumeric(doc)
            guard n > 0 else { return .missing }
            var raw = src.raw(0)
            for k in 1..<n { raw = sort[i].descending ? max(raw, src.raw(k)) : min(raw, src.raw(k)) }
            return src.isDouble ? .double(NumericColumn.double(fromSortable: raw)) : .int(raw)
        }
    }

    /// Ascending comparison of two keys under sort `s` (missing last unless asked first).
    static func compare(_ a: SortKey, _ b: SortKey, _ s: TopHitsSpec.Sort) -> Int {
        if a == b { return 0 }
        let missingFirst = s.missingFirst ?? false
        if a == .missing { return missingFirst ? -1 : 1 }
        if b == .missing { return missingFirst ? 1 : -1 }
        let less: Bool
        switch (a, b) {
        case (.int(let x), .int(let y)): less = x < y
        case (.double(let x), .double(let y)): less = x < y
        case (.int(let x), .double(let y)): less = Double(x) < y
        case (.double(let x), .int(let y)): less = x < Double(y)
        case (.string(let x), .string(let y)): less = x.lexicographicallyPrecedes(y)
        default: less = false
        }
        return (less != s.descending) ? -1 : 1
    }

    static func before(_ a: [SortKey], _ b: [SortKey], _ sort: [TopHitsSpec.Sort]) -> Int {
        for (i, s) in sort.enumerated() {
            let c = compare(a[i], b[i], s)
            if c != 0 { return c }
        }
        return 0
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let scores = ctx.scores
        for i in 0..<docs.count {
            let doc = docs[i]
            let o = Int(owners[i])
            if o >= perOwner.count {
                let n = o + 1 - perOwner.count
                perOwner.append(contentsOf: repeatElement([], count: n))
                totals.append(contentsOf: repeatElement(0, count: n))
                maxScores.append(contentsOf: repeatElement(-.infinity, count: n))
            }
            let score = scores.map { Int(doc) < $0.count ? $0[Int(doc)] : 1 } ?? 1
            totals[o] += 1
            if score > maxScores[o] { maxScores[o] = score }
            guard keep > 0 else { continue }
            let keys = (0..<sort.count).map { key($0, doc, score) }
            perOwner[o].append(Candidate(keys: keys, score: score, doc: doc))
            if perOwner[o].count >= 2 * keep + 16 { trim(o) }
        }
    }

    func trim(_ o: Int) {
        let s = sort
        perOwner[o].sort { a, b in
            let c = TopHitsCollector.before(a.keys, b.keys, s)
            return c != 0 ? c < 0 : a.doc < b.doc
        }
        if perOwner[o].count > keep { perOwner[o].removeLast(perOwner[o].count - keep) }
    }

    override func state(_ owner: Int32) -> AggState {
        let o = Int(owner)
        guard o >= 0, o < perOwner.count else { return .topHits(TopHitsState()) }
        trim(o)
        var st = TopHitsState()
        st.total = totals[o]
        st.maxScore = maxScores[o]
        let seg = ctx.segment
        let scoreSort = sort.first?.target == .score
        for c in perOwner[o] {
            var keys = c.keys
            for (i, s) in sort.enumerated() {
                if case .field = s.target, let src = sources[i], src.isKeywordLike, case .int(let ord) = keys[i] {
                    keys[i] = .string(src.termBytes(Int32(ord)))
                }
            }
            var hit = JSONObject()
            hit["_index"] = .string(ctx.ctx.indexName)
            hit["_id"] = .string(seg.id(of: c.doc))
            if spec.version { hit["_version"] = .int(seg.version(of: c.doc)) }
            if spec.seqNoPrimaryTerm {
                hit["_seq_no"] = .int(seg.seqNo(of: c.doc))
                hit["_primary_term"] = .int(seg.primaryTerm(of: c.doc))
            }
            hit["_score"] = scoreSort || spec.trackScores || !spec.sort.isEmpty && spec.sort.contains { $0.target == .score }
                ? .double(Double(c.score)) : .null
            if let src = SourceFilterSpec.apply(spec.source, seg.source(of: c.doc)) { hit["_source"] = src }
            if !spec.sort.isEmpty { hit["sort"] = .array(keys.map(\.json)) }
            st.hits.append(TopHit(sortValues: keys, score: c.score, tiebreak: (seg.path, c.doc), hit: hit))
        }
        return .topHits(st)
    }
}

/// `_source` includes/excludes for `top_hits` hits.
enum SourceFilterSpec {
    static func apply(_ spec: SourceSpec, _ bytes: [UInt8]) -> JSONValue? {
        switch spec {
        case .none: return nil
        case .all: return try? JSONParser.parse(bytes)
        case .filter(let inc, let exc):
            guard let doc = try? JSONParser.parse(bytes) else { return nil }
            if inc.isEmpty && exc.isEmpty { return doc }
            return filter(doc, prefix: "", includes: inc, excludes: exc) ?? .object(JSONObject())
        }
    }

    static func filter(_ v: JSONValue, prefix: String, includes: [String], excludes: [String]) -> JSONValue? {
        guard case .object(let o) = v else { return v }
        var out = JSONObject()
        for (k, child) in o {
            let path = prefix.isEmpty ? k : prefix + "." + k
            if excludes.contains(where: { Wildcard.matches($0, path) }) { continue }
            let included = includes.isEmpty || includes.contains { Wildcard.matches($0, path) || Wildcard.matches($0, path + ".*") && $0.hasSuffix("*") }
            if included {
                if case .object = child, !excludes.isEmpty {
                    if let f = filter(child, prefix: path, includes: [], excludes: excludes) { out[k] = f }
                } else {
                    out[k] = child
                }
                continue
            }
            // A descendant may be included.
            let mayDescend = includes.contains { $0.hasPrefix(path + ".") || $0.hasPrefix("*") || ($0.contains("*") && Wildcard.matches(String($0.prefix(while: { $0 != "*" })) + "*", path + ".")) }
            guard mayDescend else { continue }
            switch child {
            case .object:
                if let f = filter(child, prefix: path, includes: includes, excludes: excludes), case .object(let fo) = f, !fo.isEmpty { out[k] = f }
            case .array(let a):
                let kept = a.compactMap { e -> JSONValue? in
                    guard case .object = e else { return nil }
                    guard let f = filter(e, prefix: path, includes: includes, excludes: excludes), case .object(let fo) = f, !fo.isEmpty else { return nil }
                    return f
                }
                if !kept.isEmpty { out[k] = .array(kept) }
            default: break
            }
        }
        return .object(out)
    }
}
