import Dispatch
import Index
import JSON
import Node
import Query

extension SearchlightAPI {
    /// `POST /_reindex` (local source, `query`, `max_docs`, `_source` filtering, `dest.op_type`,
    /// `conflicts`; no scripts) and `_tasks`. The source is read through a scroll, so it is one
    /// consistent view however large, written to the destination in batches through the same
    /// path as `_bulk`. `wait_for_completion=false` answers a task id at once.
    static func registerReindex(_ r: inout Router, _ node: Node) {
        r.add([.POST], "/_reindex") { req throws(OpenSearchError) in
            let job = try ReindexJob.parse(try req.requiredJSON(), params: req.params)
            let snaps = try node.searchSnapshots(job.sourceIndex, options: IndicesOptions())
            let wait = try req.bool("wait_for_completion", default: true)
            let taskID = node.tasks.start(action: "indices:data/write/reindex",
                                          description: "reindex from [\(job.sourceIndex)] to [\(job.destIndex)]")
            if !wait {
                Task.detached {
                    do throws(OpenSearchError) {
                        let out = try await job.run(node, snaps, taskID: taskID)
                        node.tasks.finish(taskID, response: out)
                    } catch {
                        node.tasks.finish(taskID, response: nil, error: error.response["error"])
                    }
                }
                return RESTResponse(200, .object(JSONObject([("task", .string("\(node.nodeID):\(taskID)"))])))
            }
            do throws(OpenSearchError) {
                let out = try await job.run(node, snaps, taskID: taskID)
                node.tasks.finish(taskID, response: out)
                return RESTResponse(200, out)
            } catch {
                node.tasks.finish(taskID, response: nil, error: error.response["error"])
                throw error
            }
        }

        @Sendable func render(_ t: TaskRegistry.Task) -> JSONObject {
            JSONObject([("node", .string(node.nodeID)), ("id", .number(t.id)), ("type", "transport"), ("action", .string(t.action)),
                        ("status", t.status), ("description", .string(t.description)), ("start_time_in_millis", .int(t.started)),
                        ("running_time_in_nanos", .int(max(0, SearchExecutor.nowMillis() - t.started) * 1_000_000)),
                        ("cancellable", false), ("cancelled", false), ("headers", .object(JSONObject()))])
        }
        r.add([.GET], "/_tasks/{task_id}") { req throws(OpenSearchError) in
            let raw = req[path: "task_id"] ?? ""
            let parts = raw.split(separator: ":")
            guard parts.count == 2, let id = Int(parts[1]) else {
                throw OpenSearchError.illegalArgument("malformed task id \(raw)")
            }
            guard String(parts[0]) == node.nodeID, let t = node.tasks.task(id) else {
                throw OpenSearchError("resource_not_found_exception", "task [\(raw)] isn't running and hasn't stored its results", status: 404)
            }
            var o = JSONObject([("completed", .bool(t.completed)), ("task", .object(render(t)))])
            if let resp = t.response { o["response"] = resp }
            if let err = t.error { o["error"] = err }
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "/_tasks") { req throws(OpenSearchError) in
            var tasks = JSONObject()
            let actions = req.params["actions"].map { $0.split(separator: ",").map(String.init) }
            for t in node.tasks.all where !t.completed {
                if let actions, !actions.contains(where: { Glob.matches($0, t.action) }) { continue }
                tasks["\(node.nodeID):\(t.id)"] = .object(render(t))
            }
            let n = JSONObject([("name", .string(node.nodeName)), ("tasks", .object(tasks))])
            return RESTResponse(200, .object(JSONObject([("nodes", .object(JSONObject([(node.nodeID, .object(n))])))])))
        }
    }
}

/// One `_reindex` request, parsed.
struct ReindexJob: Sendable {
    var sourceIndex = ""
    var query = Query.all
    var sourceFilter: JSONValue?
    var batchSize = 1000
    var destIndex = ""
    var createOnly = false
    var maxDocs: Int?
    var proceedOnConflict = false

    static func parse(_ body: JSONValue, params: [String: String]) throws(OpenSearchError) -> ReindexJob {
        var j = ReindexJob()
        guard case .object(let o) = body else { throw OpenSearchError.parsing("request body must be an object") }
        if let c = params["conflicts"] { j.proceedOnConflict = c == "proceed" }
        if let m = params["max_docs"] { j.maxDocs = Int(m) }
        for (k, v) in o {
            switch k {
            case "source":
                guard case .object(let s) = v else { throw OpenSearchError.parsing("[source] must be an object") }
                for (sk, sv) in s {
                    switch sk {
                    case "index":
                        if case .array(let a) = sv { j.sourceIndex = a.compactMap(\.stringValue).joined(separator: ",") } else { j.sourceIndex = sv.stringValue ?? "" }
                    case "query": j.query = try Query.parse(sv)
                    case "size": j.batchSize = max(1, min(10_000, Int(sv.int64Value ?? 1000)))
                    case "_source": j.sourceFilter = sv
                    case "remote": throw OpenSearchError.illegalArgument("reindex from a remote cluster is not supported by Searchlight")
                    case "sort": break
                    default: throw OpenSearchError.parsing("[source] unknown field [\(sk)]")
                    }
                }
            case "dest":
                guard case .object(let d) = v else { throw OpenSearchError.parsing("[dest] must be an object") }
                for (dk, dv) in d {
                    switch dk {
                    case "index": j.destIndex = dv.stringValue ?? ""
                    case "op_type": j.createOnly = dv.stringValue == "create"
                    case "version_type", "routing", "pipeline": break
                    default: throw OpenSearchError.parsing("[dest] unknown field [\(dk)]")
                    }
                }
            case "max_docs", "size": j.maxDocs = v.int64Value.map { Int($0) }
            case "conflicts": j.proceedOnConflict = v.stringValue == "proceed"
            case "script": throw OpenSearchError.illegalArgument("scripts in _reindex are not supported by Searchlight")
            default: throw OpenSearchError.parsing("Unknown key for a START_OBJECT in [\(k)].")
            }
        }
        var problems: [String] = []
        if j.sourceIndex.isEmpty { problems.append("use _all if you really want to copy from all existing indexes") }
        if j.destIndex.isEmpty { problems.append("index must be specified") }
        if !problems.isEmpty { throw OpenSearchError.actionValidation(problems) }
        return j
    }

    func run(_ node: Node, _ snaps: [IndexSnapshot], taskID: Int) async throws(OpenSearchError) -> JSONValue {
        let start = DispatchTime.now()
        var search = SearchRequest()
        search.query = query
        search.size = min(batchSize, maxDocs ?? Int.max)
        search.sort = [SortSpec(target: .doc, descending: false)]
        if let f = sourceFilter { search = try SearchRequest.parse(.object(JSONObject([("_source", f)])), params: [:]).with(search) }
        var page = try await node.scrolls.start(snaps, search, keepAlive: 300_000)
        let scrollID = page["_scroll_id"]?.stringValue ?? ""
        defer { _ = try? node.scrolls.clear([scrollID]) }
        let total = min(Int(page["hits"]?["total"]?["value"]?.int64Value ?? 0), maxDocs ?? Int.max)
        var created = 0, updated = 0, conflicts = 0, batches = 0, seen = 0
        var failures: [JSONValue] = []
        let svc = try node.writeIndex(destIndex)
        while true {
            guard case .array(let hits)? = page["hits"]?["hits"], !hits.isEmpty else { break }
            var ops: [WriteOperation] = []
            for h in hits {
                if let m = maxDocs, seen >= m { break }
                seen += 1
                guard let id = h["_id"]?.stringValue, let src = h["_source"] else { continue }
                let raw = Array(JSONWriter.string(src).utf8)
                ops.append(.index(id: id, source: src, raw: raw, create: createOnly, conditions: WriteParameters()))
            }
            batches += 1
            for (k, outcome) in (await svc.write(ops)).enumerated() {
                switch outcome {
                case .success(let w): if w.result == .created { created += 1 } else { updated += 1 }
                case .failure(let e):
                    if e.type == "version_conflict_engine_exception" {
                        conflicts += 1
                        if proceedOnConflict { continue }
                    }
                    var f = JSONObject([("index", .string(destIndex)), ("status", .number(e.status)), ("cause", e.response["error"] ?? .null)])
                    if case .index(let id?, _, _, _, _) = ops[k] { f["id"] = .string(id) }
                    failures.append(.object(f))
                }
            }
            node.tasks.update(taskID, status: .object(JSONObject([("total", .number(total)), ("created", .number(created)),
                                                                  ("updated", .number(updated)), ("batches", .number(batches)),
                                                                  ("version_conflicts", .number(conflicts))])))
            if !failures.isEmpty { break }
            if let m = maxDocs, seen >= m { break }
            page = try await node.scrolls.next(scrollID, keepAlive: 300_000)
        }
        let took = Int((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
        return .object(JSONObject([
            ("took", .number(took)), ("timed_out", false), ("total", .number(total)), ("updated", .number(updated)),
            ("created", .number(created)), ("deleted", 0), ("batches", .number(batches)), ("version_conflicts", .number(conflicts)),
            ("noops", 0), ("retries", .object(JSONObject([("bulk", 0), ("search", 0)]))), ("throttled_millis", 0),
            ("requests_per_second", -1.0), ("throttled_until_millis", 0), ("failures", .array(failures)),
        ]))
    }
}

extension SearchRequest {
    /// `self`'s `_source` filter on `base`.
    func with(_ base: SearchRequest) -> SearchRequest {
        var r = base
        r.source = source
        return r
    }
}
