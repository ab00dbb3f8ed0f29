import Dispatch
import Foundation
import Aggregations
import Index
import JSON
import Query
import Synchronization

/// Runs a search over index snapshots: every segment is searched in parallel (query phase: match,
/// score, keep the local top from+size by the request's sort), then the best hits are merged and
/// fetched (`_source`, doc values) — OpenSearch's query-then-fetch on one node.
public enum SearchExecutor {
    /// A hit candidate: sort keys plus where it lives.
    struct Candidate: Sendable {
        var keys: [SortValue]
        var score: Float
        var index: Int
        var segment: Int
        var doc: Int32
    }

    struct SegmentResult: Sendable {
        var total: Int
        var top: [Candidate]
        var maxScore: Float
        var terminatedEarly: Bool
        var aggregations: PartialAggregations? = nil
        /// More partials of the same segment when its collection was split across threads.
        var moreAggregations: [PartialAggregations] = []
    }

    /// A search reaching a single segment with at least this many matches collects its
    /// aggregations on two threads.
    static let splitThreshold = 65_536

    /// Per-index resolved sort: how to read each key from a segment.
    enum KeySource: Sendable {
        case score, doc, shardDoc
        /// `_seq_no`: unique per index here (one shard), so `search_after` on it resumes exactly
        /// even across points in time (`searchlight migrate` pages this way).
        case seqNo
        case numeric(field: String, isDouble: Bool, format: DateFormat?, isUnsigned: Bool = false)
        case keyword(field: String)
        case unmapped
    }

    static func keySources(_ sort: [SortSpec], _ snap: IndexSnapshot) throws(OpenSearchError) -> [KeySource] {
        try sort.map { s throws(OpenSearchError) -> KeySource in
            switch s.target {
            case .score: return .score
            case .doc: return .doc
            case .shardDoc: return .shardDoc
            case .field("_seq_no"): return .seqNo
            case .field(let f):
                guard let m = snap.mapping.field(f) else {
                    if s.unmappedType != nil { return .unmapped }
                    throw OpenSearchError("query_shard_exception", "No mapping found for [\(f)] in order to sort on", status: 400,
                                          metadata: JSONObject([("index", .string(snap.indexName))]))
                }
                switch m.type {
                case .text, .matchOnlyText:
                    if m.params["fielddata"]?.dynamicText == "true" { return .keyword(field: f) }
                    throw OpenSearchError.illegalArgument("Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [\(f)] in order to load field data by uninverting the inverted index. Note that this can use significant memory.")
                case .keyword, .ip, .constantKeyword, .wildcard: return .keyword(field: f)
                case .double, .float, .halfFloat, .scaledFloat: return .numeric(field: f, isDouble: true, format: nil)
                case .unsignedLong: return .numeric(field: f, isDouble: false, format: nil, isUnsigned: true)
                case .object, .nested, .binary, .flatObject, .geoPoint:
                    throw OpenSearchError.illegalArgument("Fielddata is not supported on field [\(f)] of type [\(m.type.rawValue)]")
                default: return .numeric(field: f, isDouble: false, format: m.dateFormat)
                }
            }
        }
    }

    /// -1 when `x` sorts before `y` under `s`, 1 after, 0 equal.
    @inline(__always) static func compare(_ x: SortValue, _ y: SortValue, _ s: SortSpec) -> Int {
        if x == y { return 0 }
        if x == .missing { return s.missing == .first ? -1 : 1 }
        if y == .missing { return s.missing == .first ? 1 : -1 }
        return (s.descending ? SortValue.less(y, x) : SortValue.less(x, y)) ? -1 : 1
    }

    /// Orders candidates: sort keys in the requested directions, then index, segment, doc.
    static func before(_ a: Candidate, _ b: Candidate, _ sort: [SortSpec]) -> Bool {
        for (i, s) in sort.enumerated() {
            let c = compare(a.keys[i], b.keys[i], s)
            if c != 0 { return c < 0 }
        }
        if a.index != b.index { return a.index < b.index }
        if a.segment != b.segment { return a.segment < b.segment }
        return a.doc < b.doc
    }

    static func sortValue(_ v: JSONValue, _ source: KeySource) -> SortValue {
        switch source {
        case .numeric(_, let isDouble, let format, let isUnsigned):
            if isUnsigned, let u = v.uint64Value { return .unsigned(u) }
            if isDouble, let d = v.doubleValue { return .double(d) }
            if let i = v.int64Value { return .int(i) }
            if let d = v.doubleValue { return .double(d) }
            // search_after may carry a date as the field formats it.
            if let s = v.stringValue, let ms = (format ?? DateFormat.defaultDate).parse(s) { return .int(ms) }
            return .missing
        case .keyword: return QueryValues.text(v).map { .string($0) } ?? .missing
        case .score: return v.doubleValue.map { .double($0) } ?? .missing
        case .doc, .shardDoc, .seqNo: return v.int64Value.map { .int($0) } ?? .missing
        case .unmapped: return .missing
        }
    }

    static func searchSegment(_ view: SegmentView, index: Int, segmentIndex: Int, docBase: Int, snap: IndexSnapshot, stats: IndexStatistics,
                              request r: SearchRequest, sort: [SortSpec], sources: [KeySource], after: [SortValue]?,
                              k: Int, now: Int64, splitAggregations: Bool = false) throws(OpenSearchError) -> SegmentResult {
        let searcher = SegmentSearcher(segment: view.segment, liveDocs: view.liveDocs, mapping: snap.mapping, stats: stats, now: now)
        let scoring = r.needsScores
        let query = snap.aliasFilter.map { Query.bool(BoolQuery(must: [r.query], filter: [$0])) } ?? r.query
        var result = try searcher.search(query, scoring: scoring)
        // Aggregations see the query's matches; post_filter narrows only the hits.
        var morePartials: [PartialAggregations] = []
        let partial = try r.aggregations.map { tree throws(OpenSearchError) in
            var ctx = SegmentAggregationContext(segment: view.segment, liveDocs: view.liveDocs, mapping: snap.mapping, stats: stats,
                                                now: now, indexName: snap.indexName)
            ctx.segmentsInIndex = snap.segments.count
            guard splitAggregations && !tree.looksBeyondQuery && result.docs.count >= Self.splitThreshold else {
                return try tree.collect(ctx, docs: result.docs, scores: result.scores)
            }
            // The only segment of the search: collect its halves on two threads and let the reduce
            // merge them like two segments. Terms must then not cut to shard_size per half.
            ctx.segmentsInIndex = Swift.max(2, snap.segments.count)
            let parts = result.docs.split(into: 2)
            let scores = result.scores
            let splitContext = ctx
            let outcome = Mutex<[Result<PartialAggregations, OpenSearchError>?]>(Array(repeating: nil, count: parts.count))
            DispatchQueue.concurrentPerform(iterations: parts.count) { i in
                let res: Result<PartialAggregations, OpenSearchError>
                do throws(OpenSearchError) { res = .success(try tree.collect(splitContext, docs: parts[i], scores: scores)) } catch { res = .failure(error) }
                outcome.withLock { $0[i] = res }
            }
            var got: [PartialAggregations] = []
            for res in outcome.withLock({ $0 }) { if let res { got.append(try res.get()) } }
            morePartials = Array(got.dropFirst())
            return got[0]
        }
        if let pf = r.postFilter { result.docs.formIntersection(try searcher.search(pf, scoring: false).docs) }
        let seg = view.segment
        let numerics: [NumericColumn?] = sources.map { if case .numeric(let f, _, _, _) = $0 { return seg.numeric(f) }; return nil }
        let keywords: [KeywordField?] = sources.map { if case .keyword(let f) = $0 { return seg.keyword(f) }; return nil }
        var scratch: [Int64] = []
        func key(_ i: Int, _ doc: Int32, _ score: Float) -> SortValue {
            switch sources[i] {
            case .score: return .double(Double(score))
            case .doc: return .int(Int64(docBase) + Int64(doc))
            case .shardDoc: return .int(Int64(index) << 40 | (Int64(docBase) + Int64(doc)))
            case .seqNo: return .int(seg.seqNo(of: doc))
            case .unmapped: return missingValue(sort[i], sources[i])
            case .numeric(_, let isDouble, _, let isUnsigned):
                guard let col = numerics[i], col.hasValue(doc) else { return missingValue(sort[i], sources[i]) }
                var raw = col.value(doc)
                // OpenSearch's default mode: min for ascending, max for descending.
                if col.isMultiValued && (sort[i].mode == "max" || (sort[i].mode == nil && sort[i].descending)) {
                    scratch.removeAll(keepingCapacity: true)
                    col.values(doc, into: &scratch)
                    raw = scratch.max() ?? raw
                }
                if isUnsigned { return .unsigned(UnsignedLong.value(raw)) }
                return isDouble ? .double(NumericColumn.double(fromSortable: raw)) : .int(raw)
            case .keyword:
                guard let kw = keywords[i] else { return missingValue(sort[i], sources[i]) }
                let ord = kw.firstOrd(doc)
                guard ord >= 0 else { return missingValue(sort[i], sources[i]) }
                if kw.isMultiValued && (sort[i].mode == "max" || (sort[i].mode == nil && sort[i].descending)) {
                    var ords: [Int32] = []
                    kw.docOrds(doc, into: &ords)
                    return .string(kw.term(Int(ords.max() ?? ord)))
                }
                return .string(kw.term(Int(ord)))
            }
        }
        let effectiveSort = sort.isEmpty ? [SortSpec.byScore] : sort
        // Fast path for one numeric sort key: visit 4096-doc zones best-first by their zone map
        // and stop once no remaining zone can beat the current k-th value.
        if effectiveSort.count == 1, case .numeric(_, let isDouble, _, let isUnsigned) = sources[0], let col = numerics[0], !col.isMultiValued,
           col.docsWithValue == seg.docCount, r.minScore == nil, r.terminateAfter == nil, k > 0 {
            let desc = effectiveSort[0].descending
            let zones = (0..<col.zoneCount).sorted { desc ? col.zoneMax($0) > col.zoneMax($1) : col.zoneMin($0) < col.zoneMin($1) }
            var top: [Candidate] = []
            var worst: Int64? = nil  // raw value of the k-th candidate once k are held
            func raw(_ c: Candidate) -> Int64 {
                switch c.keys[0] {
                case .int(let i): return i
                case .unsigned(let u): return UnsignedLong.stored(u)
                case .double(let d): return NumericColumn.sortableLong(d)
                default: return 0
                }
            }
            for z in zones {
                if let w = worst, desc ? col.zoneMax(z) < w : col.zoneMin(z) > w { break }
                let start = z << 12
                result.docs.forEach(in: start, min(seg.docCount, start + NumericColumn.zoneSize)) { doc in
                    let v = col.value(doc)
                    if let w = worst, desc ? v < w : v > w { return true }
                    let key: SortValue = isUnsigned ? .unsigned(UnsignedLong.value(v))
                        : isDouble ? .double(NumericColumn.double(fromSortable: v)) : .int(v)
                    let c = Candidate(keys: [key], score: result.scores?[Int(doc)] ?? 0, index: index, segment: segmentIndex, doc: doc)
                    if let after, !before(afterPoint(c, after, r), c, effectiveSort) { return true }
                    top.append(c)
                    if top.count >= 2 * k + 16 {
                        top.sort { before($0, $1, effectiveSort) }
                        top.removeLast(top.count - k)
                        worst = raw(top[k - 1])
                    }
                    return true
                }
                if worst == nil, top.count >= k {
                    top.sort { before($0, $1, effectiveSort) }
                    top.removeLast(top.count - k)
                    worst = raw(top[k - 1])
                }
            }
            top.sort { before($0, $1, effectiveSort) }
            if top.count > k { top.removeLast(top.count - k) }
            var maxScore: Float = -.infinity
            if let scores = result.scores { result.docs.forEach { maxScore = max(maxScore, scores[Int($0)]); return true } }
            return SegmentResult(total: result.docs.count, top: top, maxScore: maxScore, terminatedEarly: false, aggregations: partial, moreAggregations: morePartials)
        }
        let limit = r.terminateAfter ?? Int.max
        if k == 0, r.minScore == nil {
            // Nothing to rank (size 0, the aggregation searches): the total is a popcount.
            let count = result.docs.count
            var maxScore: Float = -.infinity
            if let scores = result.scores { result.docs.forEach { maxScore = max(maxScore, scores[Int($0)]); return true } }
            return SegmentResult(total: min(count, limit), top: [], maxScore: maxScore, terminatedEarly: count > limit, aggregations: partial, moreAggregations: morePartials)
        }
        // Index order (`_doc` / `_shard_doc` ascending, how scrolls and exports walk everything):
        // keys rise with the doc id, so start just past the `after` point and stop after k hits —
        // each page reads a page of documents, not the whole segment.
        if effectiveSort.count == 1, !effectiveSort[0].descending, r.minScore == nil, r.terminateAfter == nil, k > 0 {
            var startDoc: Int? = nil
            switch sources[0] {
            case .doc:
                if let after, case .int(let key) = after[0] {
                    // Same key: a later index comes after; in the same index keys are unique.
                    let laterIndex = r.scrollCursor.map { index > $0.index } ?? false
                    startDoc = Int(max(0, min(Int64(seg.docCount), key - Int64(docBase) + (laterIndex ? 0 : 1))))
                } else if after == nil {
                    startDoc = 0
                }
            case .shardDoc:
                if let after, case .int(let key) = after[0] {
                    let base = Int64(index) << 40 | Int64(docBase)
                    startDoc = Int(max(0, min(Int64(seg.docCount), key - base + 1)))
                } else if after == nil {
                    startDoc = 0
                }
            default: break
            }
            if let startDoc {
                var top: [Candidate] = []
                top.reserveCapacity(min(k, 4096))
                _ = result.docs.forEach(in: startDoc, seg.docCount) { doc in
                    top.append(Candidate(keys: [key(0, doc, 0)], score: result.scores?[Int(doc)] ?? 0, index: index, segment: segmentIndex, doc: doc))
                    return top.count < k
                }
                var maxScore: Float = -.infinity
                if let scores = result.scores { result.docs.forEach { maxScore = max(maxScore, scores[Int($0)]); return true } }
                return SegmentResult(total: result.docs.count, top: top, maxScore: maxScore, terminatedEarly: false, aggregations: partial, moreAggregations: morePartials)
            }
        }
        var top: [Candidate] = []
        var total = 0
        var maxScore: Float = -.infinity
        var terminated = false
        var threshold: Candidate? = nil
        let scores = result.scores
        result.docs.forEach { doc in
            let score = scores?[Int(doc)] ?? 0
            if let min = r.minScore, Double(score) < min { return true }
            if total >= limit { terminated = true; return false }
            total += 1
            if score > maxScore { maxScore = score }
            guard k > 0 else { return true }
            // Cheap rejection on the first key before building the full candidate.
            let first = key(0, doc, score)
            if let t = threshold, compare(first, t.keys[0], effectiveSort[0]) > 0 { return true }
            var c = Candidate(keys: [first], score: score, index: index, segment: segmentIndex, doc: doc)
            if effectiveSort.count > 1 { for i in 1..<effectiveSort.count { c.keys.append(key(i, doc, score)) } }
            if let after, !before(afterPoint(c, after, r), c, effectiveSort) { return true }
            if let t = threshold, !before(c, t, effectiveSort) { return true }
            top.append(c)
            if top.count >= 2 * k + 16 {
                top.sort { before($0, $1, effectiveSort) }
                top.removeLast(top.count - k)
                threshold = top.last
            }
            return true
        }
        top.sort { before($0, $1, effectiveSort) }
        if top.count > k { top.removeLast(top.count - k) }
        return SegmentResult(total: total, top: top, maxScore: maxScore, terminatedEarly: terminated, aggregations: partial, moreAggregations: morePartials)
    }

    /// The point hits must come after: `search_after`'s keys, ties placed after it (OpenSearch
    /// drops hits tied with the point), or a scroll's last hit, ties broken by its position.
    @inline(__always)
    static func afterPoint(_ c: Candidate, _ keys: [SortValue], _ r: SearchRequest) -> Candidate {
        var a = c
        a.keys = keys
        if let cur = r.scrollCursor {
            a.index = cur.index
            a.segment = cur.segment
            a.doc = cur.doc
        } else {
            a.index = Int.max
        }
        return a
    }

    static func missingValue(_ s: SortSpec, _ source: KeySource) -> SortValue {
        if case .value(let v) = s.missing { return sortValue(v, source) }
        return .missing
    }

    /// The query phase over all segments of all snapshots, in parallel.
    static func queryPhase(_ snapshots: [IndexSnapshot], _ r: SearchRequest, k: Int, now: Int64) async throws(OpenSearchError)
        -> (results: [SegmentResult], sort: [SortSpec])
    {
        let sort = r.sort.isEmpty ? [SortSpec.byScore] : r.sort
        var jobs: [(Int, Int, Int, SegmentView, [KeySource], IndexStatistics, [SortValue]?)] = []
        for (i, snap) in snapshots.enumerated() {
            let sources = try keySources(sort, snap)
            let after = r.scrollCursor?.keys ?? r.searchAfter.map { sa in zip(sa, sources).map { sortValue($0, $1) } }
            let stats = IndexStatistics(segments: snap.segments.map(\.segment))
            var base = 0
            for (j, v) in snap.segments.enumerated() {
                jobs.append((i, j, base, v, sources, stats, after))
                base += v.segment.docCount
            }
        }
        if jobs.count == 1 {
            // One segment: search it in this task. A child task would only hand the work to
            // another thread, and waking one costs more than a small search (the split below
            // still uses a second core for a large one).
            let (i, j, base, view, sources, stats, after) = jobs[0]
            let res = try searchSegment(view, index: i, segmentIndex: j, docBase: base, snap: snapshots[i], stats: stats,
                                        request: r, sort: sort, sources: sources, after: after, k: k, now: now, splitAggregations: true)
            return ([res], sort)
        }
        let outcome: [Result<SegmentResult, OpenSearchError>] = await withTaskGroup(of: (Int, Result<SegmentResult, OpenSearchError>).self) { group in
            for (n, job) in jobs.enumerated() {
                group.addTask {
                    let (i, j, base, view, sources, stats, after) = job
                    do throws(OpenSearchError) {
                        let res = try searchSegment(view, index: i, segmentIndex: j, docBase: base, snap: snapshots[i], stats: stats,
                                                    request: r, sort: sort, sources: sources, after: after, k: k, now: now)
                        return (n, .success(res))
                    } catch {
                        return (n, .failure(error))
                    }
                }
            }
            var out = [Result<SegmentResult, OpenSearchError>?](repeating: nil, count: jobs.count)
            for await (n, res) in group { out[n] = res }
            return out.map { $0! }
        }
        return (try outcome.map { res throws(OpenSearchError) in try res.get() }, sort)
    }

    public static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    public static func search(_ allSnapshots: [IndexSnapshot], _ r: SearchRequest, preFilterShardSize: Int? = nil,
                              canMatch: Bool = true) async throws(OpenSearchError) -> JSONValue {
        try await page(allSnapshots, r, preFilterShardSize: preFilterShardSize, canMatch: canMatch).response
    }

    /// One page of hits (and the aggregations), plus the last hit's place for a scroll's next
    /// page. `now` pins date math across a scroll's pages; `canMatch: false` keeps every target
    /// (a scroll's targets were filtered when it started).
    static func page(_ allSnapshots: [IndexSnapshot], _ r: SearchRequest, preFilterShardSize: Int? = nil, now pinned: Int64? = nil,
                     canMatch: Bool = true) async throws(OpenSearchError) -> (response: JSONValue, last: ScrollCursor?, snapshots: [IndexSnapshot]) {
        let start = DispatchTime.now()
        let now = pinned ?? nowMillis()
        let k = r.from + r.size
        // Validate sorts against every target before skipping any of them.
        for snap in allSnapshots { _ = try keySources(r.sort.isEmpty ? [SortSpec.byScore] : r.sort, snap) }
        // Aggregations such as `global` look beyond the query, so they keep every index.
        let snapshots = canMatch && !(r.aggregations?.looksBeyondQuery ?? false) ? allSnapshots.filter { CanMatch.canMatch($0, r.query, now: now) } : allSnapshots
        let skippedShards = allSnapshots.reduce(0) { $0 + $1.numberOfShards } - snapshots.reduce(0) { $0 + $1.numberOfShards }
        let totalShards = allSnapshots.reduce(0) { $0 + $1.numberOfShards }
        // OpenSearch reports skipped shards when its pre-filter round ran (over 128 shards by default).
        let reportSkipped = totalShards > (preFilterShardSize ?? 128)
        let (results, sort) = try await queryPhase(snapshots, r, k: k, now: now)
        var all = results.flatMap(\.top)
        all.sort { before($0, $1, sort) }
        let page = all.dropFirst(r.from).prefix(r.size)
        let total = results.reduce(0) { $0 + $1.total }
        let maxScore = results.map(\.maxScore).max() ?? -.infinity
        let showScores = r.sort.isEmpty || r.trackScores
        var hits: [JSONValue] = []
        hits.reserveCapacity(page.count)
        for c in page {
            let snap = snapshots[c.index]
            let view = snap.segments[c.segment]
            hits.append(fetch(c, snap: snap, view: view, request: r, showScore: showScores))
        }
        var hitsObj = JSONObject()
        if r.totalHitsAsInt {
            hitsObj["total"] = r.trackTotalHits == 0 ? .int(-1) : .number(total)
        } else if let limit = r.trackTotalHits {
            if limit > 0 {
                hitsObj["total"] = total > limit ? ["value": .number(limit), "relation": "gte"] : ["value": .number(total), "relation": "eq"]
            }
        } else {
            hitsObj["total"] = ["value": .number(total), "relation": "eq"]
        }
        hitsObj["max_score"] = showScores && r.size > 0 && total > 0 && maxScore.isFinite ? .double(Double(maxScore)) : .null
        hitsObj["hits"] = .array(hits)
        let took = Int64((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
        var o = JSONObject([("took", .int(took)), ("timed_out", false)])
        if results.contains(where: \.terminatedEarly) { o["terminated_early"] = true }
        o["_shards"] = ["total": .number(totalShards), "successful": .number(totalShards),
                        "skipped": .number(reportSkipped ? skippedShards : 0), "failed": 0]
        o["hits"] = .object(hitsObj)
        if let tree = r.aggregations {
            o["aggregations"] = try tree.reduce(results.flatMap { ($0.aggregations.map { [$0] } ?? []) + $0.moreAggregations }, maxBuckets: r.maxBuckets, typedKeys: r.typedKeys)
        }
        let last = page.last.map { ScrollCursor(keys: $0.keys, index: $0.index, segment: $0.segment, doc: $0.doc) }
        return (.object(o), last, snapshots)
    }

    static func fetch(_ c: Candidate, snap: IndexSnapshot, view: SegmentView, request r: SearchRequest, showScore: Bool) -> JSONValue {
        let seg = view.segment
        var o = JSONObject()
        o["_index"] = .string(snap.indexName)
        if r.storedFields != ["_none_"] { o["_id"] = .string(seg.id(of: c.doc)) }
        if r.version { o["_version"] = .int(seg.version(of: c.doc)) }
        if r.seqNoPrimaryTerm {
            o["_seq_no"] = .int(seg.seqNo(of: c.doc))
            o["_primary_term"] = .int(seg.primaryTerm(of: c.doc))
        }
        o["_score"] = showScore ? .double(Double(c.score)) : .null
        if let routing = seg.routing(of: c.doc) { o["_routing"] = .string(routing) }
        if let src = r.source.apply(seg.source(of: c.doc)) { o["_source"] = src }
        var fields = JSONObject()
        if let stored = r.storedFields, stored != ["_none_"] {
            for (k, v) in StoredFields.values(stored, source: seg.source(of: c.doc), mapping: snap.mapping) { fields[k] = v }
        }
        if !r.docValueFields.isEmpty {
            for (pattern, format) in r.docValueFields {
                let names = pattern.contains("*") ? snap.mapping.leafFields.map(\.0).filter { Wildcard.matches(pattern, $0) } : [pattern]
                for name in names {
                    let values = docValues(seg, c.doc, name, snap.mapping, format: format)
                    if !values.isEmpty { fields[name] = .array(values) }
                }
            }
        }
        if !fields.isEmpty { o["fields"] = .object(fields) }
        if !r.sort.isEmpty { o["sort"] = .array(c.keys.map(\.json)) }
        return .object(o)
    }

    static func docValues(_ seg: Segment, _ doc: Int32, _ field: String, _ mapping: Mapping, format: String?) -> [JSONValue] {
        let type = mapping.field(field)?.type
        if let col = seg.numeric(field), col.hasValue(doc) {
            var raw: [Int64] = []
            col.values(doc, into: &raw)
            return raw.map { v in
                switch type {
                case .date?, .dateNanos?:
                    if let format, let f = try? DateFormat(format) { return .string(f.format(millis: v)) }
                    return .string((mapping.field(field)?.dateFormat ?? DateFormat.defaultDate).format(millis: v))
                case .boolean?: return .bool(v != 0)
                case .unsignedLong?: return UnsignedLong.json(v)
                default:
                    let n: JSONValue = col.isDouble ? .double(NumericColumn.double(fromSortable: v)) : .int(v)
                    if let format, format != "use_field_mapping", let d = n.doubleValue { return .string(DecimalPattern.format(d, format)) }
                    return n
                }
            }
        }
        if let kw = seg.keyword(field) {
            var ords: [Int32] = []
            kw.docOrds(doc, into: &ords)
            return ords.map { .string(kw.term(Int($0))) }
        }
        return []
    }

    /// `_count` with a query.
    public static func count(_ allSnapshots: [IndexSnapshot], _ query: Query) async throws(OpenSearchError) -> Int {
        let now = nowMillis()
        let snapshots = allSnapshots.filter { CanMatch.canMatch($0, query, now: now) }
        var r = SearchRequest()
        r.query = query
        r.size = 0
        r.sort = [SortSpec(target: .doc, descending: false)]
        let (results, _) = try await queryPhase(snapshots, r, k: 0, now: nowMillis())
        return results.reduce(0) { $0 + $1.total }
    }

    public static func shards(_ snapshots: [IndexSnapshot], skipped: Int = 0) -> JSONValue {
        let n = snapshots.reduce(0) { $0 + $1.numberOfShards } + skipped
        return ["total": .number(n), "successful": .number(n), "skipped": .number(skipped), "failed": 0]
    }
}

/// Java DecimalFormat-style patterns for numeric `docvalue_fields` (`#.0`, `0.00`, `#,##0`).
enum DecimalPattern {
    static func format(_ value: Double, _ pattern: String) -> String {
        let parts = pattern.split(separator: ".", maxSplits: 1)
        let minFraction = parts.count == 2 ? parts[1].filter { $0 == "0" }.count : 0
        let maxFraction = parts.count == 2 ? parts[1].filter { $0 == "0" || $0 == "#" }.count : 0
        var text = String(format: "%.\(maxFraction)f", value)
        if maxFraction > minFraction, text.contains(".") {
            while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) - 1 > minFraction {
                text.removeLast()
            }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
