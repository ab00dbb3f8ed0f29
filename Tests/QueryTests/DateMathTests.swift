import Testing
import Index
@testable import Query

@Suite struct DateMathTests {
    static let now = "2024-03-15T10:20:30.123Z"

    func resolve(_ expr: String, now: String = DateMathTests.now, zone: String? = nil, format: String? = nil, roundUp: Bool = false) throws -> Int64 {
        try DateMath.resolve(expr, now: utc(now), format: format.map { try DateFormat($0) }, timeZone: zone.map { try DateZone($0) }, roundUp: roundUp)
    }

    // (expression, roundUp, expected UTC instant)
    @Test(arguments: [
        ("now", false, "2024-03-15T10:20:30.123Z"),
        ("now", true, "2024-03-15T10:20:30.123Z"),
        ("now-7d/d", false, "2024-03-08T00:00:00Z"),
        ("now-7d/d", true, "2024-03-08T23:59:59.999Z"),
        ("now/h", false, "2024-03-15T10:00:00Z"),
        ("now/H", true, "2024-03-15T10:59:59.999Z"),
        ("now/m", false, "2024-03-15T10:20:00Z"),
        ("now/s", false, "2024-03-15T10:20:30Z"),
        ("now+1h", false, "2024-03-15T11:20:30.123Z"),
        ("now-90m", false, "2024-03-15T08:50:30.123Z"),
        ("now-1M/M", false, "2024-02-01T00:00:00Z"),
        ("now/w", false, "2024-03-11T00:00:00Z"),
        ("now/w", true, "2024-03-17T23:59:59.999Z"),
        ("now/y", true, "2024-12-31T23:59:59.999Z"),
        ("now+1d+1h-30m", false, "2024-03-16T10:50:30.123Z"),
        ("2024-01-31||+1M", false, "2024-02-29T00:00:00Z"),       // month end, leap year
        ("2023-01-31||+1M", false, "2023-02-28T00:00:00Z"),       // month end, common year
        ("2024-03-31||-1M", false, "2024-02-29T00:00:00Z"),
        ("2024-05-31||+1M", false, "2024-06-30T00:00:00Z"),
        ("2024-02-29||+1y", false, "2025-02-28T00:00:00Z"),
        ("2024-02-29||-4y", false, "2020-02-29T00:00:00Z"),
        ("2000-02-29||+1y", false, "2001-02-28T00:00:00Z"),
        ("1900-02-28||+1d", false, "1900-03-01T00:00:00Z"),       // 1900 is not a leap year
        ("2024-02-28||+1d", false, "2024-02-29T00:00:00Z"),
        ("2024-12-31T23:00:00Z||+2h", false, "2025-01-01T01:00:00Z"),
        ("2024-01-01||+1M/d", false, "2024-02-01T00:00:00Z"),
        ("2024-01-15||/M", true, "2024-01-31T23:59:59.999Z"),
        ("2024-02-10||/M", true, "2024-02-29T23:59:59.999Z"),
        ("2023-02-10||/M", true, "2023-02-28T23:59:59.999Z"),
        ("2024-06-15||/y", false, "2024-01-01T00:00:00Z"),
        ("2024-03-14T10:00:00Z||/w", false, "2024-03-11T00:00:00Z"),  // Thursday → Monday
        ("2024-03-17T23:00:00Z||/w", false, "2024-03-11T00:00:00Z"),  // Sunday → Monday before
        ("2024-01-15||", false, "2024-01-15T00:00:00Z"),
        ("2024-01-15||", true, "2024-01-15T00:00:00Z"),            // anchors before || never round up
        // Plain dates with roundUp fill the missing time fields with their maximum.
        ("2024-01-15", false, "2024-01-15T00:00:00Z"),
        ("2024-01-15", true, "2024-01-15T23:59:59.999Z"),
        ("2024-01-15T10", true, "2024-01-15T10:59:59.999Z"),
        ("2024-01-15T10:20", true, "2024-01-15T10:20:59.999Z"),
        ("2024-01-15T10:20:30", true, "2024-01-15T10:20:30.999Z"),
        ("2024-01-15T10:20:30.5", true, "2024-01-15T10:20:30.500Z"),
        ("2024-01", true, "2024-01-01T23:59:59.999Z"),             // missing month/day default to 01, like OpenSearch
        ("1705276800000", true, "2024-01-15T00:00:00Z"),           // epoch millis are exact
        ("1705276800000||+1d", false, "2024-01-16T00:00:00Z"),
    ])
    func utcVectors(expr: String, roundUp: Bool, expected: String) throws {
        #expect(try resolve(expr, roundUp: roundUp) == utc(expected))
    }

    @Test func rawMillis() throws {
        #expect(try resolve("now") == 1_710_498_030_123)
        #expect(try resolve("now-7d/d") == 1_709_856_000_000)
        #expect(try resolve("2024-02-10||/M", roundUp: true) == 1_709_251_199_999)
    }

    // (expression, now, zone, roundUp, expected UTC instant)
    @Test(arguments: [
        ("2024-01-15", DateMathTests.now, "+01:00", false, "2024-01-14T23:00:00Z"),
        ("2024-01-15", DateMathTests.now, "+01:00", true, "2024-01-15T22:59:59.999Z"),
        ("2024-01-15", DateMathTests.now, "-0530", false, "2024-01-15T05:30:00Z"),
        ("2024-01-15T10:00:00Z", DateMathTests.now, "+01:00", false, "2024-01-15T10:00:00Z"),       // explicit offset wins
        ("2024-01-15T10:00:00+02:00", DateMathTests.now, "Europe/Paris", false, "2024-01-15T08:00:00Z"),
        ("now/d", DateMathTests.now, "+01:00", false, "2024-03-14T23:00:00Z"),
        ("now/d", "2024-03-15T23:30:00Z", "+01:00", false, "2024-03-15T23:00:00Z"),               // already the 16th locally
        ("now/d", DateMathTests.now, "-08:00", true, "2024-03-16T07:59:59.999Z"),
        ("2024-07-01||/d", DateMathTests.now, "Europe/Paris", false, "2024-06-30T22:00:00Z"),
        // DST: Paris springs forward on 2024-03-31 (23-hour day) and falls back on 2024-10-27 (25 hours).
        ("now/d", "2024-03-31T12:00:00Z", "Europe/Paris", false, "2024-03-30T23:00:00Z"),
        ("now/d", "2024-03-31T12:00:00Z", "Europe/Paris", true, "2024-03-31T21:59:59.999Z"),
        ("now/d", "2024-10-27T12:00:00Z", "Europe/Paris", false, "2024-10-26T22:00:00Z"),
        ("now/d", "2024-10-27T12:00:00Z", "Europe/Paris", true, "2024-10-27T22:59:59.999Z"),
        ("now+1d", "2024-03-30T12:00:00Z", "Europe/Paris", false, "2024-03-31T11:00:00Z"),         // calendar day keeps 13:00 local
        ("now+24h", "2024-03-30T12:00:00Z", "Europe/Paris", false, "2024-03-31T12:00:00Z"),        // hours are exact
        ("now/h", "2024-10-27T00:30:00Z", "Europe/Paris", false, "2024-10-27T00:00:00Z"),          // 02:30 CEST → 02:00 CEST
        ("now/h", "2024-10-27T01:30:00Z", "Europe/Paris", false, "2024-10-27T01:00:00Z"),          // 02:30 CET → 02:00 CET
        ("now/M", "2024-11-15T12:00:00Z", "Europe/Paris", false, "2024-10-31T23:00:00Z"),
        ("now/M", "2024-10-15T12:00:00Z", "Europe/Paris", true, "2024-10-31T22:59:59.999Z"),
        ("now/d", "2024-03-10T12:00:00Z", "America/New_York", false, "2024-03-10T05:00:00Z"),
        ("now/d", "2024-03-10T12:00:00Z", "America/New_York", true, "2024-03-11T03:59:59.999Z"),
        ("2024-03-10T02:30:00", DateMathTests.now, "America/New_York", false, "2024-03-10T07:30:00Z"), // in the gap: moved later
        ("now/d", "2024-06-01T03:00:00Z", "Asia/Kolkata", false, "2024-05-31T18:30:00Z"),
        ("now/h", "2024-06-01T03:00:00Z", "Asia/Kolkata", false, "2024-06-01T02:30:00Z"),
    ])
    func zonedVectors(expr: String, now: String, zone: String, roundUp: Bool, expected: String) throws {
        #expect(try resolve(expr, now: now, zone: zone, roundUp: roundUp) == utc(expected))
    }

    @Test func customFormat() throws {
        #expect(try resolve("15/01/2024", format: "dd/MM/yyyy") == utc("2024-01-15T00:00:00Z"))
        #expect(try resolve("15/01/2024", format: "dd/MM/yyyy", roundUp: true) == utc("2024-01-15T23:59:59.999Z"))
        #expect(try resolve("15/01/2024||+1M", format: "dd/MM/yyyy") == utc("2024-02-15T00:00:00Z"))
        #expect(try resolve("2024/01/15 10:20:30", format: "yyyy/MM/dd HH:mm:ss", roundUp: true) == utc("2024-01-15T10:20:30.999Z"))
        #expect(try resolve("1705276800", format: "epoch_second") == utc("2024-01-15T00:00:00Z"))
    }

    @Test(arguments: [
        ("now+", "truncated date math [+]"),
        ("now+1", "truncated date math [+1]"),
        ("now*1d", "operator not supported for date math [*1d]"),
        ("now/2d", "rounding `/` can only be used on single unit types [/2d]"),
        ("now+1x", "unit [x] not supported for date math [+1x]"),
        ("nowish", "operator not supported for date math [ish]"),
        ("garbage", "failed to parse date field [garbage] with format [strict_date_optional_time||epoch_millis]: [failed to parse date field [garbage] with format [strict_date_optional_time||epoch_millis]]"),
        ("2024-13-01||+1d", "failed to parse date field [2024-13-01] with format [strict_date_optional_time||epoch_millis]: [failed to parse date field [2024-13-01] with format [strict_date_optional_time||epoch_millis]]"),
    ])
    func errors(expr: String, reason: String) throws {
        do {
            _ = try resolve(expr)
            Issue.record("expected an error for \(expr)")
        } catch let e as OpenSearchError {
            #expect(e.type == "parse_exception")
            #expect(e.reason == reason)
            #expect(e.status == 400)
        }
    }

    @Test(arguments: [("+01:00", 3600), ("-0530", -19800), ("+1", 3600), ("-08", -28800), ("Z", 0), ("UTC", 0),
                      ("UTC+02:00", 7200), ("GMT-3", -10800), ("+05:30:15", 19815)])
    func fixedZones(id: String, seconds: Int) throws {
        #expect(try DateZone(id).offsetSeconds(atUTC: 0) == seconds)
    }

    @Test func namedZoneOffsetsFollowDST() throws {
        let paris = try DateZone("Europe/Paris")
        #expect(paris.offsetSeconds(atUTC: utc("2024-01-15T00:00:00Z")) == 3600)
        #expect(paris.offsetSeconds(atUTC: utc("2024-07-15T00:00:00Z")) == 7200)
        #expect(throws: OpenSearchError.self) { try DateZone("Nowhere/Special") }
        #expect(throws: OpenSearchError.self) { try DateZone("+25:00") }
    }
}
