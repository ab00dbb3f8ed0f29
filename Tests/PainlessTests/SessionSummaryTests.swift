import JSON
import Painless
import Testing

/// The session-summary upsert script of issue #6 against a Swift reference: whatever the order of
/// events and however often they are replayed, the summary converges on the one computed from the
/// distinct events alone.
@Suite struct SessionSummaryTests {
    static let script = """
        def s = ctx._source;
        String id = params.event_id;
        if (s.event_ids == null) { s.event_ids = []; }
        if (s.event_ids.contains(id)) { ctx.op = 'none'; return; }
        s.event_ids.add(id);
        Collections.sort(s.event_ids);
        s.session_id = params.session_id;
        for (String k : ['module', 'path', 'assetType', 'siteToken']) {
          def v = params[k];
          if (v == null) { continue; }
          String f = k + 's';
          if (s[f] == null) { s[f] = new ArrayList(); }
          if (!s[f].contains(v)) { s[f].add(v); Collections.sort(s[f]); }
        }
        if (s.start_time == null || params.ts.compareTo(s.start_time) < 0) { s.start_time = params.ts; s.start_ms = params.ts_ms; }
        if (s.end_time == null || params.ts.compareTo(s.end_time) > 0) { s.end_time = params.ts; s.end_ms = params.ts_ms; }
        s.duration_seconds = (s.end_ms - s.start_ms) / 1000.0;
        s.event_count = s.event_ids.size();
        s.last_updated = ctx._now;
        """

    struct Event: Equatable {
        var id: String, session: String, tsMillis: Int64
        var module: String?, path: String?, assetType: String?, siteToken: String?

        var ts: String {
            let s = tsMillis / 1000, ms = tsMillis % 1000
            return "2024-01-01T\(pad(s / 3600 % 24)):\(pad(s / 60 % 60)):\(pad(s % 60)).\(String(ms + 1000).dropFirst())Z"
        }
        func pad(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

        var params: JSONObject {
            var o = JSONObject([("event_id", .string(id)), ("session_id", .string(session)), ("ts", .string(ts)), ("ts_ms", .int(tsMillis))])
            if let module { o["module"] = .string(module) }
            if let path { o["path"] = .string(path) }
            if let assetType { o["assetType"] = .string(assetType) }
            if let siteToken { o["siteToken"] = .string(siteToken) }
            return o
        }
    }

    /// The summary from the distinct events, computed directly; keys sorted for comparison.
    static func reference(_ events: [Event]) -> [String: JSONValue] {
        var byId: [String: Event] = [:]
        for e in events { byId[e.id] = e }
        let distinct = Array(byId.values)
        var out: [String: JSONValue] = [:]
        out["event_ids"] = .array(distinct.map(\.id).sorted().map { .string($0) })
        out["session_id"] = .string(distinct[0].session)
        func set(_ key: String, _ f: (Event) -> String?) {
            let values = Set(distinct.compactMap(f))
            if !values.isEmpty { out[key] = .array(values.sorted().map { .string($0) }) }
        }
        set("modules", \.module); set("paths", \.path); set("assetTypes", \.assetType); set("siteTokens", \.siteToken)
        let first = distinct.min { $0.tsMillis < $1.tsMillis }!, last = distinct.max { $0.tsMillis < $1.tsMillis }!
        out["start_time"] = .string(first.ts); out["start_ms"] = .int(first.tsMillis)
        out["end_time"] = .string(last.ts); out["end_ms"] = .int(last.tsMillis)
        out["duration_seconds"] = .double(Double(last.tsMillis - first.tsMillis) / 1000.0)
        out["event_count"] = .number(distinct.count)
        return out
    }

    static func unordered(_ o: JSONObject) -> [String: JSONValue] {
        var d: [String: JSONValue] = [:]
        for (k, v) in o where k != "last_updated" { d[k] = v }
        return d
    }

    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomEvents(_ rng: inout RNG, count: Int) -> [Event] {
        (0..<count).map { i in
            Event(id: "ev-\(i)-\(UInt32.random(in: 0...UInt32.max, using: &rng))", session: "s1",
                  tsMillis: Int64.random(in: 0..<86_400_000, using: &rng),
                  module: Int.random(in: 0..<3, using: &rng) == 0 ? nil : ["search", "report", "admin", "billing"].randomElement(using: &rng),
                  path: ["/a", "/b", "/c/d", "/e"].randomElement(using: &rng),
                  assetType: Bool.random(using: &rng) ? ["pdf", "img", "csv"].randomElement(using: &rng) : nil,
                  siteToken: Int.random(in: 0..<4, using: &rng) == 0 ? ["t1", "t2"].randomElement(using: &rng) : nil)
        }
    }

    /// Applies events as `_update` with `scripted_upsert` and an empty `upsert` would.
    static func apply(_ events: [Event], script: PainlessScript) throws -> JSONObject? {
        var doc: JSONObject? = nil
        for e in events {
            let out = try script.update(source: doc ?? JSONObject(), params: e.params, now: 1, upsert: doc == nil,
                                        index: "session-summaries", id: e.session, version: 1, routing: nil)
            switch out.op {
            case .index, .create: doc = out.source
            case .delete: doc = nil
            case .none: break
            }
        }
        return doc
    }

    @Test(arguments: 0..<25)
    func convergesUnderReplayAndReorder(seed: Int) throws {
        var rng = RNG(state: UInt64(seed) &* 7919 &+ 1)
        let script = try PainlessScript(Self.script)
        let events = Self.randomEvents(&rng, count: Int.random(in: 1...30, using: &rng))
        let expected = Self.reference(events)
        for _ in 0..<4 {
            // Replays: some events two or three times, in a shuffled order.
            var stream = events
            for e in events where Int.random(in: 0..<3, using: &rng) == 0 { stream.append(e) }
            for e in events where Int.random(in: 0..<6, using: &rng) == 0 { stream.append(e) }
            stream.shuffle(using: &rng)
            let doc = try #require(try Self.apply(stream, script: script))
            #expect(Self.unordered(doc) == expected)
            #expect(doc["last_updated"] == 1)
        }
    }

    @Test func replayIsNoop() throws {
        let script = try PainlessScript(Self.script)
        var rng = RNG(state: 3)
        let e = Self.randomEvents(&rng, count: 1)[0]
        let first = try script.update(source: JSONObject(), params: e.params, now: 1, upsert: true, index: "i", id: "s1", version: 0, routing: nil)
        #expect(first.op == .create)
        let again = try script.update(source: first.source, params: e.params, now: 2, upsert: false, index: "i", id: "s1", version: 1, routing: nil)
        #expect(again.op == .none)
    }
}
