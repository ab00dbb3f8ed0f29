import Foundation
import Index
import JSON
import Node
import Synchronization

extension SearchlightAPI {
    /// Cluster settings set through `PUT /_cluster/settings` (kept for the life of the process,
    /// like transient settings; persistent ones are echoed the same way).
    static let clusterSettings = Mutex<(persistent: JSONObject, transient: JSONObject)>((JSONObject(), JSONObject()))

    /// `search.max_buckets` as set (transient over persistent), else OpenSearch's 65,535.
    static var maxBuckets: Int {
        clusterSettings.withLock { s in
            (s.transient["search.max_buckets"] ?? s.persistent["search.max_buckets"])?.stringValue.flatMap { Int($0) }
        } ?? 65_535
    }

    /// The read APIs dashboards and clients probe: `_nodes`, `_nodes/stats`, `_cluster/settings`,
    /// `_cat/health`, `_cat/nodes`, `_field_caps`, `_resolve/index` and `_mapping/field`.
    static func nodeInfo(_ node: Node) -> JSONObject {
            JSONObject([
                ("name", .string(node.nodeName)), ("transport_address", "127.0.0.1:9300"), ("host", "127.0.0.1"), ("ip", "127.0.0.1"),
                ("version", .string(node.compatVersion)), ("build_type", "tar"), ("build_hash", "searchlight"),
                ("total_indexing_buffer", .number(48 << 20)),
                ("roles", .array(["cluster_manager", "data", "ingest"])), ("attributes", .object(JSONObject())),
                ("http", .object(JSONObject([("bound_address", .array(["127.0.0.1:9200"])), ("publish_address", "127.0.0.1:9200"),
                                            ("max_content_length_in_bytes", .number(100 << 20))]))),
            ])
    }

    static func nodesEnvelope(_ node: Node, _ nodes: JSONObject) -> JSONValue {
            .object(JSONObject([("_nodes", .object(JSONObject([("total", .number(nodes.count)), ("successful", .number(nodes.count)), ("failed", 0)]))),
                                ("cluster_name", .string(node.clusterName)), ("nodes", .object(nodes))]))
    }

    static func selects(_ node: Node, _ req: RESTRequest) -> Bool {
            guard let id = req[path: "node_id"] else { return true }
            return id.split(separator: ",").contains { ["_local", "_all", "_cluster_manager", "_master", "*", node.nodeID, node.nodeName].contains(String($0)) }
    }

    static func registerNodes(_ r: inout Router, _ node: Node) {
        let info: Router.Handler = { req throws(OpenSearchError) in
            var nodes = JSONObject()
            if selects(node, req) { nodes[node.nodeID] = .object(nodeInfo(node)) }
            return RESTResponse(200, nodesEnvelope(node, nodes))
        }
        r.add([.GET], "/_nodes", info)
        r.add([.GET], "/_nodes/{node_id}", info)
        r.add([.GET], "/_nodes/{node_id}/info/{metric}", info)

        let stats: Router.Handler = { req throws(OpenSearchError) in
            var nodes = JSONObject()
            if selects(node, req) {
                let indices = node.allIndices
                let docs = indices.reduce(0) { $0 + $1.docCount }, deleted = indices.reduce(0) { $0 + $1.deletedDocCount }
                let store = indices.reduce(0) { $0 + $1.storeSizeBytes }
                let indexed = indices.reduce(0) { $0 + $1.indexTotal }
                let rss = ProcessStats.residentBytes()
                let total = Int(ProcessInfo.processInfo.physicalMemory)
                var n = nodeInfo(node)
                n["timestamp"] = .int(SearchExecutor.nowMillis())
                n["indices"] = .object(JSONObject([
                    ("docs", .object(JSONObject([("count", .number(docs)), ("deleted", .number(deleted))]))),
                    ("store", .object(JSONObject([("size_in_bytes", .number(store))]))),
                    ("indexing", .object(JSONObject([("index_total", .number(indexed))]))),
                    ("segments", .object(JSONObject([("count", .number(indices.reduce(0) { $0 + $1.segmentCount }))]))),
                ]))
                n["process"] = .object(JSONObject([("mem", .object(JSONObject([("resident_in_bytes", .number(rss))])))]))
                n["os"] = .object(JSONObject([("mem", .object(JSONObject([("total_in_bytes", .number(total))])))]))
                n["jvm"] = .object(JSONObject([("mem", .object(JSONObject([("heap_used_in_bytes", .number(rss)), ("heap_used_percent", .number(total > 0 ? rss * 100 / total : 0)),
                                                                              ("heap_max_in_bytes", .number(total))])))]))
                nodes[node.nodeID] = .object(n)
            }
            return RESTResponse(200, nodesEnvelope(node, nodes))
        }
        r.add([.GET], "/_nodes/stats", stats)
        r.add([.GET], "/_nodes/stats/{metric}", stats)
        r.add([.GET], "/_nodes/{node_id}/stats", stats)
        r.add([.GET], "/_nodes/{node_id}/stats/{metric}", stats)

        r.add([.GET], "/_cluster/settings") { req throws(OpenSearchError) in
            let (p, t) = clusterSettings.withLock { $0 }
            var o = JSONObject([("persistent", .object(p)), ("transient", .object(t))])
            if try req.bool("include_defaults", default: false) {
                o["defaults"] = .object(JSONObject([("search", .object(JSONObject([("max_buckets", "65535"), ("max_keep_alive", "24h"),
                                                                                   ("max_open_scroll_context", "500")]))),
                                                    ("action", .object(JSONObject([("auto_create_index", "true")])))]))
            }
            return RESTResponse(200, .object(o))
        }
        r.add([.PUT], "/_cluster/settings") { req throws(OpenSearchError) in
            guard case .object(let body) = try req.requiredJSON() else { throw OpenSearchError.parsing("request body must be an object") }
            var acknowledged = JSONObject([("acknowledged", true)])
            var changed: [(String, JSONObject)] = []
            for (k, v) in body {
                guard k == "persistent" || k == "transient" else {
                    throw OpenSearchError.illegalArgument("request [/_cluster/settings] contains unrecognized parameter: [\(k)]")
                }
                guard case .object(let o) = v else { throw OpenSearchError.parsing("[\(k)] must be an object") }
                changed.append((k, o))
            }
            clusterSettings.withLock { s in
                for (k, o) in changed {
                    for (key, value) in flatten(o, "") {
                        if k == "persistent" {
                            if value.isNull { s.persistent[key] = nil } else { s.persistent[key] = .string(value.stringValue ?? JSONWriter.string(value)) }
                        } else {
                            if value.isNull { s.transient[key] = nil } else { s.transient[key] = .string(value.stringValue ?? JSONWriter.string(value)) }
                        }
                    }
                }
                acknowledged["persistent"] = .object(s.persistent)
                acknowledged["transient"] = .object(s.transient)
            }
            return RESTResponse(200, .object(acknowledged))
        }

        r.add([.GET], "/_cat/health") { req throws(OpenSearchError) in
            let indices = node.allIndices
            let shards = indices.reduce(0) { $0 + $1.numberOfShards }
            let status = indices.contains { $0.health == "red" } ? "red"
                : indices.contains { ($0.settings["index.number_of_replicas"].flatMap { Int($0) } ?? 1) > 0 } ? "yellow" : "green"
            var t = CatTable([
                .init(name: "epoch", aliases: ["t", "time"], numeric: true), .init(name: "timestamp", aliases: ["ts", "hms", "hhmmss"]),
                .init(name: "cluster", aliases: ["cl"]), .init(name: "status", aliases: ["st"]),
                .init(name: "node.total", aliases: ["nt", "nodeTotal"], numeric: true), .init(name: "node.data", aliases: ["nd", "nodeData"], numeric: true),
                .init(name: "discovered_cluster_manager", aliases: ["dcm"]), .init(name: "shards", aliases: ["t", "sh", "shards.total"], numeric: true),
                .init(name: "pri", aliases: ["p", "shards.primary"], numeric: true), .init(name: "relo", aliases: ["r", "shards.relocating"], numeric: true),
                .init(name: "init", aliases: ["i", "shards.initializing"], numeric: true), .init(name: "unassign", aliases: ["u", "shards.unassigned"], numeric: true),
                .init(name: "pending_tasks", aliases: ["pt", "pendingTasks"], numeric: true), .init(name: "max_task_wait_time", aliases: ["mtwt"]),
                .init(name: "active_shards_percent", aliases: ["asp"]),
            ])
            let secs = SearchExecutor.nowMillis() / 1000
            let hms = String(format: "%02d:%02d:%02d", Int(secs / 3600 % 24), Int(secs / 60 % 60), Int(secs % 60))
            t.rows.append([.init(count: Int(secs)), .init(hms), .init(node.clusterName), .init(status), .init(count: 1), .init(count: 1),
                           .init("true"), .init(count: shards), .init(count: shards), .init(count: 0), .init(count: 0),
                           .init(count: status == "yellow" ? shards : 0), .init(count: 0), .init("-"),
                           .init(status == "yellow" && shards > 0 ? "50.0%" : "100.0%")])
            return try t.render(req)
        }
        r.add([.GET], "/_cat/nodes") { req throws(OpenSearchError) in
            let total = Double(ProcessInfo.processInfo.physicalMemory)
            let rss = Double(ProcessStats.residentBytes())
            var t = CatTable([
                .init(name: "ip", aliases: ["i"]), .init(name: "heap.percent", aliases: ["hp", "heapPercent"], numeric: true),
                .init(name: "ram.percent", aliases: ["rp", "ramPercent"], numeric: true), .init(name: "cpu", numeric: true),
                .init(name: "load_1m", aliases: ["l"]), .init(name: "load_5m", aliases: ["l"]), .init(name: "load_15m", aliases: ["l"]),
                .init(name: "node.role", aliases: ["r", "role", "nodeRole"]), .init(name: "node.roles", aliases: ["rs", "all roles"]),
                .init(name: "cluster_manager", aliases: ["cm", "m", "master"]), .init(name: "name", aliases: ["n"]),
                .init(name: "id", aliases: ["nodeId"], byDefault: false),
            ])
            let load = ProcessStats.loadAverages()
            t.rows.append([.init("127.0.0.1"), .init(count: total > 0 ? Int(rss * 100 / total) : 0), .init(count: total > 0 ? Int(rss * 100 / total) : 0),
                           .init(count: 0), .init(String(format: "%.2f", load.0)), .init(String(format: "%.2f", load.1)), .init(String(format: "%.2f", load.2)),
                           .init("dim"), .init("cluster_manager,data,ingest"), .init("*"), .init(node.nodeName), .init(node.nodeID)])
            return try t.render(req)
        }

        let fieldCaps: Router.Handler = { req throws(OpenSearchError) in
            var patterns = req.params["fields"].map { $0.split(separator: ",").map(String.init) } ?? []
            if case .object(let o)? = try req.json(), case .array(let a)? = o["fields"] { patterns += a.compactMap(\.stringValue) }
            guard !patterns.isEmpty else { throw OpenSearchError.actionValidation(["specified fields can't be null or empty"]) }
            let snaps = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            // field → type → indices having it with that type
            var byField: [String: [String: [String]]] = [:]
            var order: [String] = []
            for snap in snaps {
                var fields = snap.mapping.leafFields.map { ($0.0, $0.1.type.rawValue) }
                fields += [("_id", "_id"), ("_index", "_index"), ("_source", "_source")]
                for (path, type) in fields where patterns.contains(where: { Glob.matches($0, path) }) {
                    if byField[path] == nil { order.append(path) }
                    byField[path, default: [:]][type, default: []].append(snap.indexName)
                }
            }
            var out = JSONObject()
            for path in order.sorted() {
                var types = JSONObject()
                let perType = byField[path]!
                for (type, idx) in perType.sorted(by: { $0.key < $1.key }) {
                    let searchable = !["_source", "object", "binary"].contains(type)
                    let aggregatable = !["text", "match_only_text", "_source", "object", "binary"].contains(type)
                    var caps = JSONObject([("type", .string(type)), ("searchable", .bool(searchable)), ("aggregatable", .bool(aggregatable))])
                    if perType.count > 1 { caps["indices"] = .array(idx.map { .string($0) }) }
                    types[type] = .object(caps)
                }
                out[path] = .object(types)
            }
            return RESTResponse(200, .object(JSONObject([("indices", .array(snaps.map { .string($0.indexName) })), ("fields", .object(out))])))
        }
        r.add([.GET, .POST], "/_field_caps", fieldCaps)
        r.add([.GET, .POST], "/{index}/_field_caps", fieldCaps)

        r.add([.GET], "/_resolve/index/{name}") { req throws(OpenSearchError) in
            let expr = req[path: "name"] ?? "*"
            var opts = try options(req)
            opts.ignoreUnavailable = true
            let matched = try node.resolve(expr, options: opts, includeAliases: false)
            var indices: [JSONValue] = []
            for svc in matched.sorted(by: { $0.name < $1.name }) {
                let aliases = node.aliases(of: svc.name).keys.sorted()
                var o = JSONObject([("name", .string(svc.name))])
                if !aliases.isEmpty { o["aliases"] = .array(aliases.map { .string($0) }) }
                o["attributes"] = .array(["open"])
                indices.append(.object(o))
            }
            var aliasesOut: [JSONValue] = []
            var byAlias: [String: [String]] = [:]
            let patterns = expr.split(separator: ",").map(String.init)
            for svc in node.allIndices {
                for alias in node.aliases(of: svc.name).keys where patterns.contains(where: { Glob.matches($0, alias) }) {
                    byAlias[alias, default: []].append(svc.name)
                }
            }
            for (alias, idx) in byAlias.sorted(by: { $0.key < $1.key }) {
                aliasesOut.append(.object(JSONObject([("name", .string(alias)), ("indices", .array(idx.sorted().map { .string($0) }))])))
            }
            return RESTResponse(200, .object(JSONObject([("indices", .array(indices)), ("aliases", .array(aliasesOut)), ("data_streams", .array([]))])))
        }

        let fieldMapping: Router.Handler = { req throws(OpenSearchError) in
            let patterns = (req[path: "fields"] ?? "*").split(separator: ",").map(String.init)
            let snaps = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            var out = JSONObject()
            for snap in snaps.sorted(by: { $0.indexName < $1.indexName }) {
                var mappings = JSONObject()
                for (path, f) in snap.mapping.leafFields where patterns.contains(where: { Glob.matches($0, path) }) {
                    let leaf = String(path.split(separator: ".").last ?? Substring(path))
                    var m = JSONObject([("type", .string(f.type.rawValue))])
                    for (k, v) in f.params { m[k] = v }
                    mappings[path] = .object(JSONObject([("full_name", .string(path)), ("mapping", .object(JSONObject([(leaf, .object(m))])))]))
                }
                out[snap.indexName] = .object(JSONObject([("mappings", .object(mappings))]))
            }
            return RESTResponse(200, .object(out))
        }
        r.add([.GET], "/_mapping/field/{fields}", fieldMapping)
        r.add([.GET], "/{index}/_mapping/field/{fields}", fieldMapping)
    }

    /// `{"a":{"b":1}}` → `[("a.b", 1)]`.
    static func flatten(_ o: JSONObject, _ prefix: String) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        for (k, v) in o {
            let key = prefix.isEmpty ? k : prefix + "." + k
            if case .object(let inner) = v { out += flatten(inner, key) } else { out.append((key, v)) }
        }
        return out
    }
}

/// Simple `*` wildcards for field and name patterns.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        if pattern == "*" { return true }
        if !pattern.contains("*") { return pattern == text }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        if let first = parts.first, !first.isEmpty {
            guard rest.hasPrefix(first) else { return false }
            rest = rest.dropFirst(first.count)
        }
        for (i, part) in parts.enumerated().dropFirst() where !part.isEmpty {
            if i == parts.count - 1 { return rest.hasSuffix(part) }
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }
}

/// Process and machine figures for `_nodes/stats` and `_cat/nodes`, from /proc where present.
enum ProcessStats {
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let parts = s.split(separator: " ")
        guard parts.count > 1, let pages = Int(parts[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func loadAverages() -> (Double, Double, Double) {
        guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return (0, 0, 0) }
        let p = s.split(separator: " ").compactMap { Double($0) }
        return p.count >= 3 ? (p[0], p[1], p[2]) : (0, 0, 0)
    }
}
