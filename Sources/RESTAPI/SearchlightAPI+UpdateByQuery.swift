import Dispatch
import Index
import JSON
import Node
import Painless
import Query

extension SearchlightAPI {
    /// `POST /{index}/_update_by_query`: runs synchronously over the refreshed view, one write batch
    /// per index, each document updated only if it is unchanged since the search (`if_seq_no`), so
    /// concurrent writes show up as `version_conflicts` as in OpenSearch.
    static func registerUpdateByQuery(_ r: inout Router, _ node: Node) {
        r.add([.POST], "/{index}/_update_by_query") { req throws(OpenSearchError) in
            let start = DispatchTime.now()
            var query = Query.all
            var script: ScriptSpec? = nil
            var maxDocs = try req.int64("max_docs").map { Int($0) }
            var conflicts = req.params["conflicts"] ?? "abort"
            if case .object(let o)? = try req.json() {
                for (k, v) in o {
                    switch k {
                    case "query": query = try Query.parse(v)
                    case "script": script = try ScriptSpec.parse(v)
                    case "max_docs", "size":
                        guard let n = v.int64Value else { throw OpenSearchError.parsing("[\(k)] must be a number") }
                        maxDocs = Int(n)
                    case "conflicts":
                        guard let s = v.stringValue else { throw OpenSearchError.parsing("[conflicts] must be a string") }
                        conflicts = s
                    default: throw OpenSearchError.parsing("[UpdateByQueryRequest] unknown field [\(k)]")
                    }
                }
            }
            guard conflicts == "abort" || conflicts == "proceed" else {
                throw OpenSearchError.illegalArgument("conflicts may only be \"proceed\" or \"abort\" but was [\(conflicts)]")
            }
            if let maxDocs, maxDocs <= 0 {
                throw OpenSearchError.actionValidation(["maxDocs should be greater than 0 if the request is limited to some number of documents or -1 if it isn't but it was [\(maxDocs)]"])
            }
            if let spec = script { script = try node.resolveStoredScript(spec) }
            if let script { _ = try script.compiled() }
            let indices = try node.resolve(req[path: "index"]!, options: try options(req))
            for svc in indices { if let block = svc.readBlock { throw block } }
            var total = 0, updated = 0, deleted = 0, noops = 0, versionConflicts = 0
            var failures: [JSONValue] = []
            var status = 200
            var remaining = maxDocs ?? Int.max
            outer: for svc in indices where remaining > 0 {
                var search = SearchRequest()
                search.query = query
                search.size = max(1, min(remaining, svc.docCount))
                search.source.disabled = true
                search.seqNoPrimaryTerm = true
                search.sort = [SortSpec(target: .doc, descending: false)]
                let result = try await SearchExecutor.search([svc.snapshot()], search)
                guard case .array(let hits)? = result["hits"]?["hits"] else { continue }
                var ops: [WriteOperation] = []
                for h in hits {
                    guard let id = h["_id"]?.stringValue, let seq = h["_seq_no"]?.int64Value else { continue }
                    var u = UpdateRequest()
                    if let script { u.script = script } else { u.doc = JSONObject() }
                    u.detectNoop = false
                    u.conditions = WriteParameters(ifSeqNo: seq, ifPrimaryTerm: h["_primary_term"]?.int64Value ?? 1)
                    u.conditions.routing = h["_routing"]?.stringValue
                    ops.append(.update(id: id, request: u))
                }
                remaining -= ops.count
                total += ops.count
                let results = await svc.write(ops)
                for (k, outcome) in results.enumerated() {
                    switch outcome {
                    case .success(let w):
                        switch w.result {
                        case .updated, .created: updated += 1
                        case .deleted: deleted += 1
                        default: noops += 1
                        }
                    case .failure(let e):
                        let conflict = e.type == "version_conflict_engine_exception" || e.type == "document_missing_exception"
                        if conflict { versionConflicts += 1 }
                        if conflict && conflicts == "proceed" { continue }
                        let s = conflict ? 409 : e.status
                        status = max(status, s)
                        failures.append(.object(JSONObject([("index", .string(svc.name)), ("id", .string(ops[k].id ?? "")),
                                                            ("cause", e.body), ("status", .number(s))])))
                        if conflict { break outer }
                    }
                }
                _ = try await applyRefresh(req.params["refresh"], svc)
            }
            let took = Int64((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
            return RESTResponse(status, .object(JSONObject([
                ("took", .int(took)), ("timed_out", false), ("total", .number(total)), ("updated", .number(updated)),
                ("deleted", .number(deleted)), ("batches", .number(total > 0 ? 1 : 0)), ("version_conflicts", .number(versionConflicts)),
                ("noops", .number(noops)), ("retries", ["bulk": 0, "search": 0]), ("throttled_millis", 0),
                ("requests_per_second", -1.0), ("throttled_until_millis", 0), ("failures", .array(failures)),
            ])))
        }
    }
}
