import Index
import JSON
import Node

extension SearchlightAPI {
    static func registerTemplates(_ r: inout Router, _ node: Node) {
        // Composable index templates.
        r.add([.PUT, .POST], "/_index_template/{name}") { req throws(OpenSearchError) in
            try node.putIndexTemplate(req[path: "name"]!, try req.requiredJSON(), create: try req.bool("create", default: false))
            return .acknowledged
        }
        let getIndexTemplates: Router.Handler = { req throws(OpenSearchError) in
            let names = node.templateNames(.composable, req[path: "name"])
            if req.method == .HEAD { return RESTResponse(names.isEmpty ? 404 : 200, nil) }
            if names.isEmpty, let n = req[path: "name"], !n.contains("*") {
                throw OpenSearchError("resource_not_found_exception", "index template matching [\(n)] not found", status: 404)
            }
            let list: [JSONValue] = names.map { n in
                ["name": .string(n), "index_template": node.template(.composable, n) ?? .null]
            }
            return RESTResponse(200, ["index_templates": .array(list)])
        }
        r.add([.GET], "/_index_template", getIndexTemplates)
        r.add([.GET, .HEAD], "/_index_template/{name}", getIndexTemplates)
        r.add([.DELETE], "/_index_template/{name}") { req throws(OpenSearchError) in
            try node.deleteTemplates(.composable, req[path: "name"]!)
            return .acknowledged
        }
        r.add([.POST], "/_index_template/_simulate_index/{name}") { req throws(OpenSearchError) in
            let name = req[path: "name"]!
            let layers = try node.templateLayers(for: name)
            var settings = IndexSettings()
            for l in layers.settings { try settings.update(l) }
            var merged: JSONValue? = nil
            for l in layers.mappings { merged = merged.map { Node.mergeMappings($0, l) } ?? l }
            let mapping = try merged.map { m throws(OpenSearchError) in try Mapping.parse(m) } ?? Mapping()
            let aliases = JSONObject(layers.aliases.keys.sorted().map { ($0, layers.aliases[$0]!.json) })
            var o = JSONObject()
            o["template"] = ["settings": settings.json(), "mappings": mapping.json, "aliases": .object(aliases)]
            o["overlapping"] = .array([])
            return RESTResponse(200, .object(o))
        }

        // Component templates.
        r.add([.PUT, .POST], "/_component_template/{name}") { req throws(OpenSearchError) in
            try node.putComponentTemplate(req[path: "name"]!, try req.requiredJSON(), create: try req.bool("create", default: false))
            return .acknowledged
        }
        let getComponents: Router.Handler = { req throws(OpenSearchError) in
            let names = node.templateNames(.component, req[path: "name"])
            if req.method == .HEAD { return RESTResponse(names.isEmpty ? 404 : 200, nil) }
            if names.isEmpty, let n = req[path: "name"], !n.contains("*") {
                throw OpenSearchError("resource_not_found_exception", "component template matching [\(n)] not found", status: 404)
            }
            let list: [JSONValue] = names.map { n in
                ["name": .string(n), "component_template": node.template(.component, n) ?? .null]
            }
            return RESTResponse(200, ["component_templates": .array(list)])
        }
        r.add([.GET], "/_component_template", getComponents)
        r.add([.GET, .HEAD], "/_component_template/{name}", getComponents)
        r.add([.DELETE], "/_component_template/{name}") { req throws(OpenSearchError) in
            try node.deleteTemplates(.component, req[path: "name"]!)
            return .acknowledged
        }

        // Legacy templates.
        r.add([.PUT, .POST], "/_template/{name}") { req throws(OpenSearchError) in
            try node.putLegacyTemplate(req[path: "name"]!, try req.requiredJSON(), create: try req.bool("create", default: false),
                                       order: try req.int64("order"))
            return .acknowledged
        }
        let getLegacy: Router.Handler = { req throws(OpenSearchError) in
            let names = node.templateNames(.legacy, req[path: "name"])
            if req.method == .HEAD { return RESTResponse(names.isEmpty ? 404 : 200, nil) }
            let flat = try req.bool("flat_settings", default: false)
            var o = JSONObject()
            for n in names {
                guard case .object(var t)? = node.template(.legacy, n) else { continue }
                if flat, let s = t["settings"] { t["settings"] = ((try? IndexSettings.parse(s)) ?? IndexSettings()).json(flat: true) }
                o[n] = .object(t)
            }
            if names.isEmpty, req[path: "name"] != nil { return RESTResponse(404, .object(JSONObject())) }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "/_template", getLegacy)
        r.add([.GET, .HEAD], "/_template/{name}", getLegacy)
        r.add([.DELETE], "/_template/{name}") { req throws(OpenSearchError) in
            try node.deleteTemplates(.legacy, req[path: "name"]!)
            return .acknowledged
        }
    }
}
