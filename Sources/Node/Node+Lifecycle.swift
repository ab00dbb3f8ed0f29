import Foundation
import Index
import JSON
import Storage

/// Index State Management: policies (`/_plugins/_ism/policies`), the indices they manage, and the
/// job that moves each managed index through its policy's states. Decisions use the node's
/// injectable clock, so tests drive the lifecycle without sleeping.
extension Node {
    static let rolloverAliasKeys = ["index.plugins.index_state_management.rollover_alias", "index.opendistro.index_state_management.rollover_alias",
                                    "index.lifecycle.rollover_alias"]

    func loadLifecycle() throws(StorageError) {
        var policies: [String: StoredPolicy] = [:]
        for (id, body) in try catalog.metadata(kind: "ism_policy") {
            guard let v = try? JSONParser.parse(body), let p = v["policy"] else { continue }
            policies[id] = StoredPolicy(id: id, policy: p, seqNo: v["_seq_no"]?.int64Value ?? 0, primaryTerm: v["_primary_term"]?.int64Value ?? 1)
        }
        let byUUID = Dictionary(allIndices.map { ($0.uuid, $0.name) }, uniquingKeysWith: { a, _ in a })
        var states: [String: ManagedIndexState] = [:]
        for (uuid, body) in try catalog.metadata(kind: "ism_state") {
            guard let name = byUUID[uuid], let v = try? JSONParser.parse(body), let s = ManagedIndexState(json: v) else { continue }
            states[name] = s
        }
        metadata.withLock { md in
            md.policies = policies
            md.lifecycle = states
        }
    }

    // MARK: policies

    /// `PUT /_plugins/_ism/policies/{id}`: creates, or updates when `if_seq_no`/`if_primary_term` match.
    public func putPolicy(_ id: String, _ body: JSONValue, ifSeqNo: Int64?, ifPrimaryTerm: Int64?) throws(OpenSearchError) -> StoredPolicy {
        guard case .object(var p)? = body["policy"] else { throw OpenSearchError.illegalArgument("Required [policy]") }
        try Node.validatePolicy(p)
        p["policy_id"] = .string(id)
        p["last_updated_time"] = .int(clock())
        if p["schema_version"] == nil { p["schema_version"] = 21 }
        if p["error_notification"] == nil { p["error_notification"] = .null }
        let policyJSON = JSONValue.object(p)
        let catalog = self.catalog
        let r: Result<StoredPolicy, OpenSearchError> = metadata.withLock { md in
            let existing = md.policies[id]
            if let existing {
                guard let s = ifSeqNo, let t = ifPrimaryTerm else {
                    return .failure(OpenSearchError("version_conflict_engine_exception", "[\(id)]: version conflict, document already exists (current version [\(existing.seqNo + 1)])", status: 409,
                                                    metadata: JSONObject([("index", ".opendistro-ism-config"), ("shard", "0")])))
                }
                if s != existing.seqNo || t != existing.primaryTerm {
                    return .failure(OpenSearchError("version_conflict_engine_exception", "[\(id)]: version conflict, required seqNo [\(s)], primary term [\(t)]. current document has seqNo [\(existing.seqNo)] and primary term [\(existing.primaryTerm)]", status: 409,
                                                    metadata: JSONObject([("index", ".opendistro-ism-config"), ("shard", "0")])))
                }
            } else if ifSeqNo != nil {
                return .failure(OpenSearchError("document_missing_exception", "[\(id)]: document missing", status: 404))
            }
            let nextSeq = (md.policies.values.map(\.seqNo).max() ?? -1) + 1
            let stored = StoredPolicy(id: id, policy: policyJSON, seqNo: nextSeq)
            do { try catalog.updateMetadata([("ism_policy", id, JSONWriter.string(stored.storedJSON))]) } catch {
                return .failure(OpenSearchError("exception", "failed to persist policy [\(id)]: \(error)", status: 500))
            }
            md.policies[id] = stored
            return .success(stored)
        }
        return try r.get()
    }

    static func validatePolicy(_ p: JSONObject) throws(OpenSearchError) {
        guard case .array(let states)? = p["states"], !states.isEmpty else {
            throw OpenSearchError.illegalArgument("Policy must have at least one state")
        }
        let names = states.compactMap { $0["state_name"]?.stringValue ?? $0["name"]?.stringValue }
        guard let def = p["default_state"]?.stringValue else { throw OpenSearchError.illegalArgument("Required [default_state]") }
        if !names.contains(def) { throw OpenSearchError.illegalArgument("Policy default_state [\(def)] does not exist in states") }
        for s in states {
            for t in s["transitions"]?.arrayValue ?? [] {
                guard let target = t["state_name"]?.stringValue, names.contains(target) else {
                    throw OpenSearchError.illegalArgument("Policy contains a transition to a state that does not exist")
                }
            }
            for a in s["actions"]?.arrayValue ?? [] {
                guard case .object(let ao) = a, let kind = ao.keys.first(where: { !["timeout", "retry"].contains($0) }) else { continue }
                let known = ["rollover", "read_only", "read_write", "force_merge", "delete", "replica_count", "open", "close", "index_priority", "notification", "snapshot", "allocation", "shrink", "rollup", "transform", "alias"]
                if !known.contains(kind) { throw OpenSearchError.illegalArgument("Invalid action type [\(kind)]") }
            }
        }
    }

    public func policy(_ id: String) -> StoredPolicy? { metadata.withLock { $0.policies[id] } }

    public var allPolicies: [StoredPolicy] { metadata.withLock { Array($0.policies.values) }.sorted { $0.id < $1.id } }

    public func deletePolicy(_ id: String) throws(OpenSearchError) -> StoredPolicy? {
        let catalog = self.catalog
        let r: Result<StoredPolicy?, OpenSearchError> = metadata.withLock { md in
            guard let p = md.policies[id] else { return .success(nil) }
            do { try catalog.updateMetadata([("ism_policy", id, nil)]) } catch {
                return .failure(OpenSearchError("exception", "failed to delete policy [\(id)]: \(error)", status: 500))
            }
            md.policies[id] = nil
            return .success(p)
        }
        return try r.get()
    }

    // MARK: managed indices

    public func managedState(_ index: String) -> ManagedIndexState? { metadata.withLock { $0.lifecycle[index] } }

    /// `POST /_plugins/_ism/add/{index}`: the indices that got the policy, and those that already had one.
    public func addPolicy(_ policyID: String, to expression: String) throws(OpenSearchError) -> (updated: [IndexService], failed: [(IndexService, String)]) {
        guard let p = policy(policyID) else {
            throw OpenSearchError("status_exception", "Could not find policy=\(policyID)", status: 404)
        }
        let targets = try resolve(expression, options: IndicesOptions(ignoreUnavailable: false, allowNoIndices: false))
        var updated: [IndexService] = []
        var failed: [(IndexService, String)] = []
        for svc in targets {
            if managedState(svc.name) != nil {
                failed.append((svc, "This index already has a policy, use the update policy API to update index policies"))
                continue
            }
            try manage(svc, with: p)
            updated.append(svc)
        }
        return (updated, failed)
    }

    public func removePolicy(from expression: String) throws(OpenSearchError) -> (updated: [IndexService], failed: [(IndexService, String)]) {
        let targets = try resolve(expression, options: IndicesOptions(ignoreUnavailable: false, allowNoIndices: false))
        var updated: [IndexService] = []
        var failed: [(IndexService, String)] = []
        for svc in targets {
            guard managedState(svc.name) != nil else { failed.append((svc, "This index does not have a policy to remove")); continue }
            try saveState(svc, nil)
            updated.append(svc)
        }
        return (updated, failed)
    }

    func manage(_ svc: IndexService, with p: StoredPolicy) throws(OpenSearchError) {
        let def = p.policy["default_state"]?.stringValue ?? ""
        try saveState(svc, ManagedIndexState(policyID: p.id, policySeqNo: p.seqNo, state: def, now: clock()))
    }

    func saveState(_ svc: IndexService, _ state: ManagedIndexState?) throws(OpenSearchError) {
        do { try catalog.updateMetadata([("ism_state", svc.uuid, state.map { JSONWriter.string($0.json) })]) } catch {
            throw OpenSearchError("exception", "failed to persist the lifecycle state of [\(svc.name)]: \(error)", status: 500)
        }
        metadata.withLock { $0.lifecycle[svc.name] = state }
    }

    /// Attaches the policy whose `ism_template` matches a new index (highest priority wins).
    func attachPolicyOnCreate(_ svc: IndexService) {
        var best: (StoredPolicy, Int64)? = nil
        for p in allPolicies {
            for t in p.policy["ism_template"].map({ $0.arrayValue ?? [$0] }) ?? [] {
                let patterns = Node.patterns(t["index_patterns"])
                guard patterns.contains(where: { Wildcard.matches($0, svc.name) }) else { continue }
                let prio = t["priority"]?.int64Value ?? 0
                if best == nil || prio > best!.1 { best = (p, prio) }
            }
        }
        guard let (p, _) = best else { return }
        do { try manage(svc, with: p) } catch {
            logger.error("attaching policy [\(p.id)] to [\(svc.name)] failed: \(error)")
        }
    }

    // MARK: origination

    /// When an index's age starts: `index.lifecycle.origination_date`, else the policy's (or
    /// `index.lifecycle.origination` setting's) source — the date in the index name, or the newest
    /// `timestamp` — else the creation date.
    public func originationMillis(_ svc: IndexService, policy: JSONValue?) -> Int64 {
        let settings = svc.settings
        if let s = settings["index.lifecycle.origination_date"], let v = Int64(s) { return v }
        var source = settings["index.lifecycle.origination"] ?? policy?["origination"]?.stringValue
        if settings.bool("index.lifecycle.parse_origination_date") { source = "index_name" }
        switch source {
        case "index_name":
            if let d = Node.dateInName(svc.name) { return d }
        case "timestamp":
            let snap = svc.snapshot()
            let newest = snap.segments.compactMap { $0.segment.numeric("timestamp")?.maxValue }.max()
            if let newest { return newest }
        default: break
        }
        return svc.createdMillis
    }

    /// The UTC midnight of a `yyyy.MM.dd` or `yyyy-MM-dd` date in an index name.
    public static func dateInName(_ name: String) -> Int64? {
        let chars = Array(name.utf8)
        guard chars.count >= 10 else { return nil }
        for start in stride(from: chars.count - 10, through: 0, by: -1) {
            let s = chars[start..<start + 10]
            let sep = s[start + 4]
            guard sep == UInt8(ascii: ".") || sep == UInt8(ascii: "-"), s[start + 7] == sep else { continue }
            func num(_ a: Int, _ n: Int) -> Int? {
                var v = 0
                for i in a..<a + n { let c = chars[i]; guard c >= 48 && c <= 57 else { return nil }; v = v * 10 + Int(c - 48) }
                return v
            }
            guard let y = num(start, 4), let m = num(start + 5, 2), let d = num(start + 8, 2), (1...12).contains(m), (1...31).contains(d) else { continue }
            var comps = DateComponents()
            comps.year = y; comps.month = m; comps.day = d
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = TimeZone(identifier: "UTC")!
            guard let date = cal.date(from: comps) else { continue }
            return Int64(date.timeIntervalSince1970 * 1000)
        }
        return nil
    }

    // MARK: the job

    /// One pass of the lifecycle job over every managed index; each index advances as far as its
    /// conditions allow now. Failures are recorded in the index's state, never thrown.
    public func runLifecycle() async {
        let managed = metadata.withLock { $0.lifecycle }
        for name in managed.keys.sorted() {
            for _ in 0..<16 {
                guard let svc = index(named: name), let state = managedState(name) else { break }
                let progressed = await step(svc, state)
                if !progressed { break }
            }
        }
    }

    /// Advances one index by one action or transition; false when it must wait.
    func step(_ svc: IndexService, _ st: ManagedIndexState) async -> Bool {
        guard st.enabled, !st.failed else { return false }
        guard let p = policy(st.policyID) else {
            var s = st
            s.failed = true
            s.info = "Policy [\(st.policyID)] does not exist"
            try? saveState(svc, s)
            return false
        }
        let states = p.policy["states"]?.arrayValue ?? []
        guard let current = states.first(where: { ($0["name"]?.stringValue ?? $0["state_name"]?.stringValue) == st.state }) else {
            var s = st
            s.failed = true
            s.info = "State [\(st.state)] does not exist in policy [\(p.id)]"
            try? saveState(svc, s)
            return false
        }
        let now = clock()
        let actions = current["actions"]?.arrayValue ?? []
        var s = st
        if s.actionIndex < actions.count {
            guard case .object(let ao) = actions[s.actionIndex], let kind = ao.keys.first(where: { !["timeout", "retry"].contains($0) }) else {
                s.actionIndex += 1
                try? saveState(svc, s)
                return true
            }
            let config = ao[kind] ?? .object(JSONObject())
            do throws(OpenSearchError) {
                switch kind {
                case "rollover":
                    if s.rolledOver { break }
                    guard let alias = Node.rolloverAliasKeys.lazy.compactMap({ svc.settings[$0] }).first else {
                        s.failed = true
                        s.info = "Missing rollover_alias index setting [\(svc.name)]"
                        try saveState(svc, s)
                        return false
                    }
                    let age = now - originationMillis(svc, policy: p.policy)
                    var met = config.objectValue?.isEmpty ?? true
                    if let v = config["min_doc_count"]?.int64Value, svc.docCount >= v { met = true }
                    if let v = config["min_index_age"]?.stringValue.flatMap(TimeValue.parseMillis), age >= v { met = true }
                    if let v = config["min_size"]?.stringValue.flatMap(ByteSize.parse), svc.storeSizeBytes >= v { met = true }
                    if let v = config["min_primary_shard_size"]?.stringValue.flatMap(ByteSize.parse), svc.storeSizeBytes >= v { met = true }
                    guard met else {
                        if s.info != "Pending rollover of index [index=\(svc.name)]" {
                            s.info = "Pending rollover of index [index=\(svc.name)]"
                            try saveState(svc, s)
                        }
                        return false
                    }
                    _ = try rollover(alias: alias, newIndex: nil, conditions: RolloverConditions(), createBody: nil, dryRun: false)
                    s.rolledOver = true
                    s.info = "Successfully rolled over index [index=\(svc.name)]"
                case "read_only":
                    try svc.updateSettings(["index.blocks.write": "true"])
                    s.info = "Successfully set index to read-only [index=\(svc.name)]"
                case "read_write":
                    try svc.updateSettings(["index.blocks.write": "false"])
                    s.info = "Successfully set index to read-write [index=\(svc.name)]"
                case "replica_count":
                    if let n = config["number_of_replicas"]?.int64Value { try svc.updateSettings(["index.number_of_replicas": .string(String(n))]) }
                    s.info = "Successfully set number_of_replicas [index=\(svc.name)]"
                case "force_merge":
                    try await svc.forceMerge(maxSegments: Int(config["max_num_segments"]?.int64Value ?? 1))
                    s.info = "Successfully force merged [index=\(svc.name)]"
                case "delete":
                    _ = try deleteIndices(svc.name)
                    return false
                default:
                    s.info = "Action [\(kind)] is not supported here and was skipped [index=\(svc.name)]"
                }
            } catch {
                s.failed = true
                s.info = "Failed to run action [\(kind)]: \(error.reason)"
                try? saveState(svc, s)
                return false
            }
            s.actionIndex += 1
            s.actionStartMillis = now
            try? saveState(svc, s)
            return true
        }
        // Every action done: take the first transition whose conditions hold.
        let age = now - originationMillis(svc, policy: p.policy)
        for t in current["transitions"]?.arrayValue ?? [] {
            guard let target = t["state_name"]?.stringValue else { continue }
            var ok = true
            if let c = t["conditions"]?.objectValue {
                if let v = c["min_index_age"]?.stringValue.flatMap(TimeValue.parseMillis), age < v { ok = false }
                if let v = c["min_doc_count"]?.int64Value, svc.docCount < v { ok = false }
                if let v = c["min_size"]?.stringValue.flatMap(ByteSize.parse), svc.storeSizeBytes < v { ok = false }
                if let v = c["min_rollover_age"]?.stringValue.flatMap(TimeValue.parseMillis), !s.rolledOver || now - s.actionStartMillis < v { ok = false }
            }
            guard ok else { continue }
            s.state = target
            s.stateStartMillis = now
            s.actionIndex = 0
            s.actionStartMillis = now
            s.info = "Transitioning to \(target) [index=\(svc.name)]"
            try? saveState(svc, s)
            return true
        }
        return false
    }
}
