import Index

/// OpenSearch date math: `now`, `now-7d/d`, `2024-01-01||+1M/d`. Units `y M w d h H m s`; `+n`/`-n`
/// add calendar amounts (years, months, weeks and days keep the local time of day in `time_zone`;
/// hours, minutes and seconds are exact durations), `/unit` rounds down to the start of the unit in
/// `time_zone`.
///
/// `roundUp` is OpenSearch's rule for `gt` and `lte` bounds: rounding goes to the *last* millisecond
/// of the unit (`/d` → 23:59:59.999), and a date given without some time fields gets them filled with
/// their maximum (`2024-01-15` → `2024-01-15T23:59:59.999`); `gte` and `lt` round down.
public enum DateMath {
    static let epochMillis = try! DateFormat("epoch_millis")
    static let epochSecond = try! DateFormat("epoch_second")

    /// Epoch milliseconds of `expr`. `now` is epoch millis (UTC); `format` parses the anchor date
    /// (`strict_date_optional_time||epoch_millis` when nil); `timeZone` applies to anchor dates that
    /// carry no offset and to rounding (not to `now` or epoch numbers).
    public static func resolve(_ expr: String, now: Int64, format: DateFormat?, timeZone: DateZone?, roundUp: Bool) throws(OpenSearchError) -> Int64 {
        let zone = timeZone ?? .utc
        let time: Int64
        let math: Substring
        if expr.hasPrefix("now") {
            time = now
            math = expr.dropFirst(3)
        } else if let sep = Substring(expr).dslRange(of: "||") {
            time = try parseDate(String(expr[..<sep.lowerBound]), format: format, zone: zone, roundUp: false)
            math = expr[sep.upperBound...]
        } else {
            return try parseDate(expr, format: format, zone: zone, roundUp: roundUp)
        }
        return try apply(math, to: time, zone: zone, roundUp: roundUp)
    }

    /// Parses an anchor date; see `resolve` for how `roundUp` fills missing time fields.
    static func parseDate(_ text: String, format: DateFormat?, zone: DateZone, roundUp: Bool) throws(OpenSearchError) -> Int64 {
        let f = format ?? DateFormat.defaultDate
        guard let ms = f.parse(text) else {
            let inner = "failed to parse date field [\(text)] with format [\(f.pattern)]"
            throw OpenSearchError("parse_exception", "\(inner): [\(inner)]", status: 400, causedBy: .illegalArgument(inner))
        }
        if isNumeric(text) && (ms == epochMillis.parse(text) || ms == epochSecond.parse(text)) { return ms }
        let fill = roundUp ? missingFieldsFill(text) : 0
        if hasExplicitZone(text) { return ms + fill }
        return zone.utc(fromLocal: ms + fill)
    }

    static func isNumeric(_ s: String) -> Bool {
        var sawDigit = false
        for (i, c) in s.utf8.enumerated() {
            if c >= 0x30 && c <= 0x39 { sawDigit = true; continue }
            if c == UInt8(ascii: "-") && i == 0 { continue }
            if c == UInt8(ascii: ".") { continue }
            return false
        }
        return sawDigit
    }

    /// Whether a date string carries its own offset (`Z`, `+01:00`, `-0800` after the time).
    static func hasExplicitZone(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let last = b.last else { return false }
        if last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") { return true }
        if b.dropFirst().contains(UInt8(ascii: "+")) { return true }
        if let colon = b.firstIndex(of: UInt8(ascii: ":")), b[colon...].contains(UInt8(ascii: "-")) { return true }
        if let t = b.firstIndex(of: UInt8(ascii: "T")), b[t...].contains(UInt8(ascii: "-")) { return true }
        return false
    }

    /// Milliseconds to add for the time fields `s` leaves out, when rounding up: a date alone gets
    /// 23:59:59.999, `T10` gets :59:59.999, `T10:20` :59.999, `T10:20:30` .999.
    static func missingFieldsFill(_ s: String) -> Int64 {
        let b = Array(s.utf8)
        var start: Int
        if let t = b.firstIndex(of: UInt8(ascii: "T")) { start = t + 1 }
        else if let colon = b.firstIndex(of: UInt8(ascii: ":")) {
            start = b[..<colon].lastIndex(where: { !($0 >= 0x30 && $0 <= 0x39) }).map { $0 + 1 } ?? 0
        } else { return 86_399_999 }
        var parts = 1
        var fraction = false
        while start < b.count {
            let c = b[start]
            if c == UInt8(ascii: ":") { parts += 1 }
            else if c == UInt8(ascii: ".") || c == UInt8(ascii: ",") { fraction = true }
            else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") { break }
            start += 1
        }
        if fraction { return 0 }
        switch parts {
        case 1: return 3_599_999
        case 2: return 59_999
        default: return 999
        }
    }

    static func failure(_ reason: String) -> OpenSearchError { OpenSearchError("parse_exception", reason, status: 400) }

    /// Applies a math string (`+1M/d`) to an instant.
    static func apply(_ mathString: Substring, to instant: Int64, zone: DateZone, roundUp: Bool) throws(OpenSearchError) -> Int64 {
        var t = ZonedTime(instant: instant, zone: zone)
        let m = Array(mathString.utf8)
        var i = 0
        while i < m.count {
            let c = m[i]; i += 1
            let round: Bool
            let sign: Int
            switch c {
            case UInt8(ascii: "/"): round = true; sign = 1
            case UInt8(ascii: "+"): round = false; sign = 1
            case UInt8(ascii: "-"): round = false; sign = -1
            default: throw failure("operator not supported for date math [\(mathString)]")
            }
            guard i < m.count else { throw failure("truncated date math [\(mathString)]") }
            var num = 1
            if m[i] >= 0x30 && m[i] <= 0x39 {
                var v = 0
                while i < m.count, m[i] >= 0x30, m[i] <= 0x39 {
                    let (a, o1) = v.multipliedReportingOverflow(by: 10)
                    let (b, o2) = a.addingReportingOverflow(Int(m[i] - 0x30))
                    if o1 || o2 || b > Int(Int32.max) { throw failure("failed to parse date math [\(mathString)]") }
                    v = b; i += 1
                }
                guard i < m.count else { throw failure("truncated date math [\(mathString)]") }
                num = v
            }
            if round && num != 1 { throw failure("rounding `/` can only be used on single unit types [\(mathString)]") }
            let unit = m[i]; i += 1
            let n = sign * num
            switch unit {
            case UInt8(ascii: "y"):
                if round {
                    t.setLocal(year: t.civil.year, month: 1, day: 1)
                    if roundUp { t.addMonths(12) }
                } else { t.addMonths(12 * n) }
            case UInt8(ascii: "M"):
                if round {
                    t.setLocal(year: t.civil.year, month: t.civil.month, day: 1)
                    if roundUp { t.addMonths(1) }
                } else { t.addMonths(n) }
            case UInt8(ascii: "w"):
                if round {
                    let days = DateFormat.daysFromCivil(t.civil.year, t.civil.month, t.civil.day)
                    let isoDow = (days + 3).dslFloorMod(7)  // 0 = Monday
                    let monday = DateFormat.civil(fromMillis: (days - isoDow) * 86_400_000)
                    t.setLocal(year: monday.year, month: monday.month, day: monday.day)
                    if roundUp { t.addDays(7) }
                } else { t.addDays(7 * n) }
            case UInt8(ascii: "d"):
                if round {
                    t.setLocal(year: t.civil.year, month: t.civil.month, day: t.civil.day)
                    if roundUp { t.addDays(1) }
                } else { t.addDays(n) }
            case UInt8(ascii: "h"), UInt8(ascii: "H"):
                if round {
                    t.truncateLocal(to: 3_600_000)
                    if roundUp { t.addDuration(3_600_000) }
                } else { t.addDuration(Int64(n) * 3_600_000) }
            case UInt8(ascii: "m"):
                if round {
                    t.truncateLocal(to: 60_000)
                    if roundUp { t.addDuration(60_000) }
                } else { t.addDuration(Int64(n) * 60_000) }
            case UInt8(ascii: "s"):
                if round {
                    t.truncateLocal(to: 1000)
                    if roundUp { t.addDuration(1000) }
                } else { t.addDuration(Int64(n) * 1000) }
            default:
                throw failure("unit [\(Character(Unicode.Scalar(unit)))] not supported for date math [\(mathString)]")
            }
            if round && roundUp { t.addDuration(-1) }
        }
        return t.instant
    }
}

/// An instant seen in a zone, with java.time's `ZonedDateTime` arithmetic: calendar fields change
/// the local time and re-resolve it preferring the current offset; durations move the instant.
struct ZonedTime {
    let zone: DateZone
    private(set) var instant: Int64
    private(set) var offset: Int

    init(instant: Int64, zone: DateZone) {
        self.zone = zone
        self.instant = instant
        self.offset = zone.offsetSeconds(atUTC: instant)
    }

    var localMillis: Int64 { instant + Int64(offset) * 1000 }
    var civil: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) {
        DateFormat.civil(fromMillis: localMillis)
    }

    private mutating func resolve(local: Int64) {
        instant = zone.utc(fromLocal: local, preferredOffset: offset)
        offset = zone.offsetSeconds(atUTC: instant)
    }

    /// Sets the local date, time of day midnight.
    mutating func setLocal(year: Int, month: Int, day: Int) {
        resolve(local: DateFormat.daysFromCivil(year, month, day) * 86_400_000)
    }

    mutating func truncateLocal(to unit: Int64) {
        let l = localMillis
        resolve(local: l - l.dslFloorMod(unit))
    }

    mutating func addDays(_ n: Int) {
        resolve(local: localMillis + Int64(n) * 86_400_000)
    }

    /// Adds calendar months, clamping the day to the new month's length (Jan 31 + 1M = Feb 28/29).
    mutating func addMonths(_ n: Int) {
        let c = civil
        let total = c.year * 12 + (c.month - 1) + n
        let y = Int((Int64(total)).dslFloorDiv(12))
        let mo = Int(Int64(total).dslFloorMod(12)) + 1
        let d = min(c.day, DateFormat.daysInMonth(y, mo))
        let timeOfDay = localMillis.dslFloorMod(86_400_000)
        resolve(local: DateFormat.daysFromCivil(y, mo, d) * 86_400_000 + timeOfDay)
    }

    mutating func addDuration(_ ms: Int64) {
        instant += ms
        offset = zone.offsetSeconds(atUTC: instant)
    }
}
