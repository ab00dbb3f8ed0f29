import Foundation
import Index
import JSON
import Node

extension SearchlightAPI {
    /// `_msearch`: NDJSON header/body pairs. Every body is parsed first — a malformed one fails
    /// the whole request, as in OpenSearch — then each search runs on its own, and one that fails
    /// (an unknown index, a bad field) answers its own error object with its status.
    static func registerMultiSearch(_ r: inout Router, _ node: Node) {
        let msearch: Router.Handler = { req throws(OpenSearchError) in
            let started = Date()
            let items = try parseMultiSearch(req)
            var responses: [JSONValue] = []
            responses.reserveCapacity(items.count)
            for (request, itemReq) in items {
                do throws(OpenSearchError) {
                    // Each search is checked on its own indices: a forbidden one answers 403 alone.
                    if let p = itemReq.principal, request.pit == nil {
                        try RoutePermissions.indices(p, .msearch, itemReq[path: "index"] ?? "_all", node,
                                                     expandHidden: RoutePermissions.expandHidden(itemReq))
                    }
                    var out = try await execute(request, itemReq, node)
                    if case .object(var o) = out {
                        o["status"] = .number(200)
                        out = .object(o)
                    }
                    responses.append(out)
                } catch {
                    responses.append(error.response)
                }
            }
            let took = Int(Date().timeIntervalSince(started) * 1000)
            return RESTResponse(200, .object(JSONObject([("took", .number(took)), ("responses", .array(responses))])))
        }
        r.add([.GET, .POST], "/_msearch", msearch)
        r.add([.GET, .POST], "/{index}/_msearch", msearch)
    }

    /// Header keys that become the item's request parameters.
    static let multiSearchHeaderParams: Set<String> = [
        "ignore_unavailable", "allow_no_indices", "expand_wildcards", "ignore_throttled", "search_type", "preference",
        "routing", "request_cache", "ccs_minimize_roundtrips", "allow_partial_search_results", "cancel_after_time_interval",
        "phase_took",
    ]

    /// Splits the body into (parsed search, the request it runs as) pairs.
    static func parseMultiSearch(_ req: RESTRequest) throws(OpenSearchError) -> [(SearchRequest, RESTRequest)] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        let body = req.body
        for i in 0..<body.count where body[i] == 0x0A {
            lines.append(body[start..<i])
            start = i + 1
        }
        if start < body.count { lines.append(body[start...]) }
        func isBlank(_ l: ArraySlice<UInt8>) -> Bool { !l.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 } }
        func parse(_ l: ArraySlice<UInt8>) throws(OpenSearchError) -> JSONValue {
            do { return try JSONParser.parse(Array(l)) } catch {
                throw OpenSearchError("parsing_exception", "Failed to parse object: \(error.description)", status: 400, causedBy: .jsonParse(error))
            }
        }
        var items: [(SearchRequest, RESTRequest)] = []
        var i = 0
        while i < lines.count {
            if isBlank(lines[i]) { i += 1; continue }
            let header = try parse(lines[i])
            guard case .object(let h) = header else { throw OpenSearchError.parsing("msearch header must be an object") }
            i += 1
            guard i < lines.count, !isBlank(lines[i]) || i + 1 <= lines.count else {
                throw OpenSearchError.illegalArgument("The msearch request must be terminated by a newline [\\n]")
            }
            let bodyValue = i < lines.count && !isBlank(lines[i]) ? try parse(lines[i]) : nil
            i += 1
            var itemReq = req
            itemReq.body = []
            for (k, v) in h {
                switch k {
                case "index", "indices":
                    if case .array(let names) = v {
                        itemReq.pathParams["index"] = names.compactMap(\.stringValue).joined(separator: ",")
                    } else if let name = v.stringValue {
                        itemReq.pathParams["index"] = name
                    } else {
                        throw OpenSearchError.illegalArgument("Expected String or Array for [index] in msearch header")
                    }
                case "type", "types":
                    break
                default:
                    guard multiSearchHeaderParams.contains(k) else { throw OpenSearchError.illegalArgument("key [\(k)] is not supported in the metadata section") }
                    if case .array(let a) = v {
                        itemReq.params[k] = a.compactMap { $0.stringValue ?? JSONWriter.string($0) }.joined(separator: ",")
                    } else {
                        itemReq.params[k] = v.stringValue ?? JSONWriter.string(v)
                    }
                }
            }
            let request = try SearchRequest.parse(bodyValue, params: itemReq.params)
            items.append((request, itemReq))
        }
        if items.isEmpty { throw OpenSearchError.actionValidation(["no requests added"]) }
        return items
    }
}
