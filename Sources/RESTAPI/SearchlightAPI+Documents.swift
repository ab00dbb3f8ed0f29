import Foundation
import Index
import JSON
import Node

extension SearchlightAPI {
    static func conditions(_ req: RESTRequest) throws(OpenSearchError) -> WriteParameters {
        var c = WriteParameters()
        c.ifSeqNo = try req.int64("if_seq_no")
        c.ifPrimaryTerm = try req.int64("if_primary_term")
        c.version = try req.int64("version")
        if let t = req.params["version_type"] {
            guard let vt = WriteParameters.VersionType(rawValue: t) else {
                throw OpenSearchError.illegalArgument("No version type match [\(t)]")
            }
            c.versionType = vt
        }
        c.routing = req.params["routing"]
        try validate(c)
        return c
    }

    /// Refusals shared by every write: ingest pipelines (none exist here) and `require_alias`
    /// (the target must be an alias).
    static func checkWriteTarget(_ name: String, pipeline: String?, requireAlias: Bool, isAlias: Bool) throws(OpenSearchError) {
        if let p = pipeline, !p.isEmpty, p != "_none" {
            throw OpenSearchError.illegalArgument("pipeline with id [\(p)] does not exist")
        }
        if requireAlias && !isAlias {
            throw OpenSearchError("index_not_found_exception", "no such index [\(name)] and [require_alias] request flag is [true] and [\(name)] is not an alias", status: 404,
                                  metadata: JSONObject([("index", .string(name)), ("resource.id", .string(name)), ("resource.type", "index_expression"), ("index_uuid", "_na_")]))
        }
    }

    static func validate(_ c: WriteParameters) throws(OpenSearchError) {
        var problems: [String] = []
        if (c.ifSeqNo == nil) != (c.ifPrimaryTerm == nil) {
            if c.ifSeqNo != nil { problems.append("ifSeqNo is set, but primary term is [0]") }
            else { problems.append("ifPrimaryTerm is set, but seq_no is unassigned") }
        }
        if c.version != nil && c.versionType == .internal {
            problems.append("internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead")
        }
        if c.versionType != .internal && c.ifSeqNo != nil {
            problems.append("compare and write operations can not use versioning")
        }
        if let s = c.ifSeqNo, s < 0 { problems.append("ifSeqNo [\(s)] must be non negative") }
        if !problems.isEmpty { throw OpenSearchError.actionValidation(problems) }
    }

    static func single(_ r: Result<WriteResult, OpenSearchError>, refresh: String?, index: IndexService) async throws(OpenSearchError) -> RESTResponse {
        let w = try r.get()
        var body = w.json
        if try await applyRefresh(refresh, index), case .object(var o) = body { o["forced_refresh"] = true; body = .object(o) }
        return RESTResponse(w.status, body)
    }

    /// `?refresh=true` refreshes now (and reports `forced_refresh`); `wait_for` also refreshes now,
    /// which is when a scheduled refresh would have made the write visible at the latest.
    static func applyRefresh(_ refresh: String?, _ index: IndexService) async throws(OpenSearchError) -> Bool {
        switch refresh {
        case nil, "false": return false
        case "true", "": try await index.refresh(); return true
        case "wait_for": try await index.refresh(); return false
        case let v?: throw OpenSearchError.illegalArgument("Unknown value for refresh: [\(v)].")
        }
    }

    static func registerDocuments(_ r: inout Router, _ node: Node) {
        let indexDoc: Router.Handler = { req throws(OpenSearchError) in
            let name = req[path: "index"]!
            try IndexName.validate(name)
            guard req.hasBody else { throw OpenSearchError.actionValidation(["source is missing", "content type is missing"]) }
            let source: JSONValue
            do throws(JSONError) { source = try JSONParser.parse(req.body) } catch {
                throw OpenSearchError.mapperParsing("failed to parse", cause: .jsonParse(error))
            }
            guard case .object = source else {
                throw OpenSearchError.mapperParsing("failed to parse", cause: OpenSearchError("not_x_content_exception", "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes", status: 400))
            }
            var create = req.segments.count == 3 && req.segments[1] == "_create"
            if let opType = req.params["op_type"] {
                guard opType == "create" || opType == "index" else {
                    throw OpenSearchError.illegalArgument("opType must be 'create' or 'index', found: [\(opType)]")
                }
                create = create || opType == "create"
            }
            let id = req[path: "id"]
            if let id, let problem = idProblem(id) { throw OpenSearchError.actionValidation([problem]) }
            let cond = try conditions(req)
            if create && cond.versionType != .internal {
                throw OpenSearchError.actionValidation(["create operations only support internal versioning. use index instead"])
            }
            if create && cond.ifSeqNo != nil {
                throw OpenSearchError.actionValidation(["create operations do not support compare and set. use index instead"])
            }
            try checkWriteTarget(name, pipeline: req.params["pipeline"], requireAlias: try req.bool("require_alias", default: false), isAlias: node.isAlias(name))
            let svc = try node.writeIndex(name)
            let results = await svc.write([try routed(.index(id: id, source: source, raw: req.body, create: create, conditions: cond), node, name, svc)])
            return try await single(results[0], refresh: req.params["refresh"], index: svc)
        }
        r.add([.PUT, .POST], "/{index}/_doc/{id}", indexDoc)
        r.add([.POST], "/{index}/_doc", indexDoc)
        r.add([.PUT, .POST], "/{index}/_create/{id}", indexDoc)

        r.add([.GET, .HEAD], "/{index}/_doc/{id}") { req throws(OpenSearchError) in
            let svc = try concrete(node, req[path: "index"]!)
            let id = req[path: "id"]!
            if try req.bool("refresh", default: false) { try await svc.refresh() }
            guard let d = svc.get(id, routing: req.params["routing"], realtime: try req.bool("realtime", default: true)) else {
                if req.method == .HEAD { return RESTResponse(404, nil) }
                return RESTResponse(404, ["_index": .string(svc.name), "_id": .string(id), "found": false])
            }
            if req.method == .HEAD { return RESTResponse(200, nil) }
            if let v = try req.int64("version"), v != d.version {
                throw OpenSearchError("version_conflict_engine_exception", "[\(id)]: version conflict, current version [\(d.version)] is different than the one provided [\(v)]", status: 409,
                                      metadata: JSONObject([("index", .string(svc.name)), ("shard", "0"), ("index_uuid", .string(svc.uuid))]))
            }
            var o = JSONObject([("_index", .string(svc.name)), ("_id", .string(id)), ("_version", .int(d.version)),
                                ("_seq_no", .int(d.seqNo)), ("_primary_term", .int(d.primaryTerm)), ("found", true)])
            if let r = d.routing { o["_routing"] = .string(r) }
            let stored = req.params["stored_fields"].map { StoredFields.parse(.string($0)) }
            // With stored_fields, _source comes back only when asked for.
            var filter = try sourceFilter(req) ?? SourceFilter()
            if let stored, !stored.contains("_source"), req.params["_source"] == nil { filter.disabled = true }
            if let src = filter.apply(d.source) { o["_source"] = src }
            if let stored {
                let fields = StoredFields.values(stored, source: d.source, mapping: svc.mapping)
                if !fields.isEmpty { o["fields"] = .object(fields) }
            }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET, .HEAD], "/{index}/_source/{id}") { req throws(OpenSearchError) in
            let svc = try concrete(node, req[path: "index"]!)
            let id = req[path: "id"]!
            guard let d = svc.get(id, routing: req.params["routing"], realtime: try req.bool("realtime", default: true)) else {
                throw OpenSearchError("resource_not_found_exception", "Document not found [\(svc.name)]/[\(id)]", status: 404)
            }
            if req.method == .HEAD { return RESTResponse(200, nil) }
            if let f = try sourceFilter(req), let v = f.apply(d.source) { return RESTResponse(200, v) }
            return RESTResponse(status: 200, raw: d.source, contentType: "application/json; charset=UTF-8")
        }
        r.add([.DELETE], "/{index}/_doc/{id}") { req throws(OpenSearchError) in
            let svc = try writeTarget(node, req[path: "index"]!)
            let results = await svc.write([try routed(.delete(id: req[path: "id"]!, conditions: try conditions(req)), node, req[path: "index"]!, svc)])
            return try await single(results[0], refresh: req.params["refresh"], index: svc)
        }
        r.add([.POST], "/{index}/_update/{id}") { req throws(OpenSearchError) in
            let name = req[path: "index"]!
            var update = try UpdateRequest.parse(try req.requiredJSON())
            update.conditions = try conditions(req)
            if update.conditions.version != nil {
                throw OpenSearchError.actionValidation(["can't provide version in update request"])
            }
            if let f = try sourceFilter(req) { update.sourceFilter = f }
            if let spec = update.script, spec.id != nil {
                do throws(OpenSearchError) { update.script = try node.resolveStoredScript(spec) } catch {
                    throw OpenSearchError("illegal_argument_exception", "failed to execute script", status: 400, causedBy: error)
                }
            }
            update.retryOnConflict = Int(try req.int64("retry_on_conflict") ?? 0)
            if update.retryOnConflict > 0 && update.conditions.ifSeqNo != nil {
                throw OpenSearchError.actionValidation(["compare and write operations can not be retried"])
            }
            let id = req[path: "id"]!
            if let problem = idProblem(id) { throw OpenSearchError.actionValidation([problem]) }
            try checkWriteTarget(name, pipeline: nil, requireAlias: try req.bool("require_alias", default: false), isAlias: node.isAlias(name))
            let svc = try node.writeIndex(name)
            let results = await svc.write([try routed(.update(id: id, request: update), node, name, svc)])
            let w = try results[0].get()
            var body = w.json
            if try await applyRefresh(req.params["refresh"], svc), case .object(var o) = body { o["forced_refresh"] = true; body = .object(o) }
            if let src = w.source, case .object(var o) = body {
                o["get"] = .object(JSONObject([("_seq_no", .int(w.seqNo)), ("_primary_term", .int(w.primaryTerm)), ("found", true),
                                               ("_source", src)]))
                body = .object(o)
            }
            return RESTResponse(w.status, body)
        }
        let mget: Router.Handler = { req throws(OpenSearchError) in
            let body = try req.requiredJSON()
            let defaultIndex = req[path: "index"]
            var requests: [(String?, String, String?, SourceFilter?)] = []
            let defaultFilter = try sourceFilter(req)
            let defaultRouting = req.params["routing"]
            let realtime = try req.bool("realtime", default: true)
            if case .array(let docs)? = body["docs"] {
                for d in docs {
                    guard case .object(let o) = d else { throw OpenSearchError.parsing("docs array element should include an object") }
                    var filter = defaultFilter
                    for (k, v) in o {
                        switch k {
                        case "_index", "_id", "routing", "stored_fields", "version", "version_type": break
                        case "_source": filter = try SourceFilter.parse(v)
                        default: throw OpenSearchError.parsing("Unknown key for a \(v.tokenName) in [\(k)].")
                        }
                    }
                    guard let id = o["_id"]?.stringValue ?? o["_id"]?.int64Value.map(String.init) else {
                        throw OpenSearchError.actionValidation(["id is missing for doc \(requests.count)"])
                    }
                    let routing = o["routing"].flatMap { $0.stringValue ?? $0.int64Value.map(String.init) } ?? defaultRouting
                    requests.append((o["_index"]?.stringValue ?? defaultIndex, id, routing, filter))
                }
            } else if case .array(let ids)? = body["ids"] {
                for id in ids { requests.append((defaultIndex, id.stringValue ?? id.int64Value.map(String.init) ?? "", defaultRouting, defaultFilter)) }
            } else {
                throw OpenSearchError.actionValidation(["no documents to get"])
            }
            if requests.isEmpty { throw OpenSearchError.actionValidation(["no documents to get"]) }
            if let missing = requests.firstIndex(where: { $0.0 == nil }) {
                throw OpenSearchError.actionValidation(["index is missing for doc \(missing)"])
            }
            if try req.bool("refresh", default: false) {
                for name in Set(requests.compactMap(\.0)) { try await ((try? concrete(node, name)) ?? nil)?.refresh() }
            }
            var out: [JSONValue] = []
            for (index, id, routing, filter) in requests {
                let indexName = index!
                let svc: IndexService
                do throws(OpenSearchError) { svc = try concrete(node, indexName) } catch {
                    // Missing, read-blocked or red: the item carries that error, never a false "found": false.
                    out.append(.object(JSONObject([("_index", .string(indexName)), ("_id", .string(id)), ("error", error.fullBody)])))
                    continue
                }
                if let d = svc.get(id, routing: routing, realtime: realtime) {
                    var o = JSONObject([("_index", .string(svc.name)), ("_id", .string(id)), ("_version", .int(d.version)),
                                        ("_seq_no", .int(d.seqNo)), ("_primary_term", .int(d.primaryTerm))])
                    if let r = d.routing { o["_routing"] = .string(r) }
                    o["found"] = true
                    if let src = (filter ?? SourceFilter()).apply(d.source) { o["_source"] = src }
                    out.append(.object(o))
                } else {
                    out.append(.object(JSONObject([("_index", .string(svc.name)), ("_id", .string(id)), ("found", false)])))
                }
            }
            return RESTResponse(200, ["docs": .array(out)])
        }
        r.add([.GET, .POST], "/_mget", mget)
        r.add([.GET, .POST], "/{index}/_mget", mget)
    }

    /// Applies the `index_routing` of the alias a write was addressed to.
    static func routed(_ op: WriteOperation, _ node: Node, _ name: String, _ svc: IndexService) throws(OpenSearchError) -> WriteOperation {
        guard let r = node.aliasIndexRouting(name, index: svc.name) else { return op }
        return try op.routed(byAlias: name, r)
    }

    static func idProblem(_ id: String) -> String? {
        if id.utf8.count > 512 { return "id [\(id)] is too long, must be no longer than 512 bytes but was: \(id.utf8.count)" }
        if id.isEmpty { return "if _id is specified it must not be empty" }
        return nil
    }

    /// A single existing index (no wildcards) for document reads: an index, or an alias of one.
    static func concrete(_ node: Node, _ name: String) throws(OpenSearchError) -> IndexService {
        if let svc = node.index(named: name) {
            if let block = svc.readBlock { throw block }
            return svc
        }
        let members = node.clusterMetadata.indices(withAlias: name)
        if members.count > 1 {
            throw OpenSearchError.illegalArgument("alias [\(name)] has more than one index associated with it [\(members.map(\.index).joined(separator: ", "))], can't execute a single index op")
        }
        guard let only = members.first, let svc = node.index(named: only.index) else { throw OpenSearchError.indexNotFound(name) }
        return svc
    }

    /// An existing index, or an alias's write index, for deletes by id.
    static func writeTarget(_ node: Node, _ name: String) throws(OpenSearchError) -> IndexService {
        if let svc = node.index(named: name) { return svc }
        guard node.isAlias(name) else { throw OpenSearchError.indexNotFound(name) }
        return try node.writeIndex(name)
    }

    static func sourceFilter(_ req: RESTRequest) throws(OpenSearchError) -> SourceFilter? {
        SourceFilter.fromParams(source: req.params["_source"],
                                includes: req.params["_source_includes"] ?? req.params["_source_include"],
                                excludes: req.params["_source_excludes"] ?? req.params["_source_exclude"])
    }
}

