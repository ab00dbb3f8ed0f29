import Index
import JSON
import Node

extension SearchlightAPI {
    static func registerAliases(_ r: inout Router, _ node: Node) {
        r.add([.POST], "/_aliases") { req throws(OpenSearchError) in
            let body = try req.requiredJSON()
            guard case .array(let list)? = body["actions"] else {
                throw OpenSearchError.actionValidation(["Must specify at least one alias action"])
            }
            if list.isEmpty { throw OpenSearchError.actionValidation(["Must specify at least one alias action"]) }
            var actions: [AliasAction] = []
            for item in list {
                guard case .object(let o) = item, o.count == 1, let (kind, spec) = o.first(where: { _ in true }), case .object(let s) = spec else {
                    throw OpenSearchError.parsing("[aliases] failed to parse field [actions]")
                }
                actions.append(try parseAliasAction(kind, s))
            }
            try node.updateAliases(actions)
            return .acknowledged
        }
        let put: Router.Handler = { req throws(OpenSearchError) in
            var def = try req.json()?.objectValue ?? JSONObject()
            // The body's `index` and `alias` override the path's.
            var indices = req[path: "index"].map { $0.split(separator: ",").map(String.init) } ?? []
            var names = req[path: "name"].map { $0.split(separator: ",").map(String.init) } ?? []
            if let i = def["index"] { indices = i.stringValue.map { [$0] } ?? i.arrayValue?.compactMap(\.stringValue) ?? indices; def["index"] = nil }
            if let i = def["indices"] { indices = i.arrayValue?.compactMap(\.stringValue) ?? indices; def["indices"] = nil }
            if let a = def["alias"] { names = a.stringValue.map { [$0] } ?? names; def["alias"] = nil }
            if let a = def["aliases"] { names = a.arrayValue?.compactMap(\.stringValue) ?? names; def["aliases"] = nil }
            if indices.isEmpty { throw OpenSearchError.actionValidation(["index is missing"]) }
            if names.isEmpty { throw OpenSearchError.actionValidation(["alias is missing"]) }
            let alias = try AliasMetadata.parse(def, strict: true)
            try node.updateAliases([.add(indices: indices, aliases: names, alias: alias, mustExist: nil)])
            return .acknowledged
        }
        r.add([.PUT, .POST], "/_alias", put)
        r.add([.PUT, .POST], "/_aliases/{name}", put)
        r.add([.PUT, .POST], "/_alias/{name}", put)
        r.add([.PUT, .POST], "/{index}/_alias", put)
        r.add([.PUT, .POST], "/{index}/_aliases", put)
        let delete: Router.Handler = { req throws(OpenSearchError) in
            let names = req[path: "name"]!.split(separator: ",").map(String.init)
            try node.updateAliases([.remove(indices: [req[path: "index"]!], aliases: names, mustExist: nil)])
            return .acknowledged
        }
        for seg in ["_alias", "_aliases"] {
            r.add([.PUT, .POST], "/{index}/\(seg)/{name}", put)
            r.add([.DELETE], "/{index}/\(seg)/{name}", delete)
        }
        let get: Router.Handler = { req throws(OpenSearchError) in
            try aliasResponse(node, req)
        }
        r.add([.GET, .HEAD], "/_alias", get)
        r.add([.GET, .HEAD], "/_alias/{name}", get)
        r.add([.GET, .HEAD], "/{index}/_alias", get)
        r.add([.GET, .HEAD], "/{index}/_alias/{name}", get)
        r.add([.GET], "/_aliases", get)
        r.add([.GET], "/{index}/_aliases", get)
        r.add([.GET, .HEAD], "/{index}/_aliases/{name}", get)
    }

    static func parseAliasAction(_ kind: String, _ s: JSONObject) throws(OpenSearchError) -> AliasAction {
        func names(_ one: String, _ many: String) throws(OpenSearchError) -> [String] {
            var out: [String] = []
            if let v = s[one] {
                guard let str = v.stringValue else { throw OpenSearchError.parsing("[\(kind)] \(one) must be a string") }
                out.append(str)
            }
            if let v = s[many] {
                guard case .array(let a) = v else {
                    if let str = v.stringValue { out.append(str); return out }
                    throw OpenSearchError.parsing("[\(kind)] \(many) must be an array")
                }
                if a.isEmpty { throw OpenSearchError.illegalArgument("[\(many)] can't be empty") }
                out += a.compactMap(\.stringValue)
            }
            return out
        }
        let indices = try names("index", "indices")
        let mustExist = s["must_exist"].flatMap { $0.boolValue ?? ($0.stringValue.map { $0 == "true" }) }
        switch kind {
        case "add":
            let aliases = try names("alias", "aliases")
            if indices.isEmpty { throw OpenSearchError.actionValidation(["One of [index] or [indices] is required"]) }
            if aliases.isEmpty { throw OpenSearchError.actionValidation(["One of [alias] or [aliases] is required"]) }
            var def = s
            for k in ["index", "indices", "alias", "aliases", "must_exist"] { def[k] = nil }
            for (k, _) in def where !["filter", "routing", "index_routing", "search_routing", "is_write_index", "is_hidden"].contains(k) {
                throw OpenSearchError.parsing("[\(kind)] unknown field [\(k)]")
            }
            return .add(indices: indices, aliases: aliases, alias: try AliasMetadata.parse(def), mustExist: mustExist)
        case "remove":
            let aliases = try names("alias", "aliases")
            if indices.isEmpty { throw OpenSearchError.actionValidation(["One of [index] or [indices] is required"]) }
            if aliases.isEmpty { throw OpenSearchError.actionValidation(["One of [alias] or [aliases] is required"]) }
            return .remove(indices: indices, aliases: aliases, mustExist: mustExist)
        case "remove_index":
            if indices.isEmpty { throw OpenSearchError.actionValidation(["One of [index] or [indices] is required"]) }
            if s["alias"] != nil || s["aliases"] != nil {
                throw OpenSearchError.illegalArgument("[remove_index] doesn't support [aliases]")
            }
            return .removeIndex(indices: indices)
        default:
            throw OpenSearchError.parsing("[aliases] failed to parse field [actions]")
        }
    }

    /// `GET /_alias[/{name}]`, `GET /{index}/_alias[/{name}]` and their HEAD forms.
    static func aliasResponse(_ node: Node, _ req: RESTRequest) throws(OpenSearchError) -> RESTResponse {
        let head = req.method == .HEAD
        let indices: [IndexService]
        if let expr = req[path: "index"] {
            do throws(OpenSearchError) { indices = try node.resolve(expr, options: try options(req)) } catch {
                if head { return RESTResponse(404, nil) }
                throw error
            }
        } else {
            indices = node.allIndices
        }
        let nameExpr = req[path: "name"]
        let raw = nameExpr.map { $0.split(separator: ",").map(String.init) } ?? []
        // `-name` excludes from the first wildcard on (as OpenSearch reads alias expressions).
        let firstWildcard = raw.firstIndex { $0.contains("*") } ?? raw.count
        var patterns: [String] = []
        var excludes: [String] = []
        for (n, p) in raw.enumerated() {
            if p.hasPrefix("-") && n >= firstWildcard { excludes.append(String(p.dropFirst())); continue }
            patterns.append(p)
        }
        let matchAll = nameExpr == nil || patterns.contains("_all") || patterns.contains("*")
        func matches(_ alias: String) -> Bool {
            if excludes.contains(where: { $0 == alias || ($0.contains("*") && Wildcard.matches($0, alias)) }) { return false }
            return matchAll || patterns.contains { $0 == alias || ($0.contains("*") && Wildcard.matches($0, alias)) }
        }
        var out = JSONObject()
        var found = Set<String>()
        for svc in indices {
            let aliases = node.aliases(of: svc.name).filter { matches($0.key) }
            if aliases.isEmpty && nameExpr != nil { continue }
            found.formUnion(aliases.keys)
            let rendered = JSONObject(aliases.keys.sorted().map { ($0, aliases[$0]!.json) })
            out[svc.name] = ["aliases": .object(rendered)]
        }
        // Only names asked for explicitly, and not excluded after them, can be missing.
        var missing: [String] = []
        for (i, p) in raw.enumerated() where p != "_all" && !p.contains("*") && !(p.hasPrefix("-") && i > firstWildcard) {
            let laterExcludes = raw[min(raw.count, max(i + 1, firstWildcard))...].filter { $0.hasPrefix("-") }
            if laterExcludes.contains(where: { Wildcard.matches(String($0.dropFirst()), p) || $0 == "-_all" }) { continue }
            if !found.contains(p) { missing.append(p) }
        }
        missing.sort()
        if head { return RESTResponse(out.isEmpty || !missing.isEmpty ? 404 : 200, nil) }
        if !missing.isEmpty {
            var o = JSONObject()
            o["error"] = .string(missing.count == 1 ? "alias [\(missing[0])] missing" : "aliases [\(missing.joined(separator: ","))] missing")
            o["status"] = 404
            for (k, v) in out { o[k] = v }
            return RESTResponse(404, .object(o))
        }
        return RESTResponse(200, .object(out))
    }
}

extension SearchlightAPI {
    static func registerRollover(_ r: inout Router, _ node: Node) {
        let rollover: Router.Handler = { req throws(OpenSearchError) in
            let body = try req.json()
            var conditions = RolloverConditions()
            var create = JSONObject()
            if case .object(let o)? = body {
                for (k, v) in o {
                    switch k {
                    case "conditions": conditions = try RolloverConditions.parse(v)
                    case "settings", "mappings", "aliases": create[k] = v
                    default: throw OpenSearchError.parsing("[rollover] unknown field [\(k)]")
                    }
                }
            }
            let result = try node.rollover(alias: req[path: "index"]!, newIndex: req[path: "new_index"], conditions: conditions,
                                           createBody: create.isEmpty ? nil : .object(create), dryRun: try req.bool("dry_run", default: false))
            return RESTResponse(200, result)
        }
        r.add([.POST], "/{index}/_rollover", rollover)
        r.add([.POST], "/{index}/_rollover/{new_index}", rollover)
    }
}
