import Index
import JSON
import Node

extension SearchlightAPI {
    /// `_snapshot`: fs repositories under `path.repo`, snapshots (create, get, status, delete)
    /// and restore, in OpenSearch's shapes. Snapshot creation runs as a task (`_tasks`).
    static func registerSnapshots(_ r: inout Router, _ node: Node) {
        let putRepo: Router.Handler = { req throws(OpenSearchError) in
            try node.putRepository(req[path: "repository"] ?? "", body: try req.json())
            return .acknowledged
        }
        r.add([.PUT, .POST], "/_snapshot/{repository}", putRepo)

        let getRepos: Router.Handler = { req throws(OpenSearchError) in
            let all = try node.repositories()
            let expr = req[path: "repository"] ?? "_all"
            var out = JSONObject()
            for part in expr.split(separator: ",").map(String.init) {
                let p = part == "_all" ? "*" : part
                let matched = all.filter { Wildcard.matches(p, $0.name) }
                if matched.isEmpty && !p.contains("*") { throw OpenSearchError("repository_missing_exception", "[\(p)] missing", status: 404) }
                for m in matched { out[m.name] = m.body }
            }
            return RESTResponse(200, .object(out))
        }
        r.add([.GET], "/_snapshot", getRepos)
        r.add([.GET], "/_snapshot/{repository}", getRepos)
        r.add([.DELETE], "/_snapshot/{repository}") { req throws(OpenSearchError) in
            try node.deleteRepository(req[path: "repository"] ?? "")
            return .acknowledged
        }
        r.add([.POST], "/_snapshot/{repository}/_verify") { req throws(OpenSearchError) in
            try node.verifyRepository(req[path: "repository"] ?? "")
            return RESTResponse(200, .object(JSONObject([("nodes", .object(JSONObject([
                (node.nodeID, .object(JSONObject([("name", .string(node.nodeName))]))),
            ])))])))
        }

        r.add([.PUT, .POST], "/_snapshot/{repository}/{snapshot}") { req throws(OpenSearchError) in
            let repo = req[path: "repository"] ?? "", snap = req[path: "snapshot"] ?? ""
            let body = try req.json()
            let wait = try req.bool("wait_for_completion", default: false)
            let taskID = node.tasks.start(action: "cluster:admin/snapshot/create", description: "snapshot [\(repo):\(snap)]")
            if !wait {
                // Name and repository problems are answered now; the copying goes on in the background.
                try node.checkNewSnapshot(repository: repo, snapshot: snap)
                Task.detached {
                    do throws(OpenSearchError) {
                        let m = try await node.createSnapshot(repository: repo, snapshot: snap, body: body)
                        node.tasks.finish(taskID, response: .object(JSONObject([("snapshot", SearchlightAPI.info(m, node))])))
                    } catch {
                        node.tasks.finish(taskID, response: nil, error: error.response["error"])
                    }
                }
                return RESTResponse(200, ["accepted": true])
            }
            do throws(OpenSearchError) {
                let m = try await node.createSnapshot(repository: repo, snapshot: snap, body: body)
                let out = JSONValue.object(JSONObject([("snapshot", SearchlightAPI.info(m, node))]))
                node.tasks.finish(taskID, response: out)
                return RESTResponse(200, out)
            } catch {
                node.tasks.finish(taskID, response: nil, error: error.response["error"])
                throw error
            }
        }

        r.add([.GET], "/_snapshot/{repository}/{snapshot}") { req throws(OpenSearchError) in
            let repo = req[path: "repository"] ?? ""
            let all = try node.snapshots(repository: repo)
            let running = node.runningSnapshotNames(repository: repo)
            var out: [JSONValue] = []
            for part in (req[path: "snapshot"] ?? "_all").split(separator: ",").map(String.init) {
                let p = part == "_all" ? "*" : part
                let matched = all.filter { Wildcard.matches(p, $0.snapshot) }
                let inProgress = running.filter { Wildcard.matches(p, $0) && !all.map(\.snapshot).contains($0) }
                if matched.isEmpty && inProgress.isEmpty && !p.contains("*") {
                    throw OpenSearchError("snapshot_missing_exception", "[\(repo):\(p)] is missing", status: 404)
                }
                out += matched.map { SearchlightAPI.info($0, node) }
                out += inProgress.map { .object(JSONObject([("snapshot", .string($0)), ("state", "IN_PROGRESS"), ("indices", .array([]))])) }
            }
            return RESTResponse(200, .object(JSONObject([("snapshots", .array(out))])))
        }

        r.add([.GET], "/_snapshot/{repository}/{snapshot}/_status") { req throws(OpenSearchError) in
            let repo = req[path: "repository"] ?? ""
            var out: [JSONValue] = []
            for name in (req[path: "snapshot"] ?? "").split(separator: ",").map(String.init) {
                out.append(SearchlightAPI.status(try node.snapshot(repository: repo, name), repo))
            }
            return RESTResponse(200, .object(JSONObject([("snapshots", .array(out))])))
        }

        r.add([.DELETE], "/_snapshot/{repository}/{snapshot}") { req throws(OpenSearchError) in
            let repo = req[path: "repository"] ?? ""
            for name in (req[path: "snapshot"] ?? "").split(separator: ",").map(String.init) {
                try node.deleteSnapshot(repository: repo, name)
            }
            return .acknowledged
        }

        r.add([.POST], "/_snapshot/{repository}/{snapshot}/_restore") { req throws(OpenSearchError) in
            let repo = req[path: "repository"] ?? "", snap = req[path: "snapshot"] ?? ""
            let result = try node.restoreSnapshot(repository: repo, snapshot: snap, body: try req.json())
            guard try req.bool("wait_for_completion", default: false) else { return RESTResponse(200, ["accepted": true]) }
            let n = JSONValue.number(result.indices.count)
            return RESTResponse(200, .object(JSONObject([("snapshot", .object(JSONObject([
                ("snapshot", .string(snap)), ("indices", .array(result.indices.map { .string($0) })),
                ("shards", .object(JSONObject([("total", n), ("failed", 0), ("successful", n)]))),
            ])))])))
        }
    }

    /// OpenSearch's SnapshotInfo.
    static func info(_ m: SnapshotManifest, _ node: Node) -> JSONValue {
        let failed = m.failures.count
        return .object(JSONObject([
            ("snapshot", .string(m.snapshot)), ("uuid", .string(m.uuid)), ("version_id", 136387927), ("version", .string(node.compatVersion)),
            ("remote_store_index_shallow_copy", false),
            ("indices", .array((m.indices.map(\.name) + m.failures.map(\.index)).sorted().map { .string($0) })),
            ("data_streams", .array([])), ("include_global_state", .bool(m.includeGlobalState)), ("state", .string(m.state)),
            ("start_time", .string(DateFormat.isoString(millis: m.startMillis))), ("start_time_in_millis", .int(m.startMillis)),
            ("end_time", .string(DateFormat.isoString(millis: m.endMillis))), ("end_time_in_millis", .int(m.endMillis)),
            ("duration_in_millis", .int(m.endMillis - m.startMillis)),
            ("failures", .array(m.failures.map { f in
                .object(JSONObject([("index", .string(f.index)), ("index_uuid", .string(f.index)), ("shard_id", 0),
                                    ("reason", .string(f.reason)), ("status", "INTERNAL_SERVER_ERROR")]))
            })),
            ("shards", .object(JSONObject([("total", .number(m.indices.count + failed)), ("failed", .number(failed)),
                                           ("successful", .number(m.indices.count))]))),
        ]))
    }

    /// `_status`: every shard done once the manifest exists.
    static func status(_ m: SnapshotManifest, _ repo: String) -> JSONValue {
        func stats(files: Int, bytes: Int) -> JSONValue {
            let part = JSONValue.object(JSONObject([("file_count", .number(files)), ("size_in_bytes", .number(bytes))]))
            return .object(JSONObject([("incremental", part), ("total", part), ("start_time_in_millis", .int(m.startMillis)),
                                       ("time_in_millis", .int(m.endMillis - m.startMillis))]))
        }
        func shards(_ n: Int, failed: Int) -> JSONValue {
            .object(JSONObject([("initializing", 0), ("started", 0), ("finalizing", 0), ("done", .number(n)), ("failed", .number(failed)),
                                ("total", .number(n + failed))]))
        }
        var indices = JSONObject()
        for i in m.indices {
            let s = stats(files: i.files.count, bytes: i.sizeInBytes)
            indices[i.name] = .object(JSONObject([("shards_stats", shards(1, failed: 0)), ("stats", s),
                                                  ("shards", .object(JSONObject([("0", .object(JSONObject([("stage", "DONE"), ("stats", s)])))])))]))
        }
        return .object(JSONObject([
            ("snapshot", .string(m.snapshot)), ("repository", .string(repo)), ("uuid", .string(m.uuid)), ("state", .string(m.state)),
            ("include_global_state", .bool(m.includeGlobalState)),
            ("shards_stats", shards(m.indices.count, failed: m.failures.count)),
            ("stats", stats(files: m.indices.reduce(0) { $0 + $1.files.count }, bytes: m.indices.reduce(0) { $0 + $1.sizeInBytes })),
            ("indices", .object(indices)),
        ]))
    }
}
