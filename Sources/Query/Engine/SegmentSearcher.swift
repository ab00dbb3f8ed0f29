import Foundation
import Index
import JSON

/// Executes a `Query` against one segment: postings for terms, doc values for ranges, bitsets for
/// boolean logic, BM25 for scoring. Returns the matching live documents and, when asked, their scores.
public struct SegmentSearcher {
    public let segment: Segment
    public let liveDocs: LiveDocs?
    public let mapping: Mapping
    public let stats: IndexStatistics
    public let now: Int64
    let docCount: Int

    public init(segment: Segment, liveDocs: LiveDocs?, mapping: Mapping, stats: IndexStatistics, now: Int64) {
        self.segment = segment
        self.liveDocs = liveDocs
        self.mapping = mapping
        self.stats = stats
        self.now = now
        self.docCount = segment.docCount
    }

    /// The result of one query node: matching docs, and per-doc scores when scoring.
    public struct Result {
        public var docs: DocSet
        public var scores: [Float]?
    }

    /// Matching live documents of `query`; `scoring` requests BM25 scores.
    public func search(_ query: Query, scoring: Bool) throws(OpenSearchError) -> Result {
        var r = try execute(query, scoring: scoring)
        if let l = liveDocs { r.docs.intersect(liveWords: l.words) }
        return r
    }

    func empty() -> Result { Result(docs: DocSet(capacity: docCount), scores: nil) }

    func constant(_ docs: DocSet, _ boost: Double, scoring: Bool) -> Result {
        guard scoring else { return Result(docs: docs, scores: nil) }
        var scores = [Float](repeating: 0, count: docCount)
        let b = Float(boost)
        docs.forEach { scores[Int($0)] = b; return true }
        return Result(docs: docs, scores: scores)
    }

    func execute(_ q: Query, scoring: Bool) throws(OpenSearchError) -> Result {
        switch q {
        case .matchAll(let m): return constant(DocSet(capacity: docCount, full: true), m.boost, scoring: scoring)
        case .matchNone: return empty()
        case .term(let t): return constant(try termDocs(t.field, t.value, caseInsensitive: t.caseInsensitive), t.boost, scoring: scoring)
        case .terms(let t):
            var set = DocSet(capacity: docCount)
            for v in t.values { set.formUnion(try termDocs(t.field, v, caseInsensitive: false)) }
            return constant(set, t.boost, scoring: scoring)
        case .range(let r): return constant(try rangeDocs(r), r.boost, scoring: scoring)
        case .exists(let e): return constant(try existsDocs(e.field), e.boost, scoring: scoring)
        case .ids(let i):
            var set = DocSet(capacity: docCount)
            for id in i.values { if let d = segment.docID(for: id) { set.insert(d) } }
            return constant(set, i.boost, scoring: scoring)
        case .prefix(let p):
            try requireStringField(p.field, "prefix")
            let v = p.caseInsensitive ? p.value.lowercased() : p.value
            return constant(termsMatching(p.field, prefix: p.caseInsensitive ? "" : v) { t in
                p.caseInsensitive ? t.lowercased().hasPrefix(v) : t.hasPrefix(v)
            }, p.boost, scoring: scoring)
        case .wildcard(let w):
            try requireStringField(w.field, "wildcard")
            let pattern = w.caseInsensitive ? w.pattern.lowercased() : w.pattern
            return constant(termsMatching(w.field, prefix: w.caseInsensitive ? "" : pattern.literalPrefix) { t in
                pattern.matches(w.caseInsensitive ? t.lowercased() : t)
            }, w.boost, scoring: scoring)
        case .regexp(let r):
            try requireStringField(r.field, "regexp")
            return constant(termsMatching(r.field, prefix: "") { t in r.pattern.matches(t, caseInsensitive: r.caseInsensitive) }, r.boost, scoring: scoring)
        case .match(let m): return try match(m, scoring: scoring)
        case .matchPhrase(let p): return try phrase(p.field, p.query, slop: p.slop, boost: p.boost, scoring: scoring)
        case .multiMatch(let m): return try execute(m.expand(mapping: mapping), scoring: scoring)
        case .queryString(let qs): return try execute(try qs.expand(mapping: mapping), scoring: scoring)
        case .simpleQueryString(let qs): return try execute(try qs.expand(mapping: mapping), scoring: scoring)
        case .bool(let b): return try bool(b, scoring: scoring)
        case .constantScore(let c):
            let inner = try execute(c.filter, scoring: false)
            return constant(inner.docs, c.boost, scoring: scoring)
        case .disMax(let d):
            var docs = DocSet(capacity: docCount)
            var best = scoring ? [Float](repeating: 0, count: docCount) : nil
            var sum = scoring ? [Float](repeating: 0, count: docCount) : nil
            for sub in d.queries {
                let r = try execute(sub, scoring: scoring)
                docs.formUnion(r.docs)
                if let s = r.scores {
                    r.docs.forEach { doc in
                        let i = Int(doc)
                        best![i] = max(best![i], s[i]); sum![i] += s[i]
                        return true
                    }
                }
            }
            guard scoring, var b = best, let s = sum else { return Result(docs: docs, scores: nil) }
            let tie = Float(d.tieBreaker), boost = Float(d.boost)
            for i in b.indices where s[i] > 0 { b[i] = (b[i] + tie * (s[i] - b[i])) * boost }
            return Result(docs: docs, scores: b)
        }
    }

    // MARK: field kinds

    enum Kind { case keyword, text, numeric(FieldType), unknown }

    func kind(_ field: String) -> Kind {
        guard let f = mapping.field(field) else {
            if segment.keyword(field) != nil { return .keyword }
            if segment.text(field) != nil { return .text }
            if segment.numeric(field) != nil { return .numeric(.long) }
            return .unknown
        }
        switch f.type {
        case .keyword, .ip, .constantKeyword, .wildcard: return .keyword
        case .text, .matchOnlyText: return .text
        case .long, .integer, .short, .byte, .unsignedLong, .double, .float, .halfFloat, .scaledFloat, .date, .dateNanos, .boolean:
            return .numeric(f.type)
        default: return .unknown
        }
    }

    /// prefix, wildcard and regexp only apply to string fields, as in OpenSearch.
    func requireStringField(_ field: String, _ query: String) throws(OpenSearchError) {
        guard let f = mapping.field(field) else { return }
        switch f.type {
        case .keyword, .text, .wildcard, .constantKeyword, .matchOnlyText: return
        default:
            throw OpenSearchError("query_shard_exception", "Can only use \(query) queries on keyword, text and wildcard fields - not on [\(field)] which is of type [\(f.type.rawValue)]", status: 400)
        }
    }

    // MARK: term-level

    func postingsDocs(_ p: Postings, into set: inout DocSet) {
        p.forEach { doc, _ in set.insert(doc) }
    }

    func termDocs(_ field: String, _ value: JSONValue, caseInsensitive: Bool) throws(OpenSearchError) -> DocSet {
        var set = DocSet(capacity: docCount)
        if field == "_id" {
            if let id = value.stringValue ?? value.int64Value.map(String.init), let d = segment.docID(for: id) { set.insert(d) }
            return set
        }
        switch kind(field) {
        case .keyword:
            guard let k = segment.keyword(field), let text = QueryValues.text(value) else { return set }
            if caseInsensitive {
                let lower = text.lowercased()
                for o in 0..<k.termCount where k.term(o).lowercased() == lower { postingsDocs(k.postings(o), into: &set) }
            } else if let o = k.ord(of: text) {
                postingsDocs(k.postings(o), into: &set)
            }
        case .text:
            guard let t = segment.text(field), let text = QueryValues.text(value) else { return set }
            if let o = t.ord(of: caseInsensitive ? text.lowercased() : text) { postingsDocs(t.postings(o), into: &set) }
        case .numeric(let type):
            guard let col = segment.numeric(field) else { return set }
            let v = try QueryValues.numeric(value, type: type, field: field, mapping: mapping, now: now, roundUp: false)
            col.forEachDoc(inRange: v, v) { set.insert($0) }
        case .unknown:
            break
        }
        return set
    }

    func rangeDocs(_ r: RangeQuery) throws(OpenSearchError) -> DocSet {
        var set = DocSet(capacity: docCount)
        switch kind(r.field) {
        case .numeric(let type):
            guard let col = segment.numeric(r.field) else { return set }
            guard let (lo, hi) = try QueryValues.bounds(r, type: type, mapping: mapping, now: now) else { return set }
            if lo > hi || hi < col.minValue || lo > col.maxValue { return set }
            if !col.isMultiValued && col.docsWithValue == docCount {
                // Zones entirely inside the range need no per-document check (a day's index under
                // "last 7 days" is one such block after another).
                for z in 0..<col.zoneCount {
                    let start = z << 12, end = min(docCount, start + NumericColumn.zoneSize)
                    let zmin = col.zoneMin(z), zmax = col.zoneMax(z)
                    if zmax < lo || zmin > hi { continue }
                    if zmin >= lo && zmax <= hi { set.insertRange(start, end); continue }
                    for d in start..<end {
                        let v = col.value(Int32(d))
                        if v >= lo && v <= hi { set.insert(Int32(d)) }
                    }
                }
                return set
            }
            col.forEachDoc(inRange: lo, hi) { set.insert($0) }
        case .keyword, .text:
            let k = segment.keyword(r.field)
            let t = k == nil ? segment.text(r.field) : nil
            let lower = (r.gte ?? r.gt).flatMap(QueryValues.text)
            let upper = (r.lte ?? r.lt).flatMap(QueryValues.text)
            let count = k?.termCount ?? t?.termCount ?? 0
            for o in 0..<count {
                let term = k?.term(o) ?? t!.term(o)
                if let l = lower { if r.gt != nil ? term <= l : term < l { continue } }
                if let u = upper { if r.lt != nil ? term >= u : term > u { break } }
                postingsDocs(k?.postings(o) ?? t!.postings(o), into: &set)
            }
        case .unknown:
            break
        }
        return set
    }

    func existsDocs(_ field: String) throws(OpenSearchError) -> DocSet {
        var set = DocSet(capacity: docCount)
        switch field {
        case "_id", "_index", "_seq_no", "_version", "_primary_term":
            return DocSet(capacity: docCount, full: true)
        case "_routing":
            for d in 0..<Int32(docCount) where segment.routing(of: d) != nil { set.insert(d) }
            return set
        case "_source":
            throw OpenSearchError("query_shard_exception", "the _source field is not searchable", status: 400)
        default: break
        }
        let fields = segment.fieldNames.filter { $0 == field || $0.hasPrefix(field + ".") }
        for f in fields {
            if let col = segment.numeric(f) {
                for d in 0..<Int32(docCount) where col.hasValue(d) { set.insert(d) }
            } else if let k = segment.keyword(f) {
                for d in 0..<Int32(docCount) where !set.contains(d) && k.firstOrd(d) >= 0 { set.insert(d) }
            } else if let t = segment.text(f) {
                for d in 0..<Int32(docCount) where !set.contains(d) && t.fieldLength(d) > 0 { set.insert(d) }
            }
        }
        return set
    }

    /// Union of the postings of every term of `field` accepted by `accept`, scanning from `prefix`.
    func termsMatching(_ field: String, prefix: String, _ accept: (String) -> Bool) -> DocSet {
        var set = DocSet(capacity: docCount)
        if let k = segment.keyword(field) {
            for o in (prefix.isEmpty ? 0..<k.termCount : k.ords(startingWith: prefix)) where accept(k.term(o)) { postingsDocs(k.postings(o), into: &set) }
        } else if let t = segment.text(field) {
            for o in (prefix.isEmpty ? 0..<t.termCount : t.ords(startingWith: prefix)) where accept(t.term(o)) { postingsDocs(t.postings(o), into: &set) }
        }
        return set
    }

    // MARK: full text

    func match(_ m: MatchQuery, scoring: Bool) throws(OpenSearchError) -> Result {
        guard let text = QueryValues.text(m.query) else { return empty() }
        switch kind(m.field) {
        case .text:
            let tokens = QueryAnalyzer.tokens(text)
            if tokens.isEmpty { return m.zeroTermsQuery == .all ? constant(DocSet(capacity: docCount, full: true), m.boost, scoring: scoring) : empty() }
            let required: Int
            if m.operator == .and { required = Set(tokens).count }
            else { required = max(1, m.minimumShouldMatch?.required(optionalClauses: tokens.count) ?? 1) }
            return scoreTerms(m.field, tokens, required: required, boost: m.boost, scoring: scoring)
        case .keyword, .numeric:
            do {
                return constant(try termDocs(m.field, m.query, caseInsensitive: false), m.boost, scoring: scoring)
            } catch {
                if m.lenient { return empty() }
                throw error
            }
        case .unknown:
            return empty()
        }
    }

    /// BM25 over a text field's terms; a doc matches when at least `required` distinct terms match.
    func scoreTerms(_ field: String, _ tokens: [String], required: Int, boost: Double, scoring: Bool) -> Result {
        guard let t = segment.text(field) else { return empty() }
        var counts = [UInt16](repeating: 0, count: docCount)
        var scores = scoring ? [Float](repeating: 0, count: docCount) : nil
        let (_, avgdl) = stats.field(field)
        let k1 = 1.2, b = 0.75
        var seen = Set<String>()
        for term in tokens where seen.insert(term).inserted {
            guard let o = t.ord(of: term) else { continue }
            let idf = stats.idf(field, term) * boost
            t.postings(o).forEach { doc, freq in
                counts[Int(doc)] &+= 1
                if scoring {
                    let dl = Double(t.fieldLength(doc))
                    let f = Double(freq)
                    scores![Int(doc)] += Float(idf * f / (f + k1 * (1 - b + b * dl / avgdl)))
                }
            }
        }
        var set = DocSet(capacity: docCount)
        let need = UInt16(min(required, Int(UInt16.max)))
        for i in 0..<docCount where counts[i] >= need && counts[i] > 0 { set.insert(Int32(i)) }
        return Result(docs: set, scores: scores)
    }

    func phrase(_ field: String, _ text: String, slop: Int, boost: Double, scoring: Bool) throws(OpenSearchError) -> Result {
        switch kind(field) {
        case .text:
            let tokens = QueryAnalyzer.tokens(text)
            if tokens.isEmpty { return empty() }
            var r = scoreTerms(field, tokens, required: Set(tokens).count, boost: boost, scoring: scoring)
            if tokens.count == 1 { return r }
            // Positions are not indexed: verify candidates against the analyzed stored value.
            var verified = DocSet(capacity: docCount)
            r.docs.forEach { doc in
                if PhraseMatcher.matches(source: segment.source(of: doc), field: field, phrase: tokens, slop: slop) { verified.insert(doc) }
                return true
            }
            r.docs = verified
            return r
        case .keyword, .numeric:
            return constant(try termDocs(field, .string(text), caseInsensitive: false), boost, scoring: scoring)
        case .unknown:
            return empty()
        }
    }

    // MARK: bool

    func bool(_ b: BoolQuery, scoring: Bool) throws(OpenSearchError) -> Result {
        var docs: DocSet? = nil
        var scores = scoring ? [Float](repeating: 0, count: docCount) : nil
        for q in b.must {
            let r = try execute(q, scoring: scoring)
            if docs == nil { docs = r.docs } else { docs!.formIntersection(r.docs) }
            if let s = r.scores { for i in 0..<docCount { scores![i] += s[i] } }
        }
        for q in b.filter {
            let r = try execute(q, scoring: false)
            if docs == nil { docs = r.docs } else { docs!.formIntersection(r.docs) }
        }
        let hasRequired = docs != nil
        // An empty bool is match_all, whatever else it says (OpenSearch's BoolQueryBuilder).
        if b.must.isEmpty && b.filter.isEmpty && b.should.isEmpty && b.mustNot.isEmpty {
            return constant(DocSet(capacity: docCount, full: true), b.boost, scoring: scoring)
        }
        // Like Lucene: a minimum above the number of should clauses matches nothing.
        if let msm = b.minimumShouldMatch, msm.required(optionalClauses: b.should.count) > b.should.count { return empty() }
        if !b.should.isEmpty {
            let optional = b.should.count
            var required = b.minimumShouldMatch.map { $0.required(optionalClauses: optional) } ?? (hasRequired ? 0 : 1)
            required = max(0, min(required, optional))
            var counts = [UInt16](repeating: 0, count: docCount)
            var any = DocSet(capacity: docCount)
            for q in b.should {
                let r = try execute(q, scoring: scoring)
                r.docs.forEach { counts[Int($0)] &+= 1; return true }
                any.formUnion(r.docs)
                if let s = r.scores { for i in 0..<docCount { scores![i] += s[i] } }
            }
            if required > 0 {
                var enough = DocSet(capacity: docCount)
                let need = UInt16(required)
                for i in 0..<docCount where counts[i] >= need { enough.insert(Int32(i)) }
                if docs == nil { docs = enough } else { docs!.formIntersection(enough) }
            } else if docs == nil {
                docs = any
            }
        }
        var result = docs ?? DocSet(capacity: docCount, full: true)
        for q in b.mustNot { result.subtract(try execute(q, scoring: false).docs) }
        if scoring, !hasRequired && b.should.isEmpty {
            // Only filters / must_not: constant score like OpenSearch's ConstantScore wrapping.
            result.forEach { scores![Int($0)] = 1; return true }
        } else if scoring, b.must.isEmpty, b.should.isEmpty {
            result.forEach { scores![Int($0)] = 0; return true }
        }
        if scoring, b.boost != 1 { let f = Float(b.boost); for i in 0..<docCount { scores![i] *= f } }
        return Result(docs: result, scores: scores)
    }
}
