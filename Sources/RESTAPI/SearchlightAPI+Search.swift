import Index
import JSON
import Node
import Query

extension SearchlightAPI {
    static func registerSearch(_ r: inout Router, _ node: Node) {
        let search: Router.Handler = { req throws(OpenSearchError) in
            // The body is parsed before the indices are resolved, as OpenSearch's REST layer does.
            let request = try SearchService.Request.parse(try req.json(), params: req.params)
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            return RESTResponse(200, try SearchService.search(indices, request))
        }
        r.add([.GET, .POST], "/_search", search)
        r.add([.GET, .POST], "/{index}/_search", search)
        let count: Router.Handler = { req throws(OpenSearchError) in
            var query = QueryNode.matchAll
            if case .object(let o)? = try req.json() {
                for (k, v) in o {
                    guard k == "query" else { throw OpenSearchError.parsing("request does not support [\(k)]") }
                    query = try QueryNode.parse(v)
                }
            }
            if let q = req.params["q"] { query = try SearchService.Request.parse(nil, params: ["q": q]).query }
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            return RESTResponse(200, SearchService.count(indices, query))
        }
        r.add([.GET, .POST], "/_count", count)
        r.add([.GET, .POST], "/{index}/_count", count)
    }
}
