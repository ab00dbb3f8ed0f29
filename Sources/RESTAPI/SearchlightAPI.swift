import Foundation
import Index
import JSON
import Node
import Security

/// All REST endpoints, bound to one node.
public struct SearchlightAPI: Sendable {
    public let node: Node
    public let router: Router
    public static let versionNumber = "2.17.0"

    public init(node: Node, testClock: ManualClock? = nil) {
        self.node = node
        var r = Router()
        SearchlightAPI.registerCluster(&r, node)
        SearchlightAPI.registerIndices(&r, node)
        SearchlightAPI.registerDocuments(&r, node)
        SearchlightAPI.registerBulk(&r, node)
        SearchlightAPI.registerSearch(&r, node)
        SearchlightAPI.registerAliases(&r, node)
        SearchlightAPI.registerTemplates(&r, node)
        SearchlightAPI.registerCat(&r, node)
        SearchlightAPI.registerRollover(&r, node)
        SearchlightAPI.registerLifecycle(&r, node, testClock: testClock)
        SearchlightAPI.registerUpdateByQuery(&r, node)
        SearchlightAPI.registerScripts(&r, node)
        SearchlightAPI.registerNodes(&r, node)
        SearchlightAPI.registerReindex(&r, node)
        SearchlightAPI.registerExport(&r, node)
        SearchlightAPI.registerProcessor(&r, node)
        SearchlightAPI.registerSQL(&r, node)
        SearchlightAPI.registerDashboard(&r, node)
        SearchlightAPI.registerSecurity(&r, node)
        SearchlightAPI.registerSnapshots(&r, node)
        SearchlightAPI.registerMetrics(&r, node)
        r.guardHook = { req, template throws(OpenSearchError) in try RoutePermissions.check(req, template, node) }
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
                    ("number", .string(node.compatVersion)),
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
            return ClusterHealth(node: node, indices: indices).response(req)
        }
        r.add([.GET], "/_cluster/health", health)
        r.add([.GET], "/_cluster/health/{index}", health)
    }

    /// Index names for `{index}` expressions that write: a single concrete name.
    static func options(_ req: RESTRequest) throws(OpenSearchError) -> IndicesOptions {
        var o = IndicesOptions(ignoreUnavailable: try req.bool("ignore_unavailable", default: false),
                               allowNoIndices: try req.bool("allow_no_indices", default: true))
        if let e = req.params["expand_wildcards"] {
            let parts = e.split(separator: ",")
            o.expandHidden = parts.contains("all") || parts.contains("hidden")
        }
        return o
    }
}
