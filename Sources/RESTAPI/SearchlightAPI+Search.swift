import Dispatch
import Index
import JSON
import Node
import Query

extension SearchlightAPI {
    static func registerSearch(_ r: inout Router, _ node: Node) {
        let search: Router.Handler = { req throws(OpenSearchError) in
            // The body is parsed before the indices are resolved, as OpenSearch's REST layer does.
            let request = try SearchRequest.parse(try req.json(), params: req.params)
            return RESTResponse(200, try await execute(request, req, node))
        }
        r.add([.GET, .POST], "/_search", search)
        r.add([.GET, .POST], "/{index}/_search", search)
        registerMultiSearch(&r, node)
        registerScroll(&r, node)
        registerPointInTime(&r, node)
        let count: Router.Handler = { req throws(OpenSearchError) in
            var query = Query.all
            if case .object(let o)? = try req.json() {
                for (k, v) in o {
                    guard k == "query" else { throw OpenSearchError.parsing("request does not support [\(k)]") }
                    query = try Query.parse(v)
                }
            }
            if req.params["q"] != nil { query = try SearchRequest.parse(nil, params: req.params).query }
            let snaps = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            let n = try await SearchExecutor.count(snaps, query)
            return RESTResponse(200, .object(JSONObject([("count", .number(n)), ("_shards", SearchExecutor.shards(snaps))])))
        }
        r.add([.GET, .POST], "/_count", count)
        r.add([.GET, .POST], "/{index}/_count", count)
    }

    /// Runs a parsed search against the indices `req` names (path `index`, indices options in
    /// its parameters).
    static func execute(_ request: SearchRequest, _ req: RESTRequest, _ node: Node) async throws(OpenSearchError) -> JSONValue {
            var request = request
            request.maxBuckets = maxBuckets
            if let pit = request.pit {
                if req[path: "index"] != nil {
                    throw OpenSearchError.actionValidation(["[indices] cannot be used with point in time. Do not specify any index with point in time."])
                }
                if req.params["scroll"] != nil { throw OpenSearchError.actionValidation(["using [point in time] is not allowed in a scroll context"]) }
                let keepAlive = try pit.keepAlive.map { s throws(OpenSearchError) in try ScrollContexts.keepAlive(s) }
                let snaps = try node.pits.snapshots(pit.id, keepAlive: keepAlive, owner: req.principal?.name)
                var out = try await SearchExecutor.search(snaps, request, canMatch: false)
                if case .object(var o) = out {
                    o["pit_id"] = .string(pit.id)
                    out = .object(o)
                }
                return out
            }
            let snapshots = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            let window = snapshots.compactMap { node.index(named: $0.indexName)?.settings.maxResultWindow }.min() ?? 10_000
            if request.from + request.size > window {
                throw OpenSearchError("illegal_argument_exception", "Result window is too large, from + size must be less than or equal to: [\(window)] but was [\(request.from + request.size)]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.", status: 400)
            }
            let preFilter = req.params["pre_filter_shard_size"].flatMap { Int($0) }
            if let p = req.params["pre_filter_shard_size"], (Int(p) ?? 0) < 1 {
                throw OpenSearchError.illegalArgument("preFilterShardSize must be >= 1")
            }
            if let scroll = req.params["scroll"] {
                if request.size == 0 { throw OpenSearchError.illegalArgument("[size] cannot be [0] in a scroll context") }
                if req.params["request_cache"] == "true" { throw OpenSearchError.illegalArgument("[request_cache] cannot be used in a scroll context") }
                let keepAlive = try ScrollContexts.keepAlive(scroll)
                return try await node.scrolls.start(snapshots, request, keepAlive: keepAlive, preFilterShardSize: preFilter,
                                                    owner: req.principal?.name)
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let result = try await SearchExecutor.search(snapshots, request, preFilterShardSize: preFilter)
            SearchSlowLog.record(indices: snapshots.map(\.indexName), node: node, tookNanos: DispatchTime.now().uptimeNanoseconds - started,
                                 totalHits: result["hits"]?["total"], source: req.body)
            return result
    }
}
