import Foundation
import Index
import JSON
import Node

/// All REST endpoints, bound to one node.
public struct SearchlightAPI: Sendable {
    public let node: Node
    public let router: Router
    public static let versionNumber = "2.17.0"

    public init(node: Node) {
        self.node = node
        var r = Router()
        SearchlightAPI.registerCluster(&r, node)
        SearchlightAPI.registerIndices(&r, node)
        SearchlightAPI.registerDocuments(&r, node)
        SearchlightAPI.registerBulk(&r, node)
        SearchlightAPI.registerSearch(&r, node)
        self.router = r
    }

    public func handle(_ request: RESTRequest) async -> RESTResponse {
        await router.route(request)
    }

    static func registerCluster(_ r: inout Router, _ node: Node) {
        r.add([.GET, .HEAD], "/") { _ in
            RESTResponse(200, .object(JSONObject([
                ("name", .string(node.nodeName)),
                ("cluster_name", .string(node.clusterName)),
                ("cluster_uuid", .string(node.clusterUUID)),
                ("version", .object(JSONObject([
                    ("distribution", "opensearch"),
                    ("number", .string(versionNumber)),
                    ("build_type", "tar"),
                    ("build_hash", "searchlight"),
                    ("build_date", "2026-11-23T00:00:00.000000Z"),
                    ("build_snapshot", false),
                    ("lucene_version", "9.11.1"),
                    ("minimum_wire_compatibility_version", "7.10.0"),
                    ("minimum_index_compatibility_version", "7.0.0"),
                ]))),
                ("tagline", "The OpenSearch Project: https://opensearch.org/"),
            ])))
        }
        let health: Router.Handler = { req throws(OpenSearchError) in
            let indices: [IndexService]
            if let expr = req[path: "index"] { indices = try node.resolve(expr) } else { indices = node.allIndices }
            let replicasWanted = indices.contains { $0.settings.numberOfReplicas > 0 }
            let status = replicasWanted ? "yellow" : "green"
            let primaries = indices.count
            let unassigned = indices.reduce(0) { $0 + $1.settings.numberOfReplicas }
            var o = JSONObject([
                ("cluster_name", .string(node.clusterName)), ("status", .string(status)), ("timed_out", false),
                ("number_of_nodes", 1), ("number_of_data_nodes", 1), ("discovered_master", true),
                ("discovered_cluster_manager", true),
                ("active_primary_shards", .number(primaries)), ("active_shards", .number(primaries)),
                ("relocating_shards", 0), ("initializing_shards", 0), ("unassigned_shards", .number(unassigned)),
                ("delayed_unassigned_shards", 0), ("number_of_pending_tasks", 0), ("number_of_in_flight_fetch", 0),
                ("task_max_waiting_in_queue_millis", 0),
                ("active_shards_percent_as_number", .double(primaries + unassigned == 0 ? 100.0 : Double(primaries) * 100 / Double(primaries + unassigned))),
            ])
            if req.params["level"] == "indices" {
                var idx = JSONObject()
                for i in indices {
                    idx[i.name] = .object(JSONObject([("status", .string(i.settings.numberOfReplicas > 0 ? "yellow" : "green")),
                                                      ("number_of_shards", 1), ("number_of_replicas", .number(i.settings.numberOfReplicas)),
                                                      ("active_primary_shards", 1), ("active_shards", 1), ("relocating_shards", 0),
                                                      ("initializing_shards", 0), ("unassigned_shards", .number(i.settings.numberOfReplicas))]))
                }
                o["indices"] = .object(idx)
            }
            // wait_for_status: a single node never gets better than it is now.
            if let want = req.params["wait_for_status"], want == "green", status != "green" {
                o["timed_out"] = true
                return RESTResponse(408, .object(o))
            }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "/_cluster/health", health)
        r.add([.GET], "/_cluster/health/{index}", health)
    }

    /// Index names for `{index}` expressions that write: a single concrete name.
    static func options(_ req: RESTRequest) throws(OpenSearchError) -> IndicesOptions {
        IndicesOptions(ignoreUnavailable: try req.bool("ignore_unavailable", default: false),
                       allowNoIndices: try req.bool("allow_no_indices", default: true))
    }
}
