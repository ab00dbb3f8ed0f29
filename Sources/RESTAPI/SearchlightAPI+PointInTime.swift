import Index
import JSON
import Node

extension SearchlightAPI {
    /// Point in time: create (`POST /{index}/_search/point_in_time?keep_alive=`), list, delete.
    static func registerPointInTime(_ r: inout Router, _ node: Node) {
        r.add([.POST], "/{index}/_search/point_in_time") { req throws(OpenSearchError) in
            guard let ka = req.params["keep_alive"] else { throw OpenSearchError.actionValidation(["Keep alive cannot be empty"]) }
            let keepAlive = try ScrollContexts.keepAlive(ka)
            let snaps = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            let (id, created) = try node.pits.open(snaps, keepAlive: keepAlive, owner: req.principal?.name)
            let shards = snaps.reduce(0) { $0 + $1.numberOfShards }
            return RESTResponse(200, .object(JSONObject([
                ("pit_id", .string(id)),
                ("_shards", .object(JSONObject([("total", .number(shards)), ("successful", .number(shards)), ("skipped", 0), ("failed", 0)]))),
                ("creation_time", .int(created)),
            ])))
        }
        r.add([.GET], "/_search/point_in_time/_all") { _ throws(OpenSearchError) in
            let pits = node.pits.list().map { p -> JSONValue in
                .object(JSONObject([("pit_id", .string(p.id)), ("creation_time", .int(p.created)), ("keep_alive", .int(p.keepAlive))]))
            }
            return RESTResponse(200, .object(JSONObject([("pits", .array(pits))])))
        }
        r.add([.DELETE], "/_search/point_in_time/_all") { _ throws(OpenSearchError) in
            let ids = node.pits.closeAll()
            return RESTResponse(200, .object(JSONObject([("pits", .array(ids.map { .object(JSONObject([("pit_id", .string($0)), ("successful", true)])) }))])))
        }
        r.add([.DELETE], "/_search/point_in_time") { req throws(OpenSearchError) in
            guard case .object(let o) = try req.requiredJSON(), let v = o["pit_id"] else {
                throw OpenSearchError.actionValidation(["pit_id cannot be empty"])
            }
            let ids: [String]
            switch v {
            case .string(let s): ids = [s]
            case .array(let a): ids = a.compactMap(\.stringValue)
            default: throw OpenSearchError.parsing("[pit_id] must be a string or an array of strings")
            }
            let results = try node.pits.close(ids, owner: req.principal?.name)
            let body: JSONValue = .object(JSONObject([("pits", .array(results.map { .object(JSONObject([("pit_id", .string($0.0)), ("successful", .bool($0.1))])) }))]))
            return RESTResponse(results.contains { $0.1 } ? 200 : 404, body)
        }
    }
}
