import JSON
@testable import Processor
import Testing

/// Log-line parsing (aliases, timestamps, ids) and the filter rules.
@Suite struct ParserTests {
    let parser = LogParser()

    func event(_ line: String) -> RequestEvent? {
        if case .event(let e) = parser.parse(Array(line.utf8)) { return e }
        return nil
    }

    @Test func parsesCamelCase() throws {
        let e = try #require(event(#"{"timestamp":"2026-11-20T10:11:12.123Z","sessionId":"s1","user":"ann","path":"/reports?x=1","method":"get","status":200,"responseTime":87.5,"module":"reports","assetType":"pdf","siteToken":"t1","requestId":"r-1"}"#))
        #expect(e == RequestEvent(eventID: "r-1", timestamp: 1_795_169_472_123, sessionID: "s1", user: "ann", path: "/reports", method: "GET",
                                  statusCode: 200, responseTime: 87.5, module: "reports", assetType: "pdf", siteToken: "t1"))
        var w = JSONWriter()
        e.write(to: &w)
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"timestamp":"2026-11-20T10:11:12.123Z","session_id":"s1","user":"ann","path":"/reports","method":"GET","status_code":200,"response_time":87.5,"module":"reports","assetType":"pdf","siteToken":"t1","event_id":"r-1"}"#)
    }

    @Test func parsesSnakeCaseAndEpochMillis() throws {
        let e = try #require(event(#"{"timestamp":1795169472123,"session_id":"s1","user_id":"ann","url":"https://app.example.com/a/b?q=1","status_code":"503","response_time":12,"asset_type":"csv","site_token":"t9"}"#))
        #expect(e.timestamp == 1_795_169_472_123 && e.sessionID == "s1" && e.user == "ann" && e.path == "/a/b")
        #expect(e.statusCode == 503 && e.responseTime == 12 && e.assetType == "csv" && e.siteToken == "t9")
        #expect(e.eventID.count == 32)
    }

    @Test(arguments: [
        ("2026-11-20T10:11:12Z", Int64(1_795_169_472_000)), ("2026-11-20T10:11:12.5Z", 1_795_169_472_500),
        ("2026-11-20 10:11:12.123456", 1_795_169_472_123), ("2026-11-20T12:11:12.000+02:00", 1_795_169_472_000),
        ("2026-11-20T05:11:12-0500", 1_795_169_472_000), ("2026-11-20", 1_795_132_800_000), ("1969-12-31T23:59:59.999Z", -1),
    ])
    func parsesISOTimestamps(input: String, expected: Int64) {
        #expect(UTCTime.parseISO(input) == expected)
    }

    @Test func formatsTimestampsAndDays() {
        #expect(UTCTime.format(1_795_169_472_123) == "2026-11-20T10:11:12.123Z")
        #expect(UTCTime.format(-1) == "1969-12-31T23:59:59.999Z")
        #expect(UTCTime.day(1_795_169_472_123) == "2026.11.20")
        #expect(UTCTime.day(951_782_400_000) == "2000.02.29")
        for ms in stride(from: Int64(-5_000_000_000_000), to: 5_000_000_000_000, by: 86_399_997_777) {
            #expect(UTCTime.parseISO(UTCTime.format(ms)) == ms)
        }
    }

    @Test(arguments: ["not json", "[1,2]", #"{"path":"/x"}"#, #"{"timestamp":"yesterday","path":"/x"}"#, #"{"timestamp":1,"sessionId":"s"}"#, "{"])
    func unparsableLines(line: String) {
        guard case .unparsable = parser.parse(Array(line.utf8)) else { Issue.record("parsed \(line)"); return }
    }

    @Test(arguments: ["/health", "/ping", "/healthz/", "/static/app.js", "/a/b/style.CSS", "/logo.png", "/favicon.ico", "/fonts/x.woff", "/f.woff2"])
    func skipsNoise(path: String) {
        #expect(parser.parse(Array(#"{"timestamp":1,"path":"\#(path)"}"#.utf8)) == .skipped)
    }

    @Test(arguments: ["/", "/healthcare", "/v1.2/report", "/reports/x.pdf", "/api/ping/stats"])
    func keepsRequests(path: String) {
        guard case .event = parser.parse(Array(#"{"timestamp":1,"path":"\#(path)"}"#.utf8)) else { Issue.record("\(path)"); return }
    }

    @Test func rulesAreConfigurable() {
        let p = LogParser(rules: FilterRules(skipPaths: ["/internal/metrics"], skipExtensions: [".PDF"], skipMethods: ["head"]))
        #expect(p.parse(Array(#"{"timestamp":1,"path":"/internal/metrics"}"#.utf8)) == .skipped)
        #expect(p.parse(Array(#"{"timestamp":1,"path":"/r/x.pdf"}"#.utf8)) == .skipped)
        #expect(p.parse(Array(#"{"timestamp":1,"path":"/r","method":"HEAD"}"#.utf8)) == .skipped)
        guard case .event = p.parse(Array(#"{"timestamp":1,"path":"/health"}"#.utf8)) else { Issue.record("health kept"); return }
        guard case .event = LogParser(rules: .none).parse(Array(#"{"timestamp":1,"path":"/x.js"}"#.utf8)) else { Issue.record("none"); return }
    }

    @Test func hashIDsAreStableAndIgnoreSurroundingWhitespace() {
        let a = LogParser.hashID(Array(#"{"a":1}"#.utf8))
        #expect(a == LogParser.hashID(Array("  {\"a\":1}\r\n".utf8)))
        #expect(a != LogParser.hashID(Array(#"{"a":2}"#.utf8)))
        #expect(a != LogParser.hashID(Array(#"{"a": 1}"#.utf8)))
    }

    @Test func cloudWatchIdAndTimestampWin() throws {
        let cw = CloudWatchLogEvent(id: "cw-1", timestamp: 1_795_169_472_000, message: "")
        guard case .event(let e) = parser.parse(Array(#"{"path":"/a","requestId":"r"}"#.utf8), cloudWatch: cw) else { Issue.record("no event"); return }
        #expect(e.eventID == "cw-1" && e.timestamp == 1_795_169_472_000)
    }

    @Test func batchBodyRoutesByDayAndPreAggregatesSessions() throws {
        var b = LogProcessor().newBatch()
        b.add(lines: Array("""
            {"timestamp":"2026-11-20T23:59:59.999Z","sessionId":"s1","path":"/a","module":"m1","requestId":"e1"}
            {"timestamp":"2026-11-21T00:00:00.000Z","sessionId":"s1","path":"/b","module":"m1","requestId":"e2"}
            {"timestamp":"2026-11-21T00:00:00.000Z","sessionId":"s1","path":"/b","module":"m1","requestId":"e2"}
            {"timestamp":"2026-11-21T00:00:01.000Z","sessionId":"s2","path":"/health"}
            garbage

            {"timestamp":"2026-11-21T00:00:02.000Z","path":"/c","requestId":"e3"}
            """.utf8))
        let c = b.finishedCounts(itemErrors: 0)
        #expect(c.lines == 6 && c.events == 3 && c.sessions == 1 && c.skipped == 1 && c.unparsable == 1 && c.duplicates == 1)
        let lines = String(decoding: b.body(), as: UTF8.self).split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(lines.count == 8)
        #expect(lines[0] == ["index": ["_index": "request-events-2026.11.20", "_id": "e1"]])
        #expect(lines[2] == ["index": ["_index": "request-events-2026.11.21", "_id": "e2"]])
        #expect(lines[6]["update"]?["_id"] == "s1" && lines[6]["update"]?["retry_on_conflict"] == 3)
        let script = try #require(lines[7]["script"])
        #expect(lines[7]["scripted_upsert"] == true && script["lang"] == "painless")
        #expect(script["params"]?["event_ids"] == ["e1", "e2"] && script["params"]?["paths"] == ["/a", "/b"])
        #expect(script["params"]?["start_ms"] == 1_795_219_199_999 && script["params"]?["end_ms"] == 1_795_219_200_000)
    }
}
