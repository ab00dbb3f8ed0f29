import JSON

/// The part of one session's summary that a set of events determines: distinct event ids, the
/// distinct modules/paths/asset types/site tokens, the earliest and latest event. Merging two
/// partials is a set union plus min/max, so it is commutative, associative and idempotent — which
/// is why replays, retries, reordering and concurrent processors all converge on the same
/// `session-summaries` document. It is also the reference the tests compare the index against.
public struct SessionSummary: Sendable, Equatable {
    public var sessionID: String
    public var eventIDs: Set<String> = []
    public var modules: Set<String> = []
    public var paths: Set<String> = []
    public var assetTypes: Set<String> = []
    public var siteTokens: Set<String> = []
    /// The smallest user name seen (a session normally has one; min keeps it order-independent).
    public var user: String?
    public var startMs: Int64 = .max
    public var endMs: Int64 = .min

    public init(sessionID: String) { self.sessionID = sessionID }

    public mutating func add(_ e: RequestEvent) {
        eventIDs.insert(e.eventID)
        if let m = e.module { modules.insert(m) }
        paths.insert(e.path)
        if let a = e.assetType { assetTypes.insert(a) }
        if let s = e.siteToken { siteTokens.insert(s) }
        if let u = e.user, user == nil || u < user! { user = u }
        startMs = min(startMs, e.timestamp)
        endMs = max(endMs, e.timestamp)
    }

    /// The script parameters of one `_bulk` update carrying this partial summary.
    public func writeParams(to w: inout JSONWriter) {
        w.writeRaw("{\"session_id\":".utf8); w.writeString(sessionID)
        func list(_ name: String, _ s: Set<String>) {
            w.writeRaw(",\"\(name)\":[".utf8)
            for (i, v) in s.sorted().enumerated() {
                if i > 0 { w.writeRaw(",".utf8) }
                w.writeString(v)
            }
            w.writeRaw("]".utf8)
        }
        list("event_ids", eventIDs)
        list("modules", modules)
        list("paths", paths)
        list("assetTypes", assetTypes)
        list("siteTokens", siteTokens)
        w.writeRaw(",\"user\":".utf8)
        if let user { w.writeString(user) } else { w.writeRaw("null".utf8) }
        w.writeRaw(",\"start_ms\":\(startMs),\"end_ms\":\(endMs),\"start_time\":".utf8)
        w.writeString(UTCTime.format(startMs))
        w.writeRaw(",\"end_time\":".utf8); w.writeString(UTCTime.format(endMs))
        w.writeRaw("}".utf8)
    }

    /// The document the script converges to (without `last_updated`), for tests and tooling.
    public var expectedDocument: JSONValue {
        var o = JSONObject()
        o["session_id"] = .string(sessionID)
        o["event_ids"] = .array(eventIDs.sorted().map { .string($0) })
        for (k, s) in [("modules", modules), ("paths", paths), ("assetTypes", assetTypes), ("siteTokens", siteTokens)] where !s.isEmpty {
            o[k] = .array(s.sorted().map { .string($0) })
        }
        if let user { o["user"] = .string(user) }
        o["start_ms"] = .int(startMs)
        o["start_time"] = .string(UTCTime.format(startMs))
        o["end_ms"] = .int(endMs)
        o["end_time"] = .string(UTCTime.format(endMs))
        o["duration_seconds"] = .double(Double(endMs - startMs) / 1000)
        o["event_count"] = .int(Int64(eventIDs.count))
        return .object(o)
    }

    /// Summaries computed directly from events (the reference for convergence tests).
    public static func reference(_ events: some Sequence<RequestEvent>) -> [String: SessionSummary] {
        var out: [String: SessionSummary] = [:]
        for e in events {
            guard let sid = e.sessionID else { continue }
            out[sid, default: SessionSummary(sessionID: sid)].add(e)
        }
        return out
    }
}
