import Index
import JSON
import Node
import Security
import SQL

/// What each endpoint needs, checked before its handler runs (`Router.guardHook`) when a user is
/// authenticated. Index permissions apply to concrete indices: an expression is resolved through
/// the node (wildcards, aliases), and every index it reaches must be allowed — an alias that
/// leads to a forbidden index is forbidden. A name that doesn't exist yet is checked as written.
/// `_bulk` items and `_msearch` searches are checked one by one in their handlers; scrolls and
/// points in time by their owner in `Node`.
enum RoutePermissions {
    enum Requirement: Equatable {
        /// Any authenticated user (`GET /`, authinfo).
        case authenticated
        case cluster(Action)
        /// `action` on the indices named by path parameter `param` (all indices when absent).
        case index(Action, param: String)
        /// Checked from the body here (`_mget`, `_aliases`, `_reindex`, the processor, PIT search).
        case body
        /// Checked by the handler itself (`_bulk`, `_msearch`, scroll, PIT delete).
        case handler
    }

    static func index(_ a: Action) -> Requirement { .index(a, param: "index") }

    /// The requirement of `method` on route `template`. Unlisted routes need `cluster_all`.
    static func requirement(_ method: RESTRequest.Method, _ template: String) -> Requirement {
        let read = method == .GET || method == .HEAD
        switch template {
        case "/", "/_plugins/_security/authinfo", "/_dashboard", "/_dashboard/{asset}": return .authenticated
        case "/_plugins/_sql", "/_plugins/_sql/_explain", "/_opendistro/_sql", "/_opendistro/_sql/_explain": return .body
        case "/_cluster/health", "/_cluster/health/{index}", "/_cat/health": return .cluster(.clusterHealth)
        case "/_cat/nodes", "/_nodes", "/_nodes/{node_id}", "/_nodes/{node_id}/info/{metric}", "/_nodes/stats",
             "/_nodes/stats/{metric}", "/_nodes/{node_id}/stats", "/_nodes/{node_id}/stats/{metric}":
            return .cluster(.nodesInfo)
        case "/_tasks", "/_tasks/{task_id}": return .cluster(.tasks)
        case "/_prometheus/metrics": return .cluster(.prometheusMetrics)
        case "/_snapshot", "/_snapshot/{repository}":
            return .cluster(read ? .repositoryGet : method == .DELETE ? .repositoryDelete : .repositoryPut)
        case "/_snapshot/{repository}/_verify": return .cluster(.repositoryVerify)
        case "/_snapshot/{repository}/{snapshot}", "/_snapshot/{repository}/{snapshot}/_status":
            return .cluster(read ? .snapshotGet : method == .DELETE ? .snapshotDelete : .snapshotCreate)
        case "/_snapshot/{repository}/{snapshot}/_restore": return .cluster(.snapshotRestore)
        case "/_cluster/settings": return .cluster(read ? .clusterSettingsGet : .clusterSettingsPut)
        case "/_cat/templates", "/_cat/templates/{name}", "/_index_template/_simulate_index/{name}": return .cluster(.templateGet)
        case "/_scripts/painless/_execute": return .cluster(.scriptExecute)
        case "/_scripts/{id}": return .cluster(read ? .scriptGet : .scriptPut)
        case "/_search/point_in_time/_all": return .cluster(read ? .pitAll : .pitDeleteAll)
        case "/_search/point_in_time", "/_search/scroll", "/_search/scroll/{scroll_id}": return .handler
        case "/_bulk", "/{index}/_bulk", "/_msearch", "/{index}/_msearch": return .handler
        case "/{index}/_search/point_in_time": return index(.pitCreate)
        case "/_search": return .body
        case "/{index}/_search", "/_count", "/{index}/_count", "/_cat/count", "/_cat/count/{index}": return index(.search)
        case "/_mget", "/{index}/_mget", "/_reindex", "/_processor/cloudwatch": return .body
        // (`where` binds to one pattern only, hence one case per template.)
        case "/_aliases" where !read: return .body
        case "/_alias" where !read: return .body
        case "/_alias/{name}" where !read: return .body
        case "/_aliases/{name}" where !read: return .body
        case "/{index}/_doc/{id}": return index(read ? .get : method == .DELETE ? .delete : .index)
        case "/{index}/_doc", "/{index}/_create/{id}": return index(.index)
        case "/{index}/_source/{id}": return index(.get)
        case "/{index}/_update/{id}": return index(.update)
        case "/{index}/_update_by_query": return index(.updateByQuery)
        case "/{index}": return index(method == .PUT ? .createIndex : method == .DELETE ? .deleteIndex : .indexGet)
        case "/_mapping", "/{index}/_mapping": return index(read ? .mappingGet : .mappingPut)
        case "/_mapping/field/{fields}", "/{index}/_mapping/field/{fields}": return index(.mappingGet)
        case "/_settings", "/{index}/_settings": return index(read ? .settingsGet : .settingsPut)
        case "/_refresh", "/{index}/_refresh", "/_flush", "/{index}/_flush": return index(.refresh)
        case "/_forcemerge", "/{index}/_forcemerge": return index(.forceMerge)
        case "/_stats", "/_stats/{metric}", "/{index}/_stats", "/{index}/_stats/{metric}", "/_cat/indices", "/_cat/indices/{index}":
            return index(.stats)
        case "/_cat/aliases", "/_cat/aliases/{name}", "/_alias/{name}", "/_aliases/{name}": return .index(.aliasesGet, param: "name")
        case "/_alias", "/_aliases", "/{index}/_alias", "/{index}/_aliases": return index(read ? .aliasesGet : .aliases)
        case "/{index}/_alias/{name}", "/{index}/_aliases/{name}": return index(read ? .aliasesGet : .aliases)
        case "/{index}/_rollover", "/{index}/_rollover/{new_index}": return index(.rollover)
        case "/_field_caps", "/{index}/_field_caps": return index(.fieldCaps)
        case "/_resolve/index/{name}": return .index(.resolveIndex, param: "name")
        case "/_export/csv", "/{index}/_export/csv": return index(.export)
        default:
            if template.hasPrefix("/_index_template") || template.hasPrefix("/_component_template") || template.hasPrefix("/_template") {
                return .cluster(read ? .templateGet : .templatePut)
            }
            if template.hasPrefix("/_plugins/_ism/") {
                if template.hasPrefix("/_plugins/_ism/policies") { return .cluster(read ? .ismGet : .ismWrite) }
                if template.hasPrefix("/_plugins/_ism/explain") { return index(.ismExplain) }
                if template.hasPrefix("/_plugins/_ism/add") || template.hasPrefix("/_plugins/_ism/remove") { return index(.ismManage) }
            }
            return .cluster(.clusterAdmin)
        }
    }

    /// The guard: throws 403 unless `req.principal` may run route `template`.
    static func check(_ req: RESTRequest, _ template: String, _ node: Node) throws(OpenSearchError) {
        guard let p = req.principal else { return }
        switch requirement(req.method, template) {
        case .authenticated, .handler: return
        case .cluster(let a): try cluster(p, a)
        case .index(let a, let param):
            try indices(p, a, req[path: param] ?? "_all", node, expandHidden: expandHidden(req))
        case .body: try checkBody(req, template, p, node)
        }
    }

    static func cluster(_ p: Principal, _ a: Action) throws(OpenSearchError) {
        do throws(SecurityError) { try p.checkCluster(a) } catch { throw openSearchError(error) }
    }

    /// Throws 403 unless `action` is allowed on every index `expression` reaches.
    static func indices(_ p: Principal, _ action: Action, _ expression: String, _ node: Node, expandHidden: Bool = false) throws(OpenSearchError) {
        do throws(SecurityError) { try p.check(action, indices: targets(expression, node, expandHidden: expandHidden)) } catch {
            throw openSearchError(error)
        }
    }

    /// Whether `action` is allowed on everything `expression` reaches (for per-item checks).
    static func allows(_ p: Principal, _ action: Action, _ expression: String, _ node: Node) -> Bool {
        targets(expression, node, expandHidden: false).allSatisfy { p.allows(action, index: $0) }
    }

    /// The concrete indices `expression` reaches, plus names that exist neither as index nor alias.
    static func targets(_ expression: String, _ node: Node, expandHidden: Bool) -> [String] {
        var options = IndicesOptions(ignoreUnavailable: true, allowNoIndices: true)
        options.expandHidden = expandHidden
        var out = ((try? node.resolve(expression, options: options)) ?? []).map(\.name)
        let aliases = node.clusterMetadata.aliasNames
        for part in expression.split(separator: ",").map(String.init)
        where !part.hasPrefix("-") && !part.contains("*") && part != "_all" && node.index(named: part) == nil && !aliases.contains(part) {
            out.append(part)
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    static func expandHidden(_ req: RESTRequest) -> Bool {
        guard let e = req.params["expand_wildcards"] else { return false }
        return e.split(separator: ",").contains { $0 == "all" || $0 == "hidden" }
    }

    static func openSearchError(_ e: SecurityError) -> OpenSearchError {
        switch e {
        case .unauthenticated: return OpenSearchError("security_exception", e.message, status: 401)
        case .forbidden: return OpenSearchError("security_exception", e.message, status: 403)
        case .throttled: return OpenSearchError("rejected_execution_exception", e.message, status: 429)
        case .usersFile: return OpenSearchError("security_exception", e.message, status: 500)
        }
    }

    /// Body-dependent checks. A malformed body is left for the handler to reject with its own
    /// error, but only after the indices it could name are known to be allowed.
    static func checkBody(_ req: RESTRequest, _ template: String, _ p: Principal, _ node: Node) throws(OpenSearchError) {
        let body = try? req.json()
        func names(_ v: JSONValue?) -> [String] {
            guard let v else { return [] }
            if let s = v.stringValue { return s.split(separator: ",").map(String.init) }
            return v.arrayValue?.compactMap(\.stringValue) ?? []
        }
        switch template {
        case "/_search":
            // A point-in-time search names no index: its owner check is in `Node`.
            if case .object(let o)? = body, o["pit"] != nil { return }
            try indices(p, .search, "_all", node, expandHidden: expandHidden(req))
        case "/_mget", "/{index}/_mget":
            var wanted = req[path: "index"].map { [$0] } ?? []
            if case .array(let docs)? = body?["docs"] { wanted += docs.flatMap { names($0["_index"]) } }
            if wanted.isEmpty { wanted = ["_all"] }
            for w in wanted { try indices(p, .mget, w, node) }
        case "/_plugins/_sql", "/_plugins/_sql/_explain", "/_opendistro/_sql", "/_opendistro/_sql/_explain":
            // The FROM index pattern needs search permission; a query that doesn't parse is left to
            // the handler's SQL error.
            guard let text = body?["query"]?.stringValue, let select = try? SQLParser.parse(text) else { return }
            try indices(p, .search, select.index, node)
        case "/_reindex":
            let sources = names(body?["source"]?["index"])
            for s in sources.isEmpty ? ["_all"] : sources { try indices(p, .search, s, node) }
            let dest = names(body?["dest"]?["index"])
            for d in dest.isEmpty ? ["_all"] : dest { try indices(p, .reindexWrite, d, node) }
        case "/_processor/cloudwatch":
            let c = try SearchlightAPI.processorConfiguration(req)
            var targets: [String] = []
            if c.writeEvents { targets.append(c.eventsIndexPrefix + "*") }
            if c.writeSummaries { targets.append(c.summariesIndex) }
            do throws(SecurityError) {
                try p.check(.bulkItem, indices: targets)
                if c.writeSummaries { try p.check(.createIndex, indices: [c.summariesIndex]) }
            } catch { throw openSearchError(error) }
        case "/_aliases":
            // Every action's indices need `indices:admin/aliases`.
            guard case .array(let actions)? = body?["actions"] else { try indices(p, .aliases, "_all", node); return }
            for a in actions {
                guard case .object(let o) = a else { continue }
                for (_, spec) in o {
                    let list = names(spec["index"]) + names(spec["indices"])
                    for i in list.isEmpty ? ["_all"] : list { try indices(p, .aliases, i, node) }
                }
            }
        default:
            // PUT /_alias, /_alias/{name}, /_aliases/{name}: the body's index or indices.
            let list = names(body?["index"]) + names(body?["indices"])
            for i in list.isEmpty ? ["_all"] : list { try indices(p, .aliases, i, node) }
        }
    }
}
