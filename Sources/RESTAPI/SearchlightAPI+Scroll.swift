import Index
import JSON
import Node

extension SearchlightAPI {
    /// The JSON token name OpenSearch's messages use for a value's type.
    static func tokenName(_ v: JSONValue) -> String {
        switch v {
        case .string: return "VALUE_STRING"
        case .object: return "START_OBJECT"
        case .array: return "START_ARRAY"
        case .null: return "VALUE_NULL"
        case .bool: return "VALUE_BOOLEAN"
        default: return "VALUE_NUMBER"
        }
    }

    /// `_search/scroll`: the next page of a scroll (`scroll_id` and `scroll` from the body, which
    /// wins, or the query string) and `DELETE` to free contexts.
    static func registerScroll(_ r: inout Router, _ node: Node) {
        let next: Router.Handler = { req throws(OpenSearchError) in
            var id = req[path: "scroll_id"] ?? req.params["scroll_id"]
            var scroll = req.params["scroll"]
            if let body = try req.json() {
                guard case .object(let o) = body else { throw OpenSearchError.parsing("Malformed content, must start with an object") }
                for (k, v) in o {
                    switch k {
                    case "scroll_id": id = v.stringValue
                    case "scroll": scroll = v.stringValue
                    default: throw OpenSearchError.illegalArgument("Unknown parameter [\(k)] in request body or parameter is of the wrong type[\(tokenName(v))] ")
                    }
                }
            }
            guard let id, !id.isEmpty else { throw OpenSearchError.actionValidation(["scrollId is missing"]) }
            let keepAlive = try scroll.map { s throws(OpenSearchError) in try ScrollContexts.keepAlive(s) }
            var out = try await node.scrolls.next(id, keepAlive: keepAlive, owner: req.principal?.name)
            if let t = req.params["rest_total_hits_as_int"], t != "false", case .object(var o) = out,
               case .object(var hits)? = o["hits"], let total = hits["total"]?["value"] {
                hits["total"] = total
                o["hits"] = .object(hits)
                out = .object(o)
            }
            return RESTResponse(200, out)
        }
        r.add([.GET, .POST], "/_search/scroll", next)
        r.add([.GET, .POST], "/_search/scroll/{scroll_id}", next)

        let clear: Router.Handler = { req throws(OpenSearchError) in
            var ids: [String] = []
            if let p = req[path: "scroll_id"] ?? req.params["scroll_id"] { ids = p.split(separator: ",").map(String.init) }
            if let body = try req.json() {
                guard case .object(let o) = body else { throw OpenSearchError.parsing("Malformed content, must start with an object") }
                for (k, v) in o {
                    guard k == "scroll_id" else { throw OpenSearchError.illegalArgument("Unknown parameter [\(k)] in request body or parameter is of the wrong type[\(tokenName(v))] ") }
                    switch v {
                    case .string(let s): ids = [s]
                    case .array(let a): ids = a.compactMap(\.stringValue)
                    default: throw OpenSearchError.illegalArgument("Unknown parameter [scroll_id] in request body or parameter is of the wrong type[\(tokenName(v))] ")
                    }
                }
            }
            let freed: Int
            if ids == ["_all"] {
                // Everyone's contexts: with security on, a cluster-level permission.
                if let p = req.principal { try RoutePermissions.cluster(p, .pitDeleteAll) }
                freed = node.scrolls.clearAll()
            } else {
                guard !ids.isEmpty else { throw OpenSearchError.actionValidation(["no scroll ids specified"]) }
                freed = try node.scrolls.clear(ids, owner: req.principal?.name)
            }
            let body: JSONValue = .object(JSONObject([("succeeded", true), ("num_freed", .number(freed))]))
            return RESTResponse(freed == 0 ? 404 : 200, body)
        }
        r.add([.DELETE], "/_search/scroll", clear)
        r.add([.DELETE], "/_search/scroll/{scroll_id}", clear)
    }
}
