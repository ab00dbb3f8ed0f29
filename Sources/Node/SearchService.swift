import Dispatch
import Index
import JSON
import Query

/// `_search` and `_count` over a list of indices. This is the scan-based first version: every live
/// document is checked against the query; the segment engine replaces it.
public enum SearchService {
    public struct Request: Sendable {
        public var query: QueryNode = .matchAll
        public var from = 0
        public var size = 10
        public var trackTotalHits: Int? = 10_000  // nil: exact
        public var includeSource = true
        /// `rest_total_hits_as_int`: `hits.total` as a plain number (the 6.x shape).
        public var totalHitsAsInt = false

        public init() {}

        public static func parse(_ body: JSONValue?, params: [String: String]) throws(OpenSearchError) -> Request {
            var r = Request()
            if case .object(let o)? = body {
                for (k, v) in o {
                    switch k {
                    case "query": r.query = try QueryNode.parse(v)
                    case "from":
                        guard let i = v.int64Value else { throw OpenSearchError.parsing("[from] must be a number") }
                        r.from = Int(i)
                    case "size":
                        guard let i = v.int64Value else { throw OpenSearchError.parsing("[size] must be a number") }
                        r.size = Int(i)
                    case "track_total_hits":
                        if let b = v.boolValue { r.trackTotalHits = b ? nil : 0 }
                        else if let i = v.int64Value { r.trackTotalHits = Int(i) }
                        else { throw OpenSearchError.parsing("[track_total_hits] must be a boolean or a number") }
                    case "_source":
                        if let b = v.boolValue { r.includeSource = b }
                    case "timeout", "terminate_after", "version", "seq_no_primary_term", "stored_fields", "explain",
                         "sort", "aggs", "aggregations", "highlight", "docvalue_fields", "script_fields", "min_score",
                         "track_scores", "search_after", "fields", "collapse", "post_filter", "indices_boost", "profile",
                         "suggest", "rescore", "slice", "pit", "ext", "stats":
                        continue
                    default:
                        throw OpenSearchError.parsing("Unknown key for a \(v.tokenName) in [\(k)].")
                    }
                }
            } else if body != nil, case .null? = body {
            } else if let b = body, b.objectValue == nil {
                throw OpenSearchError.parsing("Expected [START_OBJECT] but found [\(b.tokenName)]")
            }
            if let q = params["q"] { r.query = try Request.queryString(q) }
            if let f = params["from"] { guard let i = Int(f) else { throw OpenSearchError.illegalArgument("Failed to parse int parameter [from] with value [\(f)]") }; r.from = i }
            if let s = params["size"] { guard let i = Int(s) else { throw OpenSearchError.illegalArgument("Failed to parse int parameter [size] with value [\(s)]") }; r.size = i }
            if let t = params["track_total_hits"] { r.trackTotalHits = t == "true" ? nil : (t == "false" ? 0 : Int(t)) }
            if let t = params["rest_total_hits_as_int"] {
                r.totalHitsAsInt = t != "false"
                if r.totalHitsAsInt {
                    if r.trackTotalHits == 0 {
                        throw OpenSearchError.illegalArgument("[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got 0")
                    }
                    r.trackTotalHits = nil
                }
            }
            if r.from < 0 { throw OpenSearchError.illegalArgument("[from] parameter cannot be negative, found [\(r.from)]") }
            if r.size < 0 { throw OpenSearchError.illegalArgument("[size] parameter cannot be negative, found [\(r.size)]") }
            return r
        }

        /// `q=field:value` or `q=value` (basic form until query_string lands).
        static func queryString(_ q: String) throws(OpenSearchError) -> QueryNode {
            if q == "*" || q == "*:*" { return .matchAll }
            if let colon = q.firstIndex(of: ":") {
                return .term(field: String(q[..<colon]), value: .string(String(q[q.index(after: colon)...])))
            }
            throw OpenSearchError.parsing("q without a field is not supported yet: [\(q)]")
        }
    }

    struct Hit {
        let index: IndexService
        let id: String
        let doc: StoredDocument
    }

    static func matching(_ indices: [IndexService], _ query: QueryNode) -> [Hit] {
        var out: [Hit] = []
        for svc in indices {
            let mapping = svc.mapping
            let limit = Int.max
            var local: [Hit] = []
            for (id, d) in svc.snapshot() where !d.deleted {
                var parsed: ParsedDocument? = nil
                if query.needsFields, let src = try? JSONParser.parse(d.source) {
                    parsed = try? DocumentParser.parse(src, mapping: mapping, id: id, totalFieldsLimit: limit)
                }
                if query.matches(id: id, fields: parsed, mapping: mapping) { local.append(Hit(index: svc, id: id, doc: d)) }
            }
            local.sort { $0.doc.seqNo < $1.doc.seqNo }
            out += local
        }
        return out
    }

    public static func search(_ indices: [IndexService], _ r: Request) throws(OpenSearchError) -> JSONValue {
        let start = DispatchTime.now()
        let window = indices.map { $0.settings.maxResultWindow }.min() ?? 10_000
        if r.from + r.size > window {
            throw OpenSearchError.illegalArgument("Result window is too large, from + size must be less than or equal to: [\(window)] but was [\(r.from + r.size)]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.")
        }
        let hits = matching(indices, r.query)
        var total = JSONObject()
        if let limit = r.trackTotalHits, hits.count > limit {
            total["value"] = .number(limit)
            total["relation"] = "gte"
        } else {
            total["value"] = .number(hits.count)
            total["relation"] = "eq"
        }
        let page = hits.dropFirst(r.from).prefix(r.size)
        let hitsJSON: [JSONValue] = page.map { h in
            var o = JSONObject()
            o["_index"] = .string(h.index.name)
            o["_id"] = .string(h.id)
            o["_score"] = .double(1.0)
            if r.includeSource { o["_source"] = (try? JSONParser.parse(h.doc.source)) ?? .null }
            return .object(o)
        }
        var hitsObj = JSONObject()
        if r.totalHitsAsInt { hitsObj["total"] = .number(hits.count) }
        else if r.trackTotalHits != 0 { hitsObj["total"] = .object(total) }
        hitsObj["max_score"] = page.isEmpty ? .null : .double(1.0)
        hitsObj["hits"] = .array(hitsJSON)
        let took = Int64((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
        return .object(JSONObject([
            ("took", .int(took)), ("timed_out", false),
            ("_shards", shards(indices)),
            ("hits", .object(hitsObj)),
        ]))
    }

    public static func count(_ indices: [IndexService], _ query: QueryNode) -> JSONValue {
        let n = query == .matchAll ? indices.reduce(0) { $0 + $1.docCount } : matching(indices, query).count
        return .object(JSONObject([("count", .number(n)), ("_shards", shards(indices))]))
    }

    /// `_shards` of a search: every (logical) primary shard of the targets answered.
    public static func shards(_ indices: [IndexService]) -> JSONValue {
        let n = indices.reduce(0) { $0 + $1.numberOfShards }
        return ["total": .number(n), "successful": .number(n), "skipped": 0, "failed": 0]
    }
}
