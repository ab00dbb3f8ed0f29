import Aggregations
import Index
import JSON
import Query

/// A parsed `_search` (or `_count`) request: body and URL parameters.
public struct SearchRequest: Sendable {
    public var query: Query = .all
    public var postFilter: Query?
    public var from = 0
    public var size = 10
    public var sort: [SortSpec] = []
    public var searchAfter: [JSONValue]?
    public var source = SourceFilter()
    public var docValueFields: [(field: String, format: String?)] = []
    /// nil: exact; 0: not tracked.
    public var trackTotalHits: Int? = 10_000
    public var totalHitsAsInt = false
    /// `pit`: the point in time to search (`id`, optional `keep_alive`).
    public var pit: (id: String, keepAlive: String?)?
    /// A scroll's next page starts after this hit (set by `ScrollContexts`, never parsed).
    var scrollCursor: ScrollCursor?
    /// `typed_keys`: aggregation names prefixed with their type (`sterms#by_user`).
    public var typedKeys = false
    public var terminateAfter: Int?
    public var version = false
    public var seqNoPrimaryTerm = false
    public var trackScores = false
    public var minScore: Double?
    /// `aggs` / `aggregations`, parsed.
    public var aggregations: AggregationTree?
    /// The `search.max_buckets` cluster setting in force for this request.
    public var maxBuckets = 65_535
    public var timeout: String?
    /// `stored_fields`: nil when absent; `["_none_"]` hides ids too.
    public var storedFields: [String]?

    public init() {}

    static let ignoredKeys: Set<String> = ["highlight", "explain", "script_fields", "indices_boost", "collapse",
                                           "profile", "suggest", "rescore", "slice", "ext", "stats", "runtime_mappings"]

    public static func parse(_ body: JSONValue?, params: [String: String]) throws(OpenSearchError) -> SearchRequest {
        var r = SearchRequest()
        switch body {
        case nil, .null?: break
        case .object(let o)?:
            for (k, v) in o {
                switch k {
                case "query": r.query = try Query.parse(v)
                case "post_filter": r.postFilter = try Query.parse(v)
                case "from": r.from = try int(v, k)
                case "size": r.size = try int(v, k)
                case "sort": r.sort = try SortSpec.parse(v)
                case "search_after":
                    guard case .array(let a) = v else { throw OpenSearchError.parsing("[search_after] must be an array") }
                    r.searchAfter = a
                case "_source": r.source = try SourceFilter.parse(v)
                case "docvalue_fields", "fields":
                    guard case .array(let a) = v else { throw OpenSearchError.parsing("[\(k)] must be an array") }
                    for e in a {
                        if let s = e.stringValue { r.docValueFields.append((s, nil)) }
                        else if let f = e["field"]?.stringValue { r.docValueFields.append((f, e["format"]?.stringValue)) }
                        else { throw OpenSearchError.parsing("[\(k)] entries must be strings or objects with a [field]") }
                    }
                case "track_total_hits":
                    if let b = v.boolValue { r.trackTotalHits = b ? nil : 0 }
                    else if let i = v.int64Value { r.trackTotalHits = i < 0 ? nil : Int(i) }
                    else { throw OpenSearchError.parsing("[track_total_hits] must be a boolean or a number") }
                case "terminate_after": r.terminateAfter = try int(v, k)
                case "version": r.version = v.boolValue ?? false
                case "seq_no_primary_term": r.seqNoPrimaryTerm = v.boolValue ?? false
                case "track_scores": r.trackScores = v.boolValue ?? false
                case "pit":
                    guard case .object(let po) = v, let id = po["id"]?.stringValue else {
                        throw OpenSearchError.parsing("[pit] requires an object with an [id]")
                    }
                    for (pk, _) in po where pk != "id" && pk != "keep_alive" { throw OpenSearchError.parsing("[pit] unknown field [\(pk)]") }
                    r.pit = (id, po["keep_alive"]?.stringValue)
                case "min_score": r.minScore = v.doubleValue
                case "aggs", "aggregations": r.aggregations = try AggregationTree.parse(v)
                case "timeout": r.timeout = v.stringValue
                case "stored_fields": r.storedFields = StoredFields.parse(v)
                default:
                    if ignoredKeys.contains(k) { continue }
                    throw OpenSearchError.parsing("Unknown key for a \(v.tokenName) in [\(k)].")
                }
            }
        case let b?:
            throw OpenSearchError.parsing("Expected [START_OBJECT] but found [\(b.tokenName)]")
        }
        if let q = params["q"] {
            var json = JSONObject([("query", .string(q))])
            if let df = params["df"] { json["default_field"] = .string(df) }
            if let op = params["default_operator"] { json["default_operator"] = .string(op) }
            if let lenient = params["lenient"] { json["lenient"] = .bool(lenient == "true") }
            r.query = try Query.parse(["query_string": .object(json)])
        }
        if let f = params["from"] { guard let i = Int(f) else { throw OpenSearchError.illegalArgument("Failed to parse int parameter [from] with value [\(f)]") }; r.from = i }
        if let s = params["size"] { guard let i = Int(s) else { throw OpenSearchError.illegalArgument("Failed to parse int parameter [size] with value [\(s)]") }; r.size = i }
        if let s = params["sort"] {
            r.sort = []
            for p in s.split(separator: ",") { r.sort += try SortSpec.parse(.string(String(p))) }
        }
        if let t = params["track_total_hits"] { r.trackTotalHits = t == "true" ? nil : (t == "false" ? 0 : Int(t)) }
        if let t = params["terminate_after"], let i = Int(t) { r.terminateAfter = i }
        if let sf = params["stored_fields"] { r.storedFields = StoredFields.parse(.string(sf)) }
        if params["version"] == "true" { r.version = true }
        if params["seq_no_primary_term"] == "true" { r.seqNoPrimaryTerm = true }
        if let t = params["typed_keys"], t != "false" { r.typedKeys = true }
        var sourceAsked = body?["_source"] != nil
        if let f = SourceFilter.fromParams(source: params["_source"], includes: params["_source_includes"] ?? params["_source_include"],
                                           excludes: params["_source_excludes"] ?? params["_source_exclude"]) { r.source = f; sourceAsked = true }
        if let sf = r.storedFields, !sf.contains("_source"), !sourceAsked { r.source.disabled = true }
        if let t = params["track_total_hits"], let n = Int(t), n < -1 {
            throw OpenSearchError.illegalArgument("[track_total_hits] parameter must be positive or equals to -1, got \(n)")
        }
        if let t = params["rest_total_hits_as_int"], t != "false" {
            r.totalHitsAsInt = true
            if let n = r.trackTotalHits, n != 0, n != 10_000 || params["track_total_hits"] != nil {
                throw OpenSearchError.illegalArgument("[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got \(n)")
            }
            if r.trackTotalHits == 10_000 { r.trackTotalHits = nil }
        }
        if r.from < 0 { throw OpenSearchError.illegalArgument("[from] parameter cannot be negative, found [\(r.from)]") }
        if r.size < 0 { throw OpenSearchError.illegalArgument("[size] parameter cannot be negative, found [\(r.size)]") }
        if let sa = r.searchAfter {
            if r.from > 0 { throw OpenSearchError.illegalArgument("`from` parameter must be set to 0 when `search_after` is used.") }
            if r.sort.isEmpty ? sa.count != 1 : sa.count != r.sort.count {
                throw OpenSearchError.illegalArgument("search_after has \(sa.count) value(s) but sort has \(max(r.sort.count, 1)).")
            }
        }
        return r
    }

    static func int(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> Int {
        guard let i = v.int64Value else { throw OpenSearchError.parsing("[\(key)] failed to parse field [\(key)]") }
        // These are Java ints in OpenSearch; the bound also keeps `from + size` from overflowing.
        guard let n = Int32(exactly: i) else {
            throw OpenSearchError.parsing("[\(key)] failed to parse field [\(key)]: Numeric value (\(i)) out of range of int (-2147483648 - 2147483647)")
        }
        return Int(n)
    }

    /// Whether hits need scores.
    var needsScores: Bool {
        if minScore != nil || trackScores { return true }
        if size == 0 { return aggregations?.needsScores ?? false }  // nothing but top_hits shows a score
        return sort.isEmpty || sort.contains { $0.target == .score }
    }
}
