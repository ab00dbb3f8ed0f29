/// Epoch-millisecond timestamps for log lines: a fixed-format ISO-8601 parser and formatter and
/// the UTC day used in daily index names. Hand-written because Foundation's ISO8601DateFormatter
/// parses ~22k dates/s, far below what ingest needs.
public enum UTCTime {
    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]][Z|±HH[:]MM]` (no zone means UTC) or `YYYY-MM-DD`.
    public static func parseISO(_ s: String) -> Int64? {
        var s = s
        return s.withUTF8 { parseISO(bytes: $0) }
    }

    static func parseISO(bytes b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool { if i < b.count && b[i] == c { i += 1; return true }; return false }
        guard let y = digits(4), expect(0x2D), let mo = digits(2), expect(0x2D), let d = digits(2) else { return nil }
        guard (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var ms = daysFromCivil(y, mo, d) * 86_400_000
        if i == b.count { return ms }
        guard expect(UInt8(ascii: "T")) || expect(0x20) else { return nil }
        guard let h = digits(2), expect(0x3A), let mi = digits(2), h < 24, mi < 60 else { return nil }
        ms += h * 3_600_000 + mi * 60_000
        if expect(0x3A) {
            guard let sec = digits(2), sec < 61 else { return nil }
            ms += sec * 1000
            if expect(0x2E) || expect(0x2C) {
                var scale: Int64 = 100
                var frac: Int64 = 0
                var any = false
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                    frac += Int64(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
                ms += frac
            }
        }
        if i == b.count || expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) { return i == b.count ? ms : nil }
        let sign: Int64
        if expect(0x2B) { sign = 1 } else if expect(0x2D) { sign = -1 } else { return nil }
        guard let oh = digits(2) else { return nil }
        _ = expect(0x3A)
        let om = i < b.count ? digits(2) : 0
        guard let om, i == b.count else { return nil }
        return ms - sign * (oh * 3_600_000 + om * 60_000)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (y: Int64, m: Int64, d: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func pad(_ v: Int64, _ width: Int, into out: inout [UInt8]) {
        var digits = [UInt8](repeating: 0x30, count: width)
        var v = v
        var k = width - 1
        while k >= 0 { digits[k] = UInt8(0x30 + v % 10); v /= 10; k -= 1 }
        out.append(contentsOf: digits)
    }

    /// `2026-11-20T10:11:12.123Z`.
    public static func format(_ ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let rem = ms - days * 86_400_000
        let (y, m, d) = civil(fromDays: days)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        pad(y, 4, into: &out); out.append(0x2D); pad(m, 2, into: &out); out.append(0x2D); pad(d, 2, into: &out)
        out.append(UInt8(ascii: "T"))
        pad(rem / 3_600_000, 2, into: &out); out.append(0x3A)
        pad(rem / 60_000 % 60, 2, into: &out); out.append(0x3A)
        pad(rem / 1000 % 60, 2, into: &out); out.append(0x2E)
        pad(rem % 1000, 3, into: &out); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The UTC day as used in daily index names: `2026.11.20`.
    public static func day(_ ms: Int64) -> String {
        let (y, m, d) = civil(fromDays: floorDiv(ms, 86_400_000))
        var out: [UInt8] = []
        pad(y, 4, into: &out); out.append(0x2E); pad(m, 2, into: &out); out.append(0x2E); pad(d, 2, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The UTC day number (days since the epoch), the cheap key for grouping by day.
    public static func dayNumber(_ ms: Int64) -> Int64 { floorDiv(ms, 86_400_000) }
}
