import Foundation
import Index
import JSON
import Node

extension SearchlightAPI {
    static func registerIndices(_ r: inout Router, _ node: Node) {
        r.add([.PUT], "/{index}") { req throws(OpenSearchError) in
            let name = req[path: "index"]!
            let svc = try node.createIndex(name, body: try req.json())
            return RESTResponse(200, ["acknowledged": true, "shards_acknowledged": true, "index": .string(svc.name)])
        }
        r.add([.GET], "/{index}") { req throws(OpenSearchError) in
            let indices = try node.resolve(req[path: "index"]!, options: try options(req))
            let flat = try req.bool("flat_settings", default: false)
            var o = JSONObject()
            for i in indices { o[i.name] = indexJSON(i, flat: flat, node: node) }
            return RESTResponse(200, .object(o))
        }
        r.add([.HEAD], "/{index}") { req throws(OpenSearchError) in
            do {
                let found = try node.resolve(req[path: "index"]!, options: IndicesOptions(ignoreUnavailable: false, allowNoIndices: false))
                return RESTResponse(found.isEmpty ? 404 : 200, nil)
            } catch {
                return RESTResponse(404, nil)
            }
        }
        r.add([.DELETE], "/{index}") { req throws(OpenSearchError) in
            _ = try node.deleteIndices(req[path: "index"]!, options: try options(req))
            return .acknowledged
        }
        let getMapping: Router.Handler = { req throws(OpenSearchError) in
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            var o = JSONObject()
            for i in indices { o[i.name] = ["mappings": i.mapping.json] }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "/_mapping", getMapping)
        r.add([.GET], "/{index}/_mapping", getMapping)
        r.add([.PUT, .POST], "/{index}/_mapping") { req throws(OpenSearchError) in
            let body = try req.requiredJSON()
            let indices = try node.resolve(req[path: "index"]!, options: try options(req))
            for i in indices { if let block = i.metadataBlock { throw block } }
            // Validate against every target before changing any.
            for i in indices { var m = i.mapping; try m.merge(body) }
            for i in indices { try i.putMapping(body) }
            return .acknowledged
        }
        let getSettings: Router.Handler = { req throws(OpenSearchError) in
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            let flat = try req.bool("flat_settings", default: false)
            var o = JSONObject()
            for i in indices { o[i.name] = ["settings": i.settings.json(flat: flat)] }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "/_settings", getSettings)
        r.add([.GET], "/{index}/_settings", getSettings)
        r.add([.PUT], "/{index}/_settings") { req throws(OpenSearchError) in
            let body = try req.requiredJSON()
            let inner = body["settings"] ?? body
            let indices = try node.resolve(req[path: "index"]!, options: try options(req))
            let onlyBlocks = IndexSettings.flatKeys(inner).allSatisfy { $0.hasPrefix("index.blocks.") || $0.hasPrefix("blocks.") }
            for i in indices {
                if !onlyBlocks, let block = i.metadataBlock { throw block }
                var s = i.settings
                try s.update(inner)
                for k in ["index.number_of_shards"] where s[k] != i.settings[k] {
                    throw OpenSearchError.illegalArgument("Can't update non dynamic settings [[\(k)]] for open indices [[\(i.name)/\(i.uuid)]]")
                }
            }
            for i in indices { try i.updateSettings(inner) }
            return .acknowledged
        }
        let refresh: Router.Handler = { req throws(OpenSearchError) in
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            for i in indices { try await i.refresh() }
            let primaries = indices.reduce(0) { $0 + $1.numberOfShards }
            let total = indices.reduce(0) { $0 + $1.numberOfShards * (1 + $1.settings.numberOfReplicas) }
            return RESTResponse(200, ["_shards": ["total": .number(total), "successful": .number(primaries), "failed": 0]])
        }
        r.add([.POST, .GET], "/_refresh", refresh)
        r.add([.POST, .GET], "/{index}/_refresh", refresh)
        // Every refresh commits (segments fsynced, commit point written, translog trimmed), so a
        // flush is a refresh.
        r.add([.POST, .GET], "/_flush", refresh)
        r.add([.POST, .GET], "/{index}/_flush", refresh)
        let forceMerge: Router.Handler = { req throws(OpenSearchError) in
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            var max = 1
            if let m = req.params["max_num_segments"] {
                guard let v = Int(m), v >= 1 else { throw OpenSearchError.illegalArgument("max_num_segments must be a positive number, got [\(m)]") }
                max = v
            }
            for i in indices { try await i.forceMerge(maxSegments: max) }
            let primaries = indices.reduce(0) { $0 + $1.numberOfShards }
            let total = indices.reduce(0) { $0 + $1.numberOfShards * (1 + $1.settings.numberOfReplicas) }
            return RESTResponse(200, ["_shards": ["total": .number(total), "successful": .number(primaries), "failed": 0]])
        }
        r.add([.POST], "/_forcemerge", forceMerge)
        r.add([.POST], "/{index}/_forcemerge", forceMerge)
    }

    static func indexJSON(_ i: IndexService, flat: Bool, node: Node) -> JSONValue {
        let aliases = node.aliases(of: i.name)
        let rendered = JSONObject(aliases.keys.sorted().map { ($0, aliases[$0]!.json) })
        return .object(JSONObject([("aliases", .object(rendered)), ("mappings", i.mapping.json), ("settings", i.settings.json(flat: flat))]))
    }
}
