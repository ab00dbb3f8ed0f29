import Index
import JSON
import Node
import Query

extension SearchlightAPI {
    static func registerSearch(_ r: inout Router, _ node: Node) {
        let search: Router.Handler = { req throws(OpenSearchError) in
            // The body is parsed before the indices are resolved, as OpenSearch's REST layer does.
            var request = try SearchRequest.parse(try req.json(), params: req.params)
            request.maxBuckets = node.clusterSettings.maxBuckets
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            let window = indices.map { $0.settings.maxResultWindow }.min() ?? 10_000
            if request.from + request.size > window {
                throw OpenSearchError("illegal_argument_exception", "Result window is too large, from + size must be less than or equal to: [\(window)] but was [\(request.from + request.size)]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.", status: 400)
            }
            let preFilter = req.params["pre_filter_shard_size"].flatMap { Int($0) }
            if let p = req.params["pre_filter_shard_size"], (Int(p) ?? 0) < 1 {
                throw OpenSearchError.illegalArgument("preFilterShardSize must be >= 1")
            }
            return RESTResponse(200, try await SearchExecutor.search(indices.map { $0.snapshot() }, request, preFilterShardSize: preFilter))
        }
        r.add([.GET, .POST], "/_search", search)
        r.add([.GET, .POST], "/{index}/_search", search)
        let count: Router.Handler = { req throws(OpenSearchError) in
            var query = Query.all
            if case .object(let o)? = try req.json() {
                for (k, v) in o {
                    guard k == "query" else { throw OpenSearchError.parsing("request does not support [\(k)]") }
                    query = try Query.parse(v)
                }
            }
            if req.params["q"] != nil { query = try SearchRequest.parse(nil, params: req.params).query }
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            let snaps = indices.map { $0.snapshot() }
            let n = try await SearchExecutor.count(snaps, query)
            return RESTResponse(200, .object(JSONObject([("count", .number(n)), ("_shards", SearchExecutor.shards(snaps))])))
        }
        r.add([.GET, .POST], "/_count", count)
        r.add([.GET, .POST], "/{index}/_count", count)
    }
}
