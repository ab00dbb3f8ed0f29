import Index
import JSON
import Node

extension SearchlightAPI {
    static func registerLifecycle(_ r: inout Router, _ node: Node, testClock: ManualClock?) {
        let base = "/_plugins/_ism"
        @Sendable func policyBody(_ p: StoredPolicy) -> JSONValue {
            .object(JSONObject([("_id", .string(p.id)), ("_version", .int(p.seqNo + 1)), ("_primary_term", .int(p.primaryTerm)),
                                ("_seq_no", .int(p.seqNo)), ("policy", ["policy": p.policy])]))
        }
        r.add([.PUT], "\(base)/policies/{id}") { req throws(OpenSearchError) in
            let id = req[path: "id"]!
            let existed = node.policy(id) != nil
            let p = try node.putPolicy(id, try req.requiredJSON(), ifSeqNo: try req.int64("if_seq_no"), ifPrimaryTerm: try req.int64("if_primary_term"))
            return RESTResponse(existed ? 200 : 201, policyBody(p))
        }
        r.add([.GET, .HEAD], "\(base)/policies/{id}") { req throws(OpenSearchError) in
            guard let p = node.policy(req[path: "id"]!) else {
                if req.method == .HEAD { return RESTResponse(404, nil) }
                throw OpenSearchError("status_exception", "Policy not found", status: 404)
            }
            if req.method == .HEAD { return RESTResponse(200, nil) }
            return RESTResponse(200, .object(JSONObject([("_id", .string(p.id)), ("_version", .int(p.seqNo + 1)), ("_seq_no", .int(p.seqNo)),
                                                         ("_primary_term", .int(p.primaryTerm)), ("policy", p.policy)])))
        }
        r.add([.GET], "\(base)/policies") { _ throws(OpenSearchError) in
            let list: [JSONValue] = node.allPolicies.map { p in
                .object(JSONObject([("_index", ".opendistro-ism-config"), ("_id", .string(p.id)), ("_seq_no", .int(p.seqNo)),
                                    ("_primary_term", .int(p.primaryTerm)), ("policy", p.policy)]))
            }
            return RESTResponse(200, ["policies": .array(list), "total_policies": .number(list.count)])
        }
        r.add([.DELETE], "\(base)/policies/{id}") { req throws(OpenSearchError) in
            let id = req[path: "id"]!
            let removed = try node.deletePolicy(id)
            var o = JSONObject([("_index", ".opendistro-ism-config"), ("_id", .string(id)),
                                ("_version", .int((removed?.seqNo ?? 0) + 2)), ("result", .string(removed == nil ? "not_found" : "deleted")),
                                ("forced_refresh", true), ("_shards", ["total": 2, "successful": 1, "failed": 0])])
            o["_seq_no"] = .int((removed?.seqNo ?? 0) + 1)
            o["_primary_term"] = 1
            return RESTResponse(removed == nil ? 404 : 200, .object(o))
        }
        @Sendable func changeResult(_ r: (updated: [IndexService], failed: [(IndexService, String)])) -> RESTResponse {
            let failed: [JSONValue] = r.failed.map { (svc, why) in
                ["index_name": .string(svc.name), "index_uuid": .string(svc.uuid), "reason": .string(why)]
            }
            return RESTResponse(200, ["updated_indices": .number(r.updated.count), "failures": .bool(!failed.isEmpty), "failed_indices": .array(failed)])
        }
        r.add([.POST], "\(base)/add/{index}") { req throws(OpenSearchError) in
            guard let id = try req.requiredJSON()["policy_id"]?.stringValue else {
                throw OpenSearchError.illegalArgument("Missing policy_id")
            }
            return changeResult(try node.addPolicy(id, to: req[path: "index"]!))
        }
        r.add([.POST], "\(base)/remove/{index}") { req throws(OpenSearchError) in
            changeResult(try node.removePolicy(from: req[path: "index"]!))
        }
        let explain: Router.Handler = { req throws(OpenSearchError) in
            let indices = try node.resolve(req[path: "index"] ?? "_all", options: try options(req))
            var o = JSONObject()
            var managed = 0
            for svc in indices {
                guard let st = node.managedState(svc.name) else {
                    // Without an index expression only managed indices are listed, as ISM does.
                    if req[path: "index"] == nil { continue }
                    o[svc.name] = ["index.plugins.index_state_management.policy_id": .null, "index.opendistro.index_state_management.policy_id": .null,
                                   "enabled": .null]
                    continue
                }
                managed += 1
                let p = node.policy(st.policyID)
                let actions = p?.policy["states"]?.arrayValue?.first { ($0["name"]?.stringValue) == st.state }?["actions"]?.arrayValue ?? []
                let actionName = st.actionIndex < actions.count ? (actions[st.actionIndex].objectValue?.keys.first ?? "") : "transition"
                var e = JSONObject()
                e["index.plugins.index_state_management.policy_id"] = .string(st.policyID)
                e["index.opendistro.index_state_management.policy_id"] = .string(st.policyID)
                e["index"] = .string(svc.name)
                e["index_uuid"] = .string(svc.uuid)
                e["policy_id"] = .string(st.policyID)
                e["policy_seq_no"] = .int(st.policySeqNo)
                e["policy_primary_term"] = 1
                e["rolled_over"] = .bool(st.rolledOver)
                e["index_creation_date"] = .int(svc.createdMillis)
                e["origination_date"] = .int(node.originationMillis(svc, policy: p?.policy))
                e["state"] = ["name": .string(st.state), "start_time": .int(st.stateStartMillis)]
                e["action"] = ["name": .string(actionName), "start_time": .int(st.actionStartMillis), "index": .number(st.actionIndex),
                               "failed": .bool(st.failed), "consumed_retries": 0, "last_retry_time": 0]
                e["retry_info"] = ["failed": .bool(st.failed), "consumed_retries": 0]
                e["info"] = ["message": .string(st.info)]
                e["enabled"] = .bool(st.enabled)
                o[svc.name] = .object(e)
            }
            o["total_managed_indices"] = .number(managed)
            return RESTResponse(200, .object(o))
        }
        r.add([.GET], "\(base)/explain", explain)
        r.add([.GET], "\(base)/explain/{index}", explain)
        // Test hook: set the manual clock and run one lifecycle pass. Only with `serve --test-clock`.
        if let testClock {
            r.add([.POST], "\(base)/_tick") { req throws(OpenSearchError) in
                if let now = try req.int64("now") { testClock.set(now) }
                await node.runLifecycle()
                return RESTResponse(200, ["now": .int(testClock.now), "acknowledged": true])
            }
        }
    }
}
