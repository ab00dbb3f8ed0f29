import JSON
import Node
@testable import Processor
import RESTAPI
import Testing

/// Session summaries applied to a node in-process (through `POST /_processor/cloudwatch`, i.e. the
/// `_bulk` path and the Painless upsert) converge on the summaries computed directly from the logs,
/// whatever the order, batching, duplication and concurrency.
@Suite struct ConvergenceTests {
    static func generated(_ n: Int, seed: UInt64) -> [String] {
        var g = LogGenerator()
        g.events = n
        g.days = 2
        g.users = 40
        g.seed = seed
        return g.lines()
    }

    static func reference(_ lines: [String]) -> (events: [RequestEvent], summaries: [String: SessionSummary]) {
        let parser = LogParser()
        var events: [String: RequestEvent] = [:]
        for l in lines { if case .event(let e) = parser.parse(Array(l.utf8)) { events[e.eventID] = e } }
        return (Array(events.values), SessionSummary.reference(events.values))
    }

    func post(_ api: SearchlightAPI, _ body: [UInt8], query: String? = nil) async -> RESTResponse {
        await api.handle(RESTRequest(method: .POST, path: "/_processor/cloudwatch", query: query, body: body))
    }

    func checkConverged(_ node: Node, _ ref: (events: [RequestEvent], summaries: [String: SessionSummary])) throws {
        let summaries = try #require(node.index(named: "session-summaries"))
        for (sid, s) in ref.summaries {
            let doc = try #require(summaries.get(sid), "missing \(sid)")
            guard case .object(var o) = try JSONParser.parse(doc.source) else { Issue.record("not an object"); return }
            #expect(o["last_updated"]?.int64Value != nil)
            o["last_updated"] = nil
            let expected = s.expectedDocument.objectValue!
            #expect(Set(o.keys) == Set(expected.keys), "\(sid)")
            for (k, v) in expected {
                if case .double(let d) = v { #expect(o[k]?.doubleValue == d, "\(sid).\(k)") } else { #expect(o[k] == v, "\(sid).\(k)") }
            }
            // Only updates that bring new events make versions: replays are no-ops.
            #expect(doc.version <= Int64(s.eventIDs.count), "\(sid) version")
        }
        for e in ref.events {
            let idx = try #require(node.index(named: "request-events-" + UTCTime.day(e.timestamp)))
            let doc = try #require(idx.get(e.eventID))
            #expect(try JSONParser.parse(doc.source) == e.json)
        }
    }

    @Test func replaysReorderingAndConcurrencyConverge() async throws {
        let lines = Self.generated(3000, seed: 11)
        let ref = Self.reference(lines)
        #expect(ref.summaries.count > 100)
        try await withTempDirectory { dir in
            let node = try Node(dataPath: dir)
            let api = SearchlightAPI(node: node)
            // 6 "ingesters", each replaying the logs (plus 30 % duplicates) in its own order and batch size.
            await withTaskGroup(of: Void.self) { group in
                for w in 0..<6 {
                    group.addTask {
                        var rng = SeededRNG(seed: UInt64(100 + w))
                        var stream = lines + lines.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.3 }
                        stream.shuffle(using: &rng)
                        let size = [50, 173, 400, 997, 64, 2000][w]
                        for start in stride(from: 0, to: stream.count, by: size) {
                            let body = stream[start..<min(start + size, stream.count)].joined(separator: "\n")
                            let r = await post(api, Array(body.utf8))
                            #expect(r.status == 200 && r.body?["errors"] == 0, "\(String(describing: r.body))")
                        }
                    }
                }
            }
            try checkConverged(node, ref)
        }
    }

    @Test func cloudWatchPayloadsThroughTheEndpoint() async throws {
        var g = LogGenerator()
        g.events = 1500
        g.days = 1
        g.users = 20
        g.payloadSize = 200
        let envelopes = try g.cloudWatchEnvelopes()
        #expect(envelopes.count == 1 + 8)
        // The reference: the events as the payloads carry them (CloudWatch ids).
        var batch = LogProcessor().newBatch()
        for e in envelopes { batch.add(payload: try CloudWatchPayload.decode(Array(e.utf8))) }
        let ref = (batch.events, SessionSummary.reference(batch.events))
        try await withTempDirectory { dir in
            let node = try Node(dataPath: dir)
            let api = SearchlightAPI(node: node)
            var rng = SeededRNG(seed: 3)
            for e in (envelopes + envelopes.prefix(4)).shuffled(using: &rng) {
                let r = await post(api, Array(e.utf8))
                #expect(r.status == 200 && r.body?["errors"] == 0)
            }
            try checkConverged(node, ref)
            let control = await post(api, Array(envelopes[0].utf8))
            #expect(control.body?["control_messages"] == 1 && control.body?["events"] == 0)
        }
    }

    @Test func endpointErrorsAndCounts() async throws {
        try await withTempDirectory { dir in
            let api = SearchlightAPI(node: try Node(dataPath: dir))
            let bad = await post(api, Array(#"{"awslogs":{"data":"H4sI*AAA"}}"#.utf8))
            #expect(bad.status == 400 && bad.body?["error"]?["type"] == "illegal_argument_exception")
            #expect(bad.body?["error"]?["reason"] == "invalid base64 character at offset 4")
            let notGzip = await post(api, Array(#"{"awslogs":{"data":"aGVsbG8="}}"#.utf8))
            #expect(notGzip.status == 400 && (notGzip.body?["error"]?["reason"]?.stringValue ?? "").contains("not a gzip stream"))
            let lines = """
                {"timestamp":"2026-11-20T10:00:00Z","sessionId":"a","path":"/x","requestId":"1"}
                {"timestamp":"2026-11-20T10:00:05Z","sessionId":"a","path":"/ping"}
                oops
                """
            let r = await post(api, Array(lines.utf8), query: "summaries_index=sums&events_index_prefix=ev-&refresh=true")
            #expect(r.status == 200)
            #expect(r.body?["events"] == 1 && r.body?["sessions"] == 1 && r.body?["skipped"] == 1 && r.body?["unparsable"] == 1 && r.body?["errors"] == 0)
            #expect(api.node.index(named: "ev-2026.11.20")?.get("1") != nil && api.node.index(named: "sums")?.get("a") != nil)
        }
    }

    @Test func generatorIsRealisticAndDeterministic() throws {
        let lines = Self.generated(5000, seed: 1)
        #expect(lines == Self.generated(5000, seed: 1) && lines.count == 5000)
        var b = LogProcessor().newBatch()
        b.add(lines: Array(lines.joined(separator: "\n").utf8))
        let c = b.finishedCounts(itemErrors: 0)
        #expect(c.unparsable == 0 && c.skipped > 200 && c.skipped < 900)
        let fiveXX = b.events.filter { ($0.statusCode ?? 0) >= 500 }.count
        #expect(fiveXX > 30 && fiveXX < 300)
        #expect(b.events.contains { $0.module != nil } && b.events.contains { $0.assetType != nil } && b.events.contains { $0.siteToken != nil })
        #expect(b.sessions.count > 200 && b.sessions.values.contains { $0.eventIDs.count >= 5 })
    }
}
