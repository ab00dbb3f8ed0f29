import Index
import JSON

extension BundledDefinitions {
    public static let policyID = "request-events-retention"

    /// The bundled retention policy, with `days` instead of its 365 when given.
    public static func retentionPolicy(days: Int?) throws(OpenSearchError) -> JSONValue {
        var policy: JSONValue
        do { policy = try JSONParser.parse(requestEventsPolicy) } catch { throw OpenSearchError.jsonParse(error) }
        if let days, case .object(var root) = policy, case .object(var p)? = root["policy"],
           case .array(var states)? = p["states"], case .object(var hot) = states[0], case .array(var ts)? = hot["transitions"],
           case .object(var t) = ts[0] {
            t["conditions"] = ["min_index_age": .string("\(days)d")]
            ts[0] = .object(t); hot["transitions"] = .array(ts); states[0] = .object(hot); p["states"] = .array(states)
            p["description"] = .string("Deletes a daily request-events index \(days) days after the day in its name")
            root["policy"] = .object(p); policy = .object(root)
        }
        return policy
    }
}

extension Node {
    /// Installs the project's own definitions (`mappings/`): the `request-events` and
    /// `session-summaries` index templates and the retention policy. Without `force`, only once
    /// per data directory and only what is absent, so a user's deletions and edits stay;
    /// `searchlight bootstrap` forces a re-install. Returns what was installed.
    @discardableResult
    public func installBundledDefinitions(force: Bool = false, retentionDays: Int? = nil) throws(OpenSearchError) -> [String] {
        let flag = "bundled_definitions_installed"
        if !force, (try? catalog.meta(flag)) != nil { return [] }
        func parse(_ s: String) throws(OpenSearchError) -> JSONValue {
            do { return try JSONParser.parse(s) } catch { throw OpenSearchError.jsonParse(error) }
        }
        var installed: [String] = []
        for (name, text) in [("request-events", BundledDefinitions.requestEventsTemplate), ("session-summaries", BundledDefinitions.sessionSummariesTemplate)]
        where force || template(.composable, name) == nil {
            try putIndexTemplate(name, try parse(text))
            installed.append("index_template/\(name)")
        }
        // An existing session-summaries index gains the bundled fields (additive only).
        if force, let svc = index(named: "session-summaries"), let m = try parse(BundledDefinitions.sessionSummariesTemplate)["template"]?["mappings"] {
            try svc.putMapping(m)
        }
        let policyID = BundledDefinitions.policyID
        let policy = try BundledDefinitions.retentionPolicy(days: retentionDays)
        if let existing = self.policy(policyID) {
            if force {
                _ = try putPolicy(policyID, policy, ifSeqNo: existing.seqNo, ifPrimaryTerm: existing.primaryTerm)
                installed.append("policy/\(policyID)")
            }
        } else {
            _ = try putPolicy(policyID, policy, ifSeqNo: nil, ifPrimaryTerm: nil)
            installed.append("policy/\(policyID)")
        }
        try? catalog.setMeta(flag, "1")
        return installed
    }
}
