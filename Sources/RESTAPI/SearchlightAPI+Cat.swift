import Index
import JSON
import Node

extension SearchlightAPI {
    static func registerCat(_ r: inout Router, _ node: Node) {
        let indices: Router.Handler = { req throws(OpenSearchError) in
            let list = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            var t = CatTable([
                .init(name: "health", aliases: ["h"]), .init(name: "status", aliases: ["s"]), .init(name: "index", aliases: ["i", "idx"]),
                .init(name: "uuid", aliases: ["id"]), .init(name: "pri", aliases: ["p", "shards.primary", "shardsPrimary"], numeric: true),
                .init(name: "rep", aliases: ["r", "shards.replica", "shardsReplica"], numeric: true),
                .init(name: "docs.count", aliases: ["dc", "docsCount"], numeric: true), .init(name: "docs.deleted", aliases: ["dd", "docsDeleted"], numeric: true),
                .init(name: "store.size", aliases: ["ss", "storeSize"], numeric: true), .init(name: "pri.store.size", numeric: true),
                .init(name: "creation.date", aliases: ["cd"], byDefault: false, numeric: true),
                .init(name: "creation.date.string", aliases: ["cds"], byDefault: false),
            ])
            let healthFilter = req.params["health"]
            if let h = healthFilter, !["green", "yellow", "red"].contains(h) {
                throw OpenSearchError.illegalArgument("No health color for [\(h)]")
            }
            for i in list {
                let health = i.health
                if let healthFilter, healthFilter != health { continue }
                let size = i.storeSizeBytes
                var created = CatTable.Cell(count: Int(i.createdMillis))
                created.text = String(i.createdMillis)
                t.rows.append([.init(health), .init("open"), .init(i.name), .init(i.uuid), .init(count: i.numberOfShards),
                               .init(count: i.settings.numberOfReplicas), .init(count: i.docCount), .init(count: i.deletedDocCount),
                               .init(bytes: size), .init(bytes: size), created,
                               .init(DateFormat.defaultDate.format(millis: i.createdMillis))])
            }
            return try t.render(req)
        }
        r.add([.GET], "/_cat/indices", indices)
        r.add([.GET], "/_cat/indices/{index}", indices)

        let aliases: Router.Handler = { req throws(OpenSearchError) in
            var t = CatTable([.init(name: "alias", aliases: ["a"]), .init(name: "index", aliases: ["i", "idx"]), .init(name: "filter", aliases: ["f", "fi"]),
                              .init(name: "routing.index", aliases: ["ri", "routingIndex"]), .init(name: "routing.search", aliases: ["rs", "routingSearch"]),
                              .init(name: "is_write_index", aliases: ["w", "isWriteIndex"])])
            let patterns = req[path: "name"].map { $0.split(separator: ",").map(String.init) }
            let md = node.clusterMetadata
            var rows: [(String, String, AliasMetadata)] = []
            for (index, m) in md.aliases { for (alias, a) in m { rows.append((alias, index, a)) } }
            rows.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            for (alias, index, a) in rows {
                if let patterns, !patterns.contains(where: { $0 == alias || $0 == "*" || $0 == "_all" || ($0.contains("*") && Wildcard.matches($0, alias)) }) { continue }
                t.rows.append([.init(alias), .init(index), .init(a.filter == nil ? "-" : "*"), .init(a.indexRouting ?? "-"),
                               .init(a.searchRouting ?? "-"), .init(a.isWriteIndex.map { String($0) } ?? "-")])
            }
            return try t.render(req)
        }
        let count: Router.Handler = { req throws(OpenSearchError) in
            let snaps = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            let n = snaps.reduce(0) { $0 + $1.docCount }
            let now = SearchExecutor.nowMillis()
            var t = CatTable([.init(name: "epoch", aliases: ["t", "time"], numeric: true, description: "seconds since 1970-01-01 00:00:00"),
                              .init(name: "timestamp", aliases: ["ts", "hms", "hhmmss"], description: "time in HH:MM:SS"),
                              .init(name: "count", aliases: ["dc", "docs.count", "docsCount"], numeric: true, description: "the document count")])
            let secs = now / 1000
            let hms = String(format: "%02d:%02d:%02d", Int(secs / 3600 % 24), Int(secs / 60 % 60), Int(secs % 60))
            t.rows.append([.init(count: Int(secs)), .init(hms), .init(count: n)])
            return try t.render(req)
        }
        r.add([.GET], "/_cat/count", count)
        r.add([.GET], "/_cat/count/{index}", count)
        r.add([.GET], "/_cat/aliases", aliases)
        r.add([.GET], "/_cat/aliases/{name}", aliases)

        let templates: Router.Handler = { req throws(OpenSearchError) in
            var t = CatTable([.init(name: "name", aliases: ["n"]), .init(name: "index_patterns", aliases: ["t"]),
                              .init(name: "order", aliases: ["o", "p"], numeric: true), .init(name: "version", aliases: ["v"], numeric: true),
                              .init(name: "composed_of", aliases: ["c"])])
            let expr = req[path: "name"]
            func bracket(_ a: [String]) -> String { "[" + a.joined(separator: ", ") + "]" }
            for n in node.templateNames(.legacy, expr) {
                guard let tp = node.template(.legacy, n) else { continue }
                var order = CatTable.Cell(count: Int(tp["order"]?.int64Value ?? 0))
                order.text = String(tp["order"]?.int64Value ?? 0)
                t.rows.append([.init(n), .init(bracket(Node.patterns(tp["index_patterns"]))), order,
                               .init(tp["version"]?.int64Value.map { String($0) } ?? ""), .init("")])
            }
            for n in node.templateNames(.composable, expr) {
                guard let tp = node.template(.composable, n) else { continue }
                t.rows.append([.init(n), .init(bracket(Node.patterns(tp["index_patterns"]))), .init(count: Int(tp["priority"]?.int64Value ?? 0)),
                               .init(tp["version"]?.int64Value.map { String($0) } ?? ""),
                               .init(bracket(tp["composed_of"]?.arrayValue?.compactMap(\.stringValue) ?? []))])
            }
            return try t.render(req)
        }
        r.add([.GET], "/_cat/templates", templates)
        r.add([.GET], "/_cat/templates/{name}", templates)

        let stats: Router.Handler = { req throws(OpenSearchError) in
            let list = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            let metrics = req[path: "metric"].map { Set($0.split(separator: ",").map(String.init)) }
            func block(_ docs: Int, _ deleted: Int, _ size: Int, _ indexed: Int, _ deletes: Int) -> JSONValue {
                var o = JSONObject()
                let all = metrics == nil || metrics!.contains("_all")
                if all || metrics!.contains("docs") { o["docs"] = ["count": .number(docs), "deleted": .number(deleted)] }
                if all || metrics!.contains("store") { o["store"] = ["size_in_bytes": .number(size), "reserved_in_bytes": 0] }
                if all || metrics!.contains("indexing") {
                    o["indexing"] = ["index_total": .number(indexed), "index_time_in_millis": 0, "index_current": 0, "index_failed": 0,
                                     "delete_total": .number(deletes), "delete_time_in_millis": 0, "delete_current": 0, "noop_update_total": 0,
                                     "is_throttled": false, "throttle_time_in_millis": 0]
                }
                return .object(o)
            }
            var per = JSONObject()
            var docs = 0, deleted = 0, size = 0, indexed = 0, deletes = 0, shards = 0, total = 0
            for i in list {
                let d = i.docCount, dd = i.deletedDocCount, s = i.storeSizeBytes, n = i.indexTotal, x = i.deleteTotal
                docs += d; deleted += dd; size += s; indexed += n; deletes += x
                shards += i.numberOfShards
                total += i.numberOfShards * (1 + i.settings.numberOfReplicas)
                per[i.name] = .object(JSONObject([("uuid", .string(i.uuid)), ("primaries", block(d, dd, s, n, x)), ("total", block(d, dd, s, n, x))]))
            }
            var o = JSONObject()
            o["_shards"] = ["total": .number(total), "successful": .number(shards), "failed": 0]
            o["_all"] = ["primaries": block(docs, deleted, size, indexed, deletes), "total": block(docs, deleted, size, indexed, deletes)]
            o["indices"] = .object(per)
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "/_stats", stats)
        r.add([.GET], "/_stats/{metric}", stats)
        r.add([.GET], "/{index}/_stats", stats)
        r.add([.GET], "/{index}/_stats/{metric}", stats)
    }
}
