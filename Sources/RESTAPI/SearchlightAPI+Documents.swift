import Foundation
import Index
import JSON
import Node

extension SearchlightAPI {
    static func conditions(_ req: RESTRequest) throws(OpenSearchError) -> VersionConditions {
        var c = VersionConditions()
        c.ifSeqNo = try req.int64("if_seq_no")
        c.ifPrimaryTerm = try req.int64("if_primary_term")
        c.version = try req.int64("version")
        if let t = req.params["version_type"] {
            guard let vt = VersionConditions.VersionType(rawValue: t) else {
                throw OpenSearchError.illegalArgument("No version type match [\(t)]")
            }
            c.versionType = vt
        }
        try validate(c)
        return c
    }

    static func validate(_ c: VersionConditions) throws(OpenSearchError) {
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

    static func single(_ r: Result<WriteResult, OpenSearchError>, refresh: String?) throws(OpenSearchError) -> RESTResponse {
        let w = try r.get()
        var body = w.json
        if refresh == "true" || refresh == "", case .object(var o) = body { o["forced_refresh"] = true; body = .object(o) }
        return RESTResponse(w.status, body)
    }

    static func registerDocuments(_ r: inout Router, _ node: Node) {
        let indexDoc: Router.Handler = { req throws(OpenSearchError) in
            let name = req[path: "index"]!
            try IndexName.validate(name)
            guard req.hasBody else { throw OpenSearchError.actionValidation(["source is missing", "content type is missing"]) }
            let source: JSONValue
            do { source = try JSONParser.parse(req.body) } catch {
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
            if create && (cond.ifSeqNo != nil || (cond.version != nil && cond.versionType == .internal)) {
                throw OpenSearchError.actionValidation(["create operations do not support compare and set. use index instead"])
            }
            let svc = try node.writeIndex(name)
            let results = await svc.write([.index(id: id, source: source, raw: req.body, create: create, conditions: cond)])
            return try single(results[0], refresh: req.params["refresh"])
        }
        r.add([.PUT, .POST], "/{index}/_doc/{id}", indexDoc)
        r.add([.POST], "/{index}/_doc", indexDoc)
        r.add([.PUT, .POST], "/{index}/_create/{id}", indexDoc)

        r.add([.GET, .HEAD], "/{index}/_doc/{id}") { req throws(OpenSearchError) in
            let svc = try concrete(node, req[path: "index"]!)
            let id = req[path: "id"]!
            guard let d = svc.get(id) else {
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
            if let src = try sourceFilter(req)?.apply(d.source) ?? (try? JSONParser.parse(d.source)) { o["_source"] = src }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET, .HEAD], "/{index}/_source/{id}") { req throws(OpenSearchError) in
            let svc = try concrete(node, req[path: "index"]!)
            let id = req[path: "id"]!
            guard let d = svc.get(id) else {
                throw OpenSearchError("resource_not_found_exception", "Document not found [\(svc.name)]/[\(id)]", status: 404)
            }
            if req.method == .HEAD { return RESTResponse(200, nil) }
            if let f = try sourceFilter(req), let v = f.apply(d.source) { return RESTResponse(200, v) }
            return RESTResponse(status: 200, raw: d.source, contentType: "application/json; charset=UTF-8")
        }
        r.add([.DELETE], "/{index}/_doc/{id}") { req throws(OpenSearchError) in
            let svc = try concrete(node, req[path: "index"]!)
            let results = await svc.write([.delete(id: req[path: "id"]!, conditions: try conditions(req))])
            return try single(results[0], refresh: req.params["refresh"])
        }
        r.add([.POST], "/{index}/_update/{id}") { req throws(OpenSearchError) in
            let name = req[path: "index"]!
            var update = try UpdateRequest.parse(try req.requiredJSON())
            update.conditions = try conditions(req)
            if update.conditions.version != nil {
                throw OpenSearchError.actionValidation(["can't provide version in update request"])
            }
            if let s = req.params["_source"] { update.returnSource = s != "false" }
            let id = req[path: "id"]!
            if let problem = idProblem(id) { throw OpenSearchError.actionValidation([problem]) }
            let svc = try node.writeIndex(name)
            let results = await svc.write([.update(id: id, request: update)])
            let w = try results[0].get()
            var body = w.json
            if let src = w.source, case .object(var o) = body {
                o["get"] = .object(JSONObject([("_seq_no", .int(w.seqNo)), ("_primary_term", .int(w.primaryTerm)), ("found", true),
                                               ("_source", (try? JSONParser.parse(src)) ?? .null)]))
                body = .object(o)
            }
            return RESTResponse(w.status, body)
        }
        let mget: Router.Handler = { req throws(OpenSearchError) in
            let body = try req.requiredJSON()
            let defaultIndex = req[path: "index"]
            var requests: [(String?, String)] = []
            if case .array(let docs)? = body["docs"] {
                for d in docs {
                    guard case .object(let o) = d else { throw OpenSearchError.parsing("docs array element should include an object") }
                    guard let id = o["_id"]?.stringValue ?? o["_id"]?.int64Value.map(String.init) else {
                        throw OpenSearchError.actionValidation(["id is missing for doc \(requests.count)"])
                    }
                    requests.append((o["_index"]?.stringValue ?? defaultIndex, id))
                }
            } else if case .array(let ids)? = body["ids"] {
                for id in ids { requests.append((defaultIndex, id.stringValue ?? id.int64Value.map(String.init) ?? "")) }
            } else {
                throw OpenSearchError.actionValidation(["no documents to get"])
            }
            if requests.isEmpty { throw OpenSearchError.actionValidation(["no documents to get"]) }
            if let missing = requests.firstIndex(where: { $0.0 == nil }) {
                throw OpenSearchError.actionValidation(["index is missing for doc \(missing)"])
            }
            var out: [JSONValue] = []
            for (index, id) in requests {
                let indexName = index!
                guard let svc = node.index(named: indexName) else {
                    out.append(.object(JSONObject([("_index", .string(indexName)), ("_id", .string(id)),
                                                   ("error", OpenSearchError.indexNotFound(indexName).fullBody)])))
                    continue
                }
                if let d = svc.get(id) {
                    out.append(.object(JSONObject([("_index", .string(svc.name)), ("_id", .string(id)), ("_version", .int(d.version)),
                                                   ("_seq_no", .int(d.seqNo)), ("_primary_term", .int(d.primaryTerm)), ("found", true),
                                                   ("_source", (try? JSONParser.parse(d.source)) ?? .null)])))
                } else {
                    out.append(.object(JSONObject([("_index", .string(svc.name)), ("_id", .string(id)), ("found", false)])))
                }
            }
            return RESTResponse(200, ["docs": .array(out)])
        }
        r.add([.GET, .POST], "/_mget", mget)
        r.add([.GET, .POST], "/{index}/_mget", mget)
    }

    static func idProblem(_ id: String) -> String? {
        if id.utf8.count > 512 { return "id [\(id)] is too long, must be no longer than 512 bytes but was: \(id.utf8.count)" }
        if id.isEmpty { return "if _id is specified it must not be empty" }
        return nil
    }

    /// A single existing index (no wildcards) for document reads and deletes.
    static func concrete(_ node: Node, _ name: String) throws(OpenSearchError) -> IndexService {
        guard let svc = node.index(named: name) else { throw OpenSearchError.indexNotFound(name) }
        return svc
    }

    static func sourceFilter(_ req: RESTRequest) throws(OpenSearchError) -> SourceFilter? {
        let src = req.params["_source"]
        let inc = req.params["_source_includes"] ?? req.params["_source_include"]
        let exc = req.params["_source_excludes"] ?? req.params["_source_exclude"]
        if src == nil && inc == nil && exc == nil { return nil }
        var f = SourceFilter()
        if let src {
            if src == "false" { f.disabled = true } else if src != "true" { f.includes = src.split(separator: ",").map(String.init) }
        }
        if let inc { f.includes = inc.split(separator: ",").map(String.init) }
        if let exc { f.excludes = exc.split(separator: ",").map(String.init) }
        return f
    }
}

/// `_source` filtering by include/exclude path patterns.
struct SourceFilter {
    var disabled = false
    var includes: [String] = []
    var excludes: [String] = []

    func apply(_ raw: [UInt8]) -> JSONValue? {
        if disabled { return nil }
        guard case .object(let o)? = try? JSONParser.parse(raw) else { return nil }
        return .object(filter(o, prefix: ""))
    }

    func filter(_ o: JSONObject, prefix: String) -> JSONObject {
        var out = JSONObject()
        for (k, v) in o {
            let path = prefix.isEmpty ? k : "\(prefix).\(k)"
            if excludes.contains(where: { Wildcard.matches($0, path) }) { continue }
            let included = includes.isEmpty || includes.contains { Wildcard.matches($0, path) || Wildcard.matches($0 + ".*", path) }
            if case .object(let sub) = v {
                if included { out[k] = .object(filter(sub, prefix: path)); continue }
                if includes.contains(where: { $0.hasPrefix(path + ".") }) {
                    let f = filter(sub, prefix: path)
                    if !f.isEmpty { out[k] = .object(f) }
                }
                continue
            }
            if included { out[k] = v }
        }
        return out
    }
}
