import JSON

/// A lifecycle policy as stored: the policy JSON plus its sequence number and term, which the ISM
/// API reports and uses for optimistic concurrency.
public struct StoredPolicy: Sendable, Equatable {
    public var id: String
    public var policy: JSONValue
    public var seqNo: Int64
    public var primaryTerm: Int64

    public init(id: String, policy: JSONValue, seqNo: Int64, primaryTerm: Int64 = 1) {
        self.id = id
        self.policy = policy
        self.seqNo = seqNo
        self.primaryTerm = primaryTerm
    }
}

/// Where one managed index is in its policy: the current state, the action being run, and when
/// each began (milliseconds, on the node's clock).
public struct ManagedIndexState: Sendable, Equatable {
    public var policyID: String
    public var policySeqNo: Int64
    public var state: String
    public var stateStartMillis: Int64
    /// Index of the next action of `state` to run; equal to the action count once all have run.
    public var actionIndex: Int = 0
    public var actionStartMillis: Int64
    public var rolledOver: Bool = false
    public var failed: Bool = false
    public var info: String = "Successfully initialized policy"
    public var enabled: Bool = true

    public init(policyID: String, policySeqNo: Int64, state: String, now: Int64) {
        self.policyID = policyID
        self.policySeqNo = policySeqNo
        self.state = state
        self.stateStartMillis = now
        self.actionStartMillis = now
    }
}

extension StoredPolicy {
    /// What the catalog keeps: the policy and its concurrency numbers.
    var storedJSON: JSONValue {
        .object(JSONObject([("policy", policy), ("_seq_no", .int(seqNo)), ("_primary_term", .int(primaryTerm))]))
    }
}

extension ManagedIndexState {
    var json: JSONValue {
        .object(JSONObject([
            ("policy_id", .string(policyID)), ("policy_seq_no", .int(policySeqNo)), ("state", .string(state)),
            ("state_start", .int(stateStartMillis)), ("action_index", .int(Int64(actionIndex))), ("action_start", .int(actionStartMillis)),
            ("rolled_over", .bool(rolledOver)), ("failed", .bool(failed)), ("info", .string(info)), ("enabled", .bool(enabled)),
        ]))
    }

    init?(json v: JSONValue) {
        guard let p = v["policy_id"]?.stringValue, let st = v["state"]?.stringValue else { return nil }
        self.init(policyID: p, policySeqNo: v["policy_seq_no"]?.int64Value ?? 0, state: st, now: v["state_start"]?.int64Value ?? 0)
        actionIndex = Int(v["action_index"]?.int64Value ?? 0)
        actionStartMillis = v["action_start"]?.int64Value ?? stateStartMillis
        rolledOver = v["rolled_over"]?.boolValue ?? false
        failed = v["failed"]?.boolValue ?? false
        info = v["info"]?.stringValue ?? ""
        enabled = v["enabled"]?.boolValue ?? true
    }
}
