import Foundation
import Index
import Query

/// Renders epoch milliseconds as text with an OpenSearch date format (the first alternative of
/// `a||b`) in a time zone: `key_as_string`, `value_as_string`, composite date keys.
struct DateRenderer: Sendable, Equatable, Hashable {
    enum Token: Sendable, Equatable, Hashable {
        case year(Int), month(Int), day(Int), hour24(Int), hour12(Int), minute(Int), second(Int), fraction(Int)
        case offsetColon(zForZero: Bool), offsetPlain, dayName(Int), dayNumber(Int), ampm, dayOfYear(Int), literal(String)
        case epochMillis, epochSecond
    }

    let pattern: String
    let tokens: [Token]
    let zone: DateZone

    static let iso = DateRenderer(pattern: "strict_date_optional_time", zone: .utc)

    init(pattern: String, zone: DateZone) {
        self.pattern = pattern
        self.zone = zone
        let first = pattern.components(separatedBy: "||").first?.trimmingCharacters(in: .whitespaces) ?? pattern
        tokens = DateRenderer.compile(first)
    }

    static let isoTokens: [Token] = compile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")

    static func compile(_ name: String) -> [Token] {
        switch name {
        case "strict_date_optional_time", "date_optional_time", "strict_date_optional_time_nanos", "iso8601",
             "strict_date_time", "date_time":
            return isoTokens
        case "strict_date_time_no_millis", "date_time_no_millis": return compilePattern("yyyy-MM-dd'T'HH:mm:ssXXX")
        case "strict_date", "date", "strict_year_month_day", "year_month_day": return compilePattern("yyyy-MM-dd")
        case "strict_date_hour", "date_hour": return compilePattern("yyyy-MM-dd'T'HH")
        case "strict_date_hour_minute", "date_hour_minute": return compilePattern("yyyy-MM-dd'T'HH:mm")
        case "strict_date_hour_minute_second", "date_hour_minute_second": return compilePattern("yyyy-MM-dd'T'HH:mm:ss")
        case "strict_date_hour_minute_second_millis", "date_hour_minute_second_millis",
             "strict_date_hour_minute_second_fraction", "date_hour_minute_second_fraction":
            return compilePattern("yyyy-MM-dd'T'HH:mm:ss.SSS")
        case "strict_year_month", "year_month": return compilePattern("yyyy-MM")
        case "strict_year", "year": return compilePattern("yyyy")
        case "strict_hour_minute_second", "hour_minute_second": return compilePattern("HH:mm:ss")
        case "strict_hour_minute", "hour_minute": return compilePattern("HH:mm")
        case "strict_hour", "hour": return compilePattern("HH")
        case "strict_time", "time": return compilePattern("HH:mm:ss.SSSXXX")
        case "strict_time_no_millis", "time_no_millis": return compilePattern("HH:mm:ssXXX")
        case "basic_date": return compilePattern("yyyyMMdd")
        case "basic_date_time": return compilePattern("yyyyMMdd'T'HHmmss.SSSZ")
        case "basic_date_time_no_millis": return compilePattern("yyyyMMdd'T'HHmmssZ")
        case "strict_ordinal_date", "ordinal_date": return compilePattern("yyyy-DDD")
        case "epoch_millis": return [.epochMillis]
        case "epoch_second": return [.epochSecond]
        default: return compilePattern(name)
        }
    }

    static func compilePattern(_ p: String) -> [Token] {
        var out: [Token] = []
        let c = Array(p)
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch == "'" {
                var lit = ""
                i += 1
                while i < c.count, c[i] != "'" { lit.append(c[i]); i += 1 }
                i += 1
                out.append(.literal(lit.isEmpty ? "'" : lit))
                continue
            }
            var n = 1
            while i + n < c.count, c[i + n] == ch { n += 1 }
            switch ch {
            case "y", "u", "Y": out.append(.year(n))
            case "M", "L": out.append(.month(n))
            case "d": out.append(.day(n))
            case "D": out.append(.dayOfYear(n))
            case "H", "k": out.append(.hour24(n))
            case "h", "K": out.append(.hour12(n))
            case "m": out.append(.minute(n))
            case "s": out.append(.second(n))
            case "S", "n": out.append(.fraction(n))
            case "X": out.append(.offsetColon(zForZero: true))
            case "x": out.append(.offsetColon(zForZero: false))
            case "Z": out.append(n >= 4 ? .offsetColon(zForZero: n == 5) : .offsetPlain)
            case "E": out.append(.dayName(n))
            case "e", "c": out.append(n <= 2 ? .dayNumber(n) : .dayName(n))
            case "a": out.append(.ampm)
            default: out.append(.literal(String(repeating: String(ch), count: n)))
            }
            i += n
        }
        return out
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
    static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    @inline(__always) static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(abs(v))
        let padded = s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        return v < 0 ? "-" + padded : padded
    }

    func format(_ millis: Int64) -> String {
        if tokens.count == 1 {
            switch tokens[0] {
            case .epochMillis: return String(millis)
            case .epochSecond:
                if millis % 1000 == 0 { return String(millis / 1000) }
                return NumberText.java(Double(millis) / 1000)
            default: break
            }
        }
        let offset = zone.offsetSeconds(atUTC: millis)
        let local = millis + Int64(offset) * 1000
        let c = DateFormat.civil(fromMillis: local)
        var out = ""
        for t in tokens {
            switch t {
            case .year(let n): out += n == 2 ? DateRenderer.pad(c.year % 100, 2) : DateRenderer.pad(c.year, max(n, 4))
            case .month(let n):
                if n >= 4 { out += DateRenderer.monthNames[c.month - 1] }
                else if n == 3 { out += String(DateRenderer.monthNames[c.month - 1].prefix(3)) }
                else { out += DateRenderer.pad(c.month, n) }
            case .day(let n): out += DateRenderer.pad(c.day, n)
            case .dayOfYear(let n):
                let doy = DateFormat.daysFromCivil(c.year, c.month, c.day) - DateFormat.daysFromCivil(c.year, 1, 1) + 1
                out += DateRenderer.pad(Int(doy), n)
            case .hour24(let n): out += DateRenderer.pad(c.hour, n)
            case .hour12(let n): out += DateRenderer.pad(c.hour % 12 == 0 ? 12 : c.hour % 12, n)
            case .minute(let n): out += DateRenderer.pad(c.minute, n)
            case .second(let n): out += DateRenderer.pad(c.second, n)
            case .fraction(let n):
                let ms = DateRenderer.pad(c.millis, 3)
                out += n <= 3 ? String(ms.prefix(n)) : ms + String(repeating: "0", count: n - 3)
            case .offsetColon(let z):
                if offset == 0 && z { out += "Z" } else { out += DateRenderer.offsetText(offset, colon: true) }
            case .offsetPlain: out += DateRenderer.offsetText(offset, colon: false)
            case .dayName(let n):
                let days = DateFormat.daysFromCivil(c.year, c.month, c.day)
                let dow = Int(((days + 3) % 7 + 7) % 7)
                out += n >= 4 ? DateRenderer.dayNames[dow] : String(DateRenderer.dayNames[dow].prefix(3))
            case .dayNumber(let n):
                // ISO: Monday 1 … Sunday 7 (the ROOT locale OpenSearch formats with).
                let days = DateFormat.daysFromCivil(c.year, c.month, c.day)
                out += DateRenderer.pad(Int(((days + 3) % 7 + 7) % 7) + 1, n)
            case .ampm: out += c.hour < 12 ? "AM" : "PM"
            case .literal(let s): out += s
            case .epochMillis: out += String(millis)
            case .epochSecond: out += String(millis / 1000)
            }
        }
        return out
    }

    static func offsetText(_ seconds: Int, colon: Bool) -> String {
        let a = abs(seconds)
        let s = (seconds < 0 ? "-" : "+") + pad(a / 3600, 2) + (colon ? ":" : "") + pad(a / 60 % 60, 2)
        return a % 60 != 0 ? s + (colon ? ":" : "") + pad(a % 60, 2) : s
    }
}
