/// Parses dates into epoch milliseconds (UTC) without Foundation: fixed-format civil-date arithmetic
/// is orders of magnitude faster than `ISO8601DateFormatter`, which matters on every ingested event.
///
/// Formats follow OpenSearch's names (`strict_date_optional_time`, `epoch_millis`, `epoch_second`,
/// `date_optional_time`, `basic_date`, …) and java-time style patterns such as `yyyy/MM/dd HH:mm:ss`;
/// several may be joined with `||` and are tried in order.
public struct DateFormat: Sendable, Equatable {
    public let pattern: String
    let alternatives: [Alternative]

    enum Alternative: Sendable, Equatable {
        case isoOptionalTime(strict: Bool)
        case epochMillis
        case epochSecond
        case pattern([PatternToken])
    }

    enum PatternToken: Sendable, Equatable {
        case year(Int), month(Int), day(Int), hour(Int), minute(Int), second(Int), fraction(Int)
        case zone, literal(UInt8)
    }

    public static let defaultDate = try! DateFormat("strict_date_optional_time||epoch_millis")

    public init(_ pattern: String) throws(OpenSearchError) {
        self.pattern = pattern
        var alts: [Alternative] = []
        for part in pattern.split(separator: "||", omittingEmptySubsequences: true) {
            let name = part.trimmingCharacters(in: " ")
            switch name {
            case "strict_date_optional_time", "strict_date_optional_time_nanos", "strict_date_time", "strict_date",
                 "strict_date_hour_minute_second", "strict_date_hour_minute_second_millis", "strict_date_hour_minute_second_fraction",
                 "strict_year_month_day", "strict_date_time_no_millis":
                alts.append(.isoOptionalTime(strict: true))
            case "date_optional_time", "date_time", "date", "date_hour_minute_second", "date_hour_minute_second_millis",
                 "date_time_no_millis", "year_month_day", "iso8601":
                alts.append(.isoOptionalTime(strict: false))
            case "epoch_millis": alts.append(.epochMillis)
            case "epoch_second": alts.append(.epochSecond)
            case "basic_date": alts.append(.pattern(try DateFormat.compile("yyyyMMdd", original: pattern)))
            case "basic_date_time": alts.append(.pattern(try DateFormat.compile("yyyyMMdd'T'HHmmss.SSSZ", original: pattern)))
            case "basic_date_time_no_millis": alts.append(.pattern(try DateFormat.compile("yyyyMMdd'T'HHmmssZ", original: pattern)))
            case "strict_year", "year": alts.append(.pattern(try DateFormat.compile("yyyy", original: pattern)))
            case "strict_year_month", "year_month": alts.append(.pattern(try DateFormat.compile("yyyy-MM", original: pattern)))
            default: alts.append(.pattern(try DateFormat.compile(String(name), original: pattern)))
            }
        }
        if alts.isEmpty { throw OpenSearchError.illegalArgument("Invalid format: [\(pattern)]: empty") }
        self.alternatives = alts
    }

    static func compile(_ p: String, original: String) throws(OpenSearchError) -> [PatternToken] {
        var tokens: [PatternToken] = []
        let b = Array(p.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "'") {
                i += 1
                while i < b.count && b[i] != UInt8(ascii: "'") { tokens.append(.literal(b[i])); i += 1 }
                i += 1
                continue
            }
            var n = 1
            while i + n < b.count && b[i + n] == c { n += 1 }
            switch c {
            case UInt8(ascii: "y"), UInt8(ascii: "u"): tokens.append(.year(n))
            case UInt8(ascii: "M"): tokens.append(.month(n))
            case UInt8(ascii: "d"): tokens.append(.day(n))
            case UInt8(ascii: "H"): tokens.append(.hour(n))
            case UInt8(ascii: "m"): tokens.append(.minute(n))
            case UInt8(ascii: "s"): tokens.append(.second(n))
            case UInt8(ascii: "S"): tokens.append(.fraction(n))
            case UInt8(ascii: "Z"), UInt8(ascii: "X"), UInt8(ascii: "x"): tokens.append(.zone)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                throw OpenSearchError.illegalArgument("Invalid format: [\(original)]: Unknown pattern letter: \(Character(Unicode.Scalar(c)))")
            default:
                for _ in 0..<n { tokens.append(.literal(c)) }
            }
            i += n
        }
        return tokens
    }

    /// Epoch milliseconds for `text`, or nil when no alternative accepts it.
    public func parse(_ text: String) -> Int64? {
        var s = text
        return s.withUTF8 { buf in
            for alt in alternatives {
                if let v = DateFormat.parse(buf, alt) { return v }
            }
            return nil
        }
    }

    /// Parses a JSON number as epoch millis/seconds where the format allows it.
    public func parse(number: Double) -> Int64? {
        for alt in alternatives {
            switch alt {
            case .epochMillis: return Int64(exactly: number.rounded(.towardZero))
            case .epochSecond: return Int64(exactly: (number * 1000).rounded(.towardZero))
            default: continue
            }
        }
        return nil
    }

    /// The parse error OpenSearch reports for a value no format accepts.
    public func failure(_ text: String) -> OpenSearchError {
        OpenSearchError.illegalArgument("failed to parse date field [\(text)] with format [\(pattern)]")
    }

    public var firstIsEpoch: Bool {
        if case .epochMillis = alternatives.first { return true }
        if case .epochSecond = alternatives.first { return true }
        return false
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ alt: Alternative) -> Int64? {
        switch alt {
        case .isoOptionalTime(let strict): return parseISO(b, strict: strict)
        case .epochMillis: return parseEpoch(b, scale: 1)
        case .epochSecond: return parseEpoch(b, scale: 1000)
        case .pattern(let t): return parsePattern(b, t)
        }
    }

    static func parseEpoch(_ b: UnsafeBufferPointer<UInt8>, scale: Int64) -> Int64? {
        var i = 0
        var neg = false
        if i < b.count && b[i] == UInt8(ascii: "-") { neg = true; i += 1 }
        guard i < b.count else { return nil }
        var v: Int64 = 0
        let digitsStart = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 0x30))
            if o1 || o2 { return nil }
            v = a; i += 1
        }
        if i == digitsStart { return nil }
        var frac: Int64 = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            // Fractional epoch: keep millisecond precision.
            i += 1
            var digits = 0
            var scaleLeft = scale
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if scaleLeft > 1 { scaleLeft /= 10; frac += Int64(b[i] - 0x30) * scaleLeft }
                digits += 1; i += 1
            }
            if digits == 0 { return nil }
        }
        if i != b.count { return nil }
        let (m, o) = v.multipliedReportingOverflow(by: scale)
        if o { return nil }
        return neg ? -(m + frac) : m + frac
    }

    /// `yyyy[-MM[-dd[Thh[:mm[:ss[.fff]]]]]][Z|±hh[:]mm]`: the optional-time grammar OpenSearch's
    /// `strict_date_optional_time` accepts (strict: fixed digit counts).
    static func parseISO(_ b: UnsafeBufferPointer<UInt8>, strict: Bool) -> Int64? {
        var i = 0
        let n = b.count
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += count
            return v
        }
        func variableDigits(max: Int) -> Int? {
            var v = 0, k = 0
            while i < n, k < max, b[i] >= 0x30, b[i] <= 0x39 { v = v * 10 + Int(b[i] - 0x30); i += 1; k += 1 }
            return k == 0 ? nil : v
        }
        func two() -> Int? { strict ? digits(2) : variableDigits(max: 2) }
        var sign = 1
        if i < n && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            if strict { return nil }
            sign = b[i] == UInt8(ascii: "-") ? -1 : 1; i += 1
        }
        guard let y0 = strict ? digits(4) : variableDigits(max: 9) else { return nil }
        let year = y0 * sign
        var month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0
        var offsetSeconds = 0
        if i < n && b[i] == UInt8(ascii: "-") {
            i += 1
            guard let m = two() else { return nil }
            month = m
            if i < n && b[i] == UInt8(ascii: "-") {
                i += 1
                guard let d = two() else { return nil }
                day = d
            }
        }
        if i < n && b[i] == UInt8(ascii: "T") {
            i += 1
            guard let h = two() else { return nil }
            hour = h
            if i < n && b[i] == UInt8(ascii: ":") {
                i += 1
                guard let mi = two() else { return nil }
                minute = mi
                if i < n && b[i] == UInt8(ascii: ":") {
                    i += 1
                    guard let s = two() else { return nil }
                    second = s
                    if i < n && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                        i += 1
                        var k = 0, ms = 0
                        while i < n, b[i] >= 0x30, b[i] <= 0x39 {
                            if k < 3 { ms = ms * 10 + Int(b[i] - 0x30) }
                            k += 1; i += 1
                        }
                        if k == 0 || k > 9 { return nil }
                        for _ in k..<max(k, 3) { ms *= 10 }
                        millis = ms
                    }
                }
            }
            if i < n {
                guard let off = parseZone(b, &i) else { return nil }
                offsetSeconds = off
            }
        }
        guard i == n else { return nil }
        guard month >= 1 && month <= 12, day >= 1, day <= daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        return civilToMillis(year, month, day, hour, minute, second, millis) - Int64(offsetSeconds) * 1000
    }

    static func parseZone(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int? {
        let n = b.count
        guard i < n else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") { i += 1; return 0 }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        func d2() -> Int? {
            guard i + 2 <= n, b[i] >= 0x30, b[i] <= 0x39, b[i + 1] >= 0x30, b[i + 1] <= 0x39 else { return nil }
            defer { i += 2 }
            return Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
        }
        guard let h = d2(), h <= 18 else { return nil }
        var m = 0
        if i < n && b[i] == UInt8(ascii: ":") { i += 1; guard let mm = d2() else { return nil }; m = mm }
        else if i < n { guard let mm = d2() else { return nil }; m = mm }
        guard m <= 59 else { return nil }
        return sign * (h * 3600 + m * 60)
    }

    static func parsePattern(_ b: UnsafeBufferPointer<UInt8>, _ tokens: [PatternToken]) -> Int64? {
        var i = 0
        let n = b.count
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        func num(_ width: Int, maxWidth: Int) -> Int? {
            var v = 0, k = 0
            let limit = width >= 2 ? width : maxWidth
            while i < n, k < limit, b[i] >= 0x30, b[i] <= 0x39 { v = v * 10 + Int(b[i] - 0x30); i += 1; k += 1 }
            return k == 0 || (width >= 2 && k != width) ? nil : v
        }
        for t in tokens {
            switch t {
            case .year(let w): guard let v = num(w == 2 ? 2 : 4, maxWidth: 4) else { return nil }; year = w == 2 ? 2000 + v : v
            case .month(let w): guard let v = num(w, maxWidth: 2) else { return nil }; month = v
            case .day(let w): guard let v = num(w, maxWidth: 2) else { return nil }; day = v
            case .hour(let w): guard let v = num(w, maxWidth: 2) else { return nil }; hour = v
            case .minute(let w): guard let v = num(w, maxWidth: 2) else { return nil }; minute = v
            case .second(let w): guard let v = num(w, maxWidth: 2) else { return nil }; second = v
            case .fraction(let w):
                var ms = 0, k = 0
                while i < n, k < w, b[i] >= 0x30, b[i] <= 0x39 { if k < 3 { ms = ms * 10 + Int(b[i] - 0x30) }; i += 1; k += 1 }
                if k == 0 { return nil }
                for _ in k..<max(k, 3) { ms *= 10 }
                millis = ms
            case .zone: guard let off = parseZone(b, &i) else { return nil }; offset = off
            case .literal(let c): guard i < n, b[i] == c else { return nil }; i += 1
            }
        }
        guard i == n, month >= 1, month <= 12, day >= 1, day <= daysInMonth(year, month),
              hour <= 23, minute <= 59, second <= 59 else { return nil }
        return civilToMillis(year, month, day, hour, minute, second, millis) - Int64(offset) * 1000
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// Days in month `m` (1-12) of year `y`, proleptic Gregorian.
    public static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(m > 2 ? m - 3 : m + 9)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilToMillis(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ ms: Int) -> Int64 {
        let days = daysFromCivil(y, mo, d)
        return ((days * 24 + Int64(h)) * 60 + Int64(mi)) * 60_000 + Int64(s) * 1000 + Int64(ms)
    }

    /// The civil date and time of epoch millis, UTC.
    public static func civil(fromMillis ms: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) {
        var days = ms / 86_400_000
        var rem = ms % 86_400_000
        if rem < 0 { rem += 86_400_000; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d), Int(rem / 3_600_000), Int(rem / 60_000 % 60), Int(rem / 1000 % 60), Int(rem % 1000))
    }

    /// Formats epoch millis (UTC) with the first alternative of this format, as OpenSearch
    /// renders dates in `docvalue_fields`, `key_as_string` and sort values.
    public func format(millis: Int64) -> String {
        switch alternatives.first {
        case .epochMillis?: return String(millis)
        case .epochSecond?: return String(millis / 1000)
        case .pattern(let tokens)?:
            let c = DateFormat.civil(fromMillis: millis)
            func pad(_ v: Int, _ w: Int) -> String {
                let s = String(v)
                return String(repeating: "0", count: max(0, w - s.count)) + s
            }
            var out = ""
            for t in tokens {
                switch t {
                case .year(let w): out += w == 2 ? pad(c.year % 100, 2) : pad(c.year, 4)
                case .month(let w): out += pad(c.month, w)
                case .day(let w): out += pad(c.day, w)
                case .hour(let w): out += pad(c.hour, w)
                case .minute(let w): out += pad(c.minute, w)
                case .second(let w): out += pad(c.second, w)
                case .fraction(let w): out += String(pad(c.millis, 3).prefix(w)) + String(repeating: "0", count: max(0, w - 3))
                case .zone: out += "Z"
                case .literal(let b): out += String(UnicodeScalar(b))
                }
            }
            return out
        default:
            return DateFormat.isoString(millis: millis)
        }
    }

    /// ISO-8601 text (`2024-01-15T00:56:31.165Z`) of epoch millis, UTC.
    public static func isoString(millis: Int64) -> String {
        let c = civil(fromMillis: millis)
        func p(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(p(c.year, 4))-\(p(c.month, 2))-\(p(c.day, 2))T\(p(c.hour, 2)):\(p(c.minute, 2)):\(p(c.second, 2)).\(p(c.millis, 3))Z"
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return s
    }
}
