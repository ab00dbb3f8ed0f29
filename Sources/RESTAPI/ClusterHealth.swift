import Index
import JSON
import Node

/// `GET /_cluster/health` of the single node: primaries are always active, replicas never
/// assigned, so an index with replicas is yellow. `wait_for_*` conditions that one node can never
/// meet answer 408 with `timed_out: true` like OpenSearch after its timeout.
struct ClusterHealth {
    let node: Node
    let indices: [IndexService]

    func indexStatus(_ i: IndexService) -> String { i.health }

    func response(_ req: RESTRequest) -> RESTResponse {
        // A red index's primaries are unassigned too.
        let primaries = indices.reduce(0) { $0 + ($1.health == "red" ? 0 : $1.numberOfShards) }
        let unassigned = indices.reduce(0) { $0 + $1.numberOfShards * ($1.settings.numberOfReplicas + ($1.health == "red" ? 1 : 0)) }
        let statuses = Set(indices.map(indexStatus))
        let status = statuses.contains("red") ? "red" : statuses.contains("yellow") ? "yellow" : "green"
        var timedOut = false
        if let want = req.params["wait_for_status"], want == "green" && status != "green" || want == "yellow" && status == "red" { timedOut = true }
        if let n = req.params["wait_for_nodes"] {
            let v = n.trimmingCharacters(in: ["<", ">", "="])
            let count = Int(v) ?? 1
            if n.hasPrefix(">=") { timedOut = timedOut || 1 < count }
            else if n.hasPrefix(">") { timedOut = timedOut || 1 <= count }
            else if n.hasPrefix("<=") { timedOut = timedOut || 1 > count }
            else if n.hasPrefix("<") { timedOut = timedOut || 1 >= count }
            else { timedOut = timedOut || count != 1 }
        }
        if let s = req.params["wait_for_active_shards"], s != "all", let n = Int(s), n > primaries { timedOut = true }
        var o = JSONObject([
            ("cluster_name", .string(node.clusterName)), ("status", .string(status)), ("timed_out", .bool(timedOut)),
            ("number_of_nodes", 1), ("number_of_data_nodes", 1), ("discovered_master", true),
            ("discovered_cluster_manager", true),
            ("active_primary_shards", .number(primaries)), ("active_shards", .number(primaries)),
            ("relocating_shards", 0), ("initializing_shards", 0), ("unassigned_shards", .number(unassigned)),
            ("delayed_unassigned_shards", 0), ("number_of_pending_tasks", 0), ("number_of_in_flight_fetch", 0),
            ("task_max_waiting_in_queue_millis", 0),
            ("active_shards_percent_as_number", .double(primaries + unassigned == 0 ? 100.0 : Double(primaries) * 100 / Double(primaries + unassigned))),
        ])
        let level = req.params["level"] ?? "cluster"
        if level == "indices" || level == "shards" {
            var idx = JSONObject()
            for i in indices {
                let red = indexStatus(i) == "red"
                let active = red ? 0 : i.numberOfShards
                var io = JSONObject([("status", .string(indexStatus(i))), ("number_of_shards", .number(i.numberOfShards)),
                                     ("number_of_replicas", .number(i.settings.numberOfReplicas)),
                                     ("active_primary_shards", .number(active)), ("active_shards", .number(active)),
                                     ("relocating_shards", 0), ("initializing_shards", 0),
                                     ("unassigned_shards", .number(i.numberOfShards * (i.settings.numberOfReplicas + (red ? 1 : 0))))])
                if let cause = i.unavailableReason { io["unassigned_reason"] = .string(cause.reason) }
                if level == "shards" {
                    var shards = JSONObject()
                    for s in 0..<i.numberOfShards {
                        shards[String(s)] = .object(JSONObject([("status", .string(indexStatus(i))), ("primary_active", .bool(!red)), ("active_shards", .number(red ? 0 : 1)),
                                                                ("relocating_shards", 0), ("initializing_shards", 0),
                                                                ("unassigned_shards", .number(i.settings.numberOfReplicas + (red ? 1 : 0)))]))
                    }
                    io["shards"] = .object(shards)
                }
                idx[i.name] = .object(io)
            }
            o["indices"] = .object(idx)
        }
        return RESTResponse(timedOut ? 408 : 200, .object(o))
    }
}
