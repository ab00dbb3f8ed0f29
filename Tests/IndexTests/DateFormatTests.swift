import Testing
import JSON
@testable import Index

@Suite struct DateFormatParsingTests {
    @Test(arguments: [
        ("2024-01-15", 1_705_276_800_000),
        ("2024-01-15T10:20:30.123Z", 1_705_314_030_123),
        ("2024-01-15T10:20:30.123z", 1_705_314_030_123),
        ("2024-01-15T10:20:30Z", 1_705_314_030_000),
        ("2024-01-15T10:20:30", 1_705_314_030_000),      // no zone means UTC
        ("2024-01-15T10:20", 1_705_314_000_000),
        ("2024-01-15T10", 1_705_312_800_000),
        ("2024-01", 1_704_067_200_000),
        ("2024", 1_704_067_200_000),                     // a bare year is a date, not epoch millis
        ("2024-01-15T10:20:30+05:30", 1_705_294_230_000),
        ("2024-01-15T10:20:30+0530", 1_705_294_230_000),
        ("2024-01-15T10:20:30-08:00", 1_705_342_830_000),
        ("2024-01-15T10:20:30+05", 1_705_314_030_000 - 5 * 3_600_000),
        ("2024-01-15T10:20:30.123+00:00", 1_705_314_030_123),
        ("2024-01-15T10:20:30.1Z", 1_705_314_030_100),
        ("2024-01-15T10:20:30.12Z", 1_705_314_030_120),
        ("2024-01-15T10:20:30.123456789Z", 1_705_314_030_123),  // nanos truncate to millis
        ("2024-01-15T10:20:30,5Z", 1_705_314_030_500),
        ("2024-02-29", 1_709_164_800_000),
        ("2000-02-29", 951_782_400_000),
        ("1960-06-15T12:00:00Z", -301_233_600_000),
        ("1600-01-01", -11_676_096_000_000),
        ("1969-12-31T23:59:59.999Z", -1),
        ("1970-01-01T00:00:00Z", 0),
        ("1705276800000", 1_705_276_800_000),            // epoch_millis alternative
        ("-1000", -1000),
        ("0", 0),
    ] as [(String, Int64)])
    func defaultFormatAccepts(text: String, millis: Int64) {
        #expect(DateFormat.defaultDate.parse(text) == millis, "\(text)")
    }

    @Test(arguments: [
        "2023-02-29",            // not a leap year
        "1900-02-29",            // century, not a leap year
        "2024-02-30",
        "2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31",
        "2024-01-32", "2024-13-01", "2024-00-10", "2024-01-00",
        "2024-01-15T24:00:00", "2024-01-15T23:60:00", "2024-01-15T23:59:60",
        "2024-1-15", "2024-01-5", "24-01-15", "+2024-01-15", "-2024-01-15",  // strict digit counts
        "2024-01-15 10:20:30",   // space instead of T
        "2024-01-15T", "2024-01-15T10:", "2024-01-15T10:20:", "2024-01-15T10:20:30.",
        "2024-01-15T10:20:30.1234567890Z",               // more than 9 fraction digits
        "2024-01-15T10:20:30+19:00",                     // offset beyond ±18h
        "2024-01-15T10:20:30+5", "2024-01-15T10:20:30X", "2024-01-15T10:20:30Zjunk",
        "2024-01-15Z", "2024/01/15", "15-01-2024", "", "abc", "1.5e3", "12a", "--1", "-",
        "99999999999999999999",  // epoch millis overflow
    ])
    func defaultFormatRejects(text: String) {
        #expect(DateFormat.defaultDate.parse(text) == nil, "\(text) was accepted")
    }

    @Test func everyDayOfSeveralYearsIsAcceptedAndInvalidDaysRejected() {
        for year in [1900, 1999, 2000, 2023, 2024, 2100] {
            for month in 1...12 {
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
                for day in 1...31 {
                    let text = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
                    let parsed = DateFormat.defaultDate.parse(text)
                    if day <= days {
                        #expect(parsed == DateFormat.daysFromCivil(year, month, day) * 86_400_000, "\(text)")
                    } else {
                        #expect(parsed == nil, "\(text) accepted")
                    }
                }
            }
        }
    }

    @Test func lenientISOAcceptsShortFields() throws {
        let f = try DateFormat("date_optional_time")
        #expect(f.parse("2024-1-5") == DateFormat.daysFromCivil(2024, 1, 5) * 86_400_000)
        #expect(f.parse("2024-01-05T7:3:9Z") == DateFormat.daysFromCivil(2024, 1, 5) * 86_400_000 + 7 * 3_600_000 + 3 * 60_000 + 9000)
        #expect(f.parse("-0001-01-01") == DateFormat.daysFromCivil(-1, 1, 1) * 86_400_000)
        #expect(f.parse("2024-02-30") == nil)
        // The strict variant refuses the same input.
        #expect(try DateFormat("strict_date_optional_time").parse("2024-1-5") == nil)
    }

    @Test(arguments: [
        ("yyyy/MM/dd HH:mm:ss", "2024/01/15 10:20:30", 1_705_314_030_000),
        ("yyyy/MM/dd HH:mm:ss", "2024/01/15", nil),
        ("yyyy/MM/dd HH:mm:ss", "2024-01-15 10:20:30", nil),
        ("yyyy/MM/dd HH:mm:ss", "2024/01/15 10:20:30 ", nil),
        ("yyyy/MM/dd HH:mm:ss", "2024/02/30 10:20:30", nil),
        ("yyyy/MM/dd HH:mm:ss", "2024/01/15 25:20:30", nil),
        ("yyyy/MM/dd HH:mm:ss", "2024/1/15 10:20:30", nil),       // MM is exactly two digits
        ("yyyy/M/d", "2024/1/5", DateFormat.daysFromCivil(2024, 1, 5) * 86_400_000),
        ("yyyy/M/d", "2024/11/25", DateFormat.daysFromCivil(2024, 11, 25) * 86_400_000),
        ("dd.MM.yyyy", "15.01.2024", 1_705_276_800_000),
        ("dd.MM.yyyy", "31.04.2024", nil),
        ("yyyyMMdd", "20240115", 1_705_276_800_000),
        ("basic_date", "20240115", 1_705_276_800_000),
        ("basic_date", "2024011", nil),
        ("basic_date_time", "20240115T102030.123Z", 1_705_314_030_123),
        ("basic_date_time_no_millis", "20240115T102030+0100", 1_705_314_030_000 - 3_600_000),
        ("yyyy-MM-dd'T'HH:mm:ssZ", "2024-01-15T10:20:30+05:30", 1_705_294_230_000),
        ("yyyy-MM-dd'T'HH:mm:ssZ", "2024-01-15T10:20:30Z", 1_705_314_030_000),
        ("yyyy-MM-dd'T'HH:mm:ssZ", "2024-01-15T10:20:30", nil),   // zone required by the pattern
        ("yyyy-MM-dd HH:mm:ss.SSS", "2024-01-15 10:20:30.123", 1_705_314_030_123),
        ("yy-MM-dd", "24-01-15", 1_705_276_800_000),
        ("yyyy", "2024", 1_704_067_200_000),
        ("strict_year_month", "2024-03", DateFormat.daysFromCivil(2024, 3, 1) * 86_400_000),
        ("HH:mm", "10:20", 10 * 3_600_000 + 20 * 60_000),          // date defaults to 1970-01-01
    ] as [(String, String, Int64?)])
    func patterns(pattern: String, text: String, millis: Int64?) throws {
        let f = try DateFormat(pattern)
        #expect(f.parse(text) == millis, "\(pattern) / \(text)")
    }

    @Test func alternativesAreTriedInOrder() throws {
        let f = try DateFormat("yyyy/MM/dd HH:mm:ss || yyyy/MM/dd||epoch_millis")
        #expect(f.parse("2024/01/15 10:20:30") == 1_705_314_030_000)
        #expect(f.parse("2024/01/15") == 1_705_276_800_000)
        #expect(f.parse("1705276800000") == 1_705_276_800_000)
        #expect(f.parse("2024-01-15") == nil)
        #expect(f.pattern == "yyyy/MM/dd HH:mm:ss || yyyy/MM/dd||epoch_millis")
        #expect(!f.firstIsEpoch)
        // epoch first: "2024" is then 2024 ms, not the year 2024.
        let e = try DateFormat("epoch_millis||strict_date_optional_time")
        #expect(e.parse("2024") == 2024)
        #expect(e.firstIsEpoch)
        #expect(try DateFormat("epoch_second||yyyy").firstIsEpoch)
    }

    @Test(arguments: [
        ("epoch_millis", "1705276800000", 1_705_276_800_000),
        ("epoch_millis", "-1", -1),
        ("epoch_millis", "1.9", 1),              // sub-millisecond fraction dropped
        ("epoch_millis", "1.", nil),
        ("epoch_millis", "", nil),
        ("epoch_millis", "12x", nil),
        ("epoch_millis", "9223372036854775807", Int64.max),
        ("epoch_millis", "9223372036854775808", nil),
        ("epoch_second", "1705276800", 1_705_276_800_000),
        ("epoch_second", "1705276800.5", 1_705_276_800_500),
        ("epoch_second", "1.123456", 1123),
        ("epoch_second", "-1.5", -1500),
        ("epoch_second", "9223372036854775", 9_223_372_036_854_775_000),
        ("epoch_second", "9223372036854776", nil),  // × 1000 overflows
    ] as [(String, String, Int64?)])
    func epochText(pattern: String, text: String, millis: Int64?) throws {
        #expect(try DateFormat(pattern).parse(text) == millis, "\(pattern) / \(text)")
    }

    @Test func epochNumbers() throws {
        #expect(try DateFormat("epoch_millis").parse(number: 1_705_276_800_000) == 1_705_276_800_000)
        #expect(try DateFormat("epoch_second").parse(number: 1.5) == 1500)
        #expect(try DateFormat("strict_date_optional_time").parse(number: 1000) == nil)
        #expect(try DateFormat("yyyy||epoch_second").parse(number: 2) == 2000)
        #expect(DateFormat.defaultDate.parse(number: -5) == -5)
    }

    @Test(arguments: ["yyyy-MM-dd QQ", "yyyy-MM-dd G", "yyyy-ww", "", "||", "strict_date||foo-bar"])
    func invalidPatternsThrow(pattern: String) throws {
        let e = try #require(formatError(pattern))
        #expect(e.type == "illegal_argument_exception")
        #expect(e.status == 400)
        #expect(e.reason.contains("Invalid format"))
    }

    @Test func unknownLetterIsNamedInTheError() throws {
        let e = try #require(formatError("yyyy-MM-dd QQ"))
        #expect(e.reason == "Invalid format: [yyyy-MM-dd QQ]: Unknown pattern letter: Q")
    }

    @Test func failureErrorShape() {
        let e = DateFormat.defaultDate.failure("nope")
        #expect(e.type == "illegal_argument_exception")
        #expect(e.reason == "failed to parse date field [nope] with format [strict_date_optional_time||epoch_millis]")
    }

    @Test func equality() throws {
        #expect(try DateFormat("strict_date_optional_time||epoch_millis") == DateFormat.defaultDate)
        #expect(try DateFormat("epoch_millis") != DateFormat.defaultDate)
    }

    @Test
    func offsetMinutesAreValidated() {
        #expect(DateFormat.defaultDate.parse("2024-01-15T10:00:00+05:75") == nil)
        #expect(DateFormat.defaultDate.parse("2024-01-15T10:00:00+0599") == nil)
    }
}

@Suite struct CivilCalendarTests {
    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysIn(_ y: Int, _ m: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    /// Brute force: add up whole years and months from 1970.
    static func referenceDays(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        var days: Int64 = 0
        if y >= 1970 {
            for yy in 1970..<y { days += isLeap(yy) ? 366 : 365 }
        } else {
            for yy in y..<1970 { days -= isLeap(yy) ? 366 : 365 }
        }
        for mm in 1..<m { days += Int64(daysIn(y, mm)) }
        return days + Int64(d - 1)
    }

    @Test func referenceAnchors() {
        #expect(Self.referenceDays(1970, 1, 1) == 0)
        #expect(Self.referenceDays(2000, 1, 1) == 10957)
        #expect(Self.referenceDays(1969, 12, 31) == -1)
        #expect(DateFormat.daysFromCivil(2000, 1, 1) == 10957)
        #expect(DateFormat.daysFromCivil(1969, 12, 31) == -1)
        #expect(DateFormat.daysFromCivil(1, 1, 1) == -719162)
        #expect(DateFormat.daysFromCivil(0, 3, 1) == -719468)
    }

    /// Walks day by day ~820 years in each direction from the epoch.
    @Test(arguments: [1, -1])
    func consecutiveDaysAgreeWithAWalkingCalendar(direction: Int) {
        var y = 1970, m = 1, d = 1
        var n: Int64 = 0
        var mismatches = 0
        for _ in 0..<300_000 {
            if DateFormat.daysFromCivil(y, m, d) != n { mismatches += 1 }
            let c = DateFormat.civil(fromMillis: n * 86_400_000)
            if c.year != y || c.month != m || c.day != d || c.hour != 0 || c.minute != 0 || c.second != 0 || c.millis != 0 {
                mismatches += 1
            }
            if mismatches > 0 { Issue.record("mismatch at \(y)-\(m)-\(d) (day \(n))"); return }
            // Step one day.
            if direction > 0 {
                n += 1; d += 1
                if d > Self.daysIn(y, m) { d = 1; m += 1; if m > 12 { m = 1; y += 1 } }
            } else {
                n -= 1; d -= 1
                if d < 1 { m -= 1; if m < 1 { m = 12; y -= 1 }; d = Self.daysIn(y, m) }
            }
        }
        #expect(mismatches == 0)
        #expect(abs(y - 1970) > 800)
    }

    @Test func randomDatesAgreeWithReference() {
        var rng = SeededRNG(seed: 2024)
        for _ in 0..<400 {
            let y = Int.random(in: -40_000...40_000, using: &rng)
            let m = Int.random(in: 1...12, using: &rng)
            let d = Int.random(in: 1...Self.daysIn(y, m), using: &rng)
            let days = DateFormat.daysFromCivil(y, m, d)
            #expect(days == Self.referenceDays(y, m, d), "\(y)-\(m)-\(d)")
            let tod = Int64.random(in: 0..<86_400_000, using: &rng)
            let c = DateFormat.civil(fromMillis: days * 86_400_000 + tod)
            #expect(c.year == y && c.month == m && c.day == d, "\(y)-\(m)-\(d) → \(c)")
            #expect(Int64(c.hour) * 3_600_000 + Int64(c.minute) * 60_000 + Int64(c.second) * 1000 + Int64(c.millis) == tod)
        }
    }

    @Test func randomMillisRoundTripThroughCivil() {
        var rng = SeededRNG(seed: 77)
        for _ in 0..<2000 {
            let ms = Int64.random(in: -50_000_000_000_000_000...50_000_000_000_000_000, using: &rng)
            let c = DateFormat.civil(fromMillis: ms)
            #expect((1...12).contains(c.month) && (1...Self.daysIn(c.year, c.month)).contains(c.day))
            #expect((0...23).contains(c.hour) && (0...59).contains(c.minute) && (0...59).contains(c.second) && (0...999).contains(c.millis))
            #expect(DateFormat.civilToMillis(c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis) == ms, "\(ms)")
        }
    }

    @Test func negativeMillisWithinADay() {
        let c = DateFormat.civil(fromMillis: -1)
        #expect(c.year == 1969 && c.month == 12 && c.day == 31)
        #expect(c.hour == 23 && c.minute == 59 && c.second == 59 && c.millis == 999)
        let d = DateFormat.civil(fromMillis: -86_400_000)
        #expect(d.year == 1969 && d.month == 12 && d.day == 31 && d.hour == 0)
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_705_314_030_123, "2024-01-15T10:20:30.123Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ] as [(Int64, String)])
    func isoString(millis: Int64, text: String) {
        #expect(DateFormat.isoString(millis: millis) == text)
    }

    @Test func isoStringParsesBack() {
        var rng = SeededRNG(seed: 5)
        for _ in 0..<1000 {
            let ms = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &rng)
            let text = DateFormat.isoString(millis: ms)
            #expect(DateFormat.defaultDate.parse(text) == ms, "\(text)")
        }
    }
}
