import Foundation
import Index

/// A `time_zone` parameter: a fixed offset (`+01:00`, `-0530`, `Z`, `UTC`) or a named IANA zone
/// (`Europe/Paris`, resolved with Foundation's `TimeZone`). Converts between UTC instants and local
/// civil time the way java.time's `ZonedDateTime` does, gaps and overlaps included.
public struct DateZone: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The identifier as given.
    public let id: String
    let fixedOffset: Int?
    let zone: TimeZone?

    public static let utc = DateZone(id: "Z", fixedOffset: 0, zone: nil)

    init(id: String, fixedOffset: Int?, zone: TimeZone?) { self.id = id; self.fixedOffset = fixedOffset; self.zone = zone }

    /// A fixed offset from UTC in seconds.
    public init(offsetSeconds: Int) {
        self.init(id: DateZone.format(offsetSeconds), fixedOffset: offsetSeconds, zone: nil)
    }

    /// Parses an offset (`+01:00`, `+0100`, `+01`, `-8`, `UTC+2`, `GMT-03:30`, `Z`) or a zone name.
    public init(_ id: String) throws(OpenSearchError) {
        let upper = id.uppercased()
        if upper == "Z" || upper == "UTC" || upper == "GMT" || upper == "UT" {
            self.init(id: id, fixedOffset: 0, zone: nil); return
        }
        for prefix in ["UTC", "GMT", "UT"] where upper.hasPrefix(prefix) {
            let rest = String(id.dropFirst(prefix.count))
            if let off = DateZone.parseOffset(rest) { self.init(id: id, fixedOffset: off, zone: nil); return }
        }
        if let off = DateZone.parseOffset(id) { self.init(id: id, fixedOffset: off, zone: nil); return }
        // java.time's ZoneId.of errors, as OpenSearch reports them.
        if id.count <= 1 || id.hasPrefix("+") || id.hasPrefix("-") {
            let reason = "Invalid ID for ZoneOffset, invalid format: \(id)"
            throw OpenSearchError("illegal_argument_exception", "java.time.DateTimeException: \(reason)", status: 400,
                                  causedBy: OpenSearchError("date_time_exception", reason, status: 400))
        }
        guard let tz = TimeZone(identifier: id) else {
            let reason = "Unknown time-zone ID: \(id)"
            throw OpenSearchError("illegal_argument_exception", "java.time.zone.ZoneRulesException: \(reason)", status: 400,
                                  causedBy: OpenSearchError("zone_rules_exception", reason, status: 400))
        }
        self.init(id: id, fixedOffset: nil, zone: tz)
    }

    public var description: String { id }

    static func parseOffset(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard let first = b.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { return nil }
        let sign = first == UInt8(ascii: "-") ? -1 : 1
        let digits = b.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !digits.isEmpty else { return nil }
        let d = digits.map { Int($0 - 0x30) }
        // Colons may only separate hh:mm[:ss].
        let colons = b.dropFirst().filter { $0 == UInt8(ascii: ":") }.count
        var h = 0, m = 0, sec = 0
        switch d.count {
        case 1: h = d[0]
        case 2: h = d[0] * 10 + d[1]
        case 4: h = d[0] * 10 + d[1]; m = d[2] * 10 + d[3]
        case 6: h = d[0] * 10 + d[1]; m = d[2] * 10 + d[3]; sec = d[4] * 10 + d[5]
        default: return nil
        }
        if colons > 0 && (d.count < 4 || b.count != 1 + d.count + colons) { return nil }
        guard h <= 18, m < 60, sec < 60 else { return nil }
        let total = h * 3600 + m * 60 + sec
        guard total <= 18 * 3600 else { return nil }
        return sign * total
    }

    static func format(_ seconds: Int) -> String {
        if seconds == 0 { return "Z" }
        let a = abs(seconds)
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return (seconds < 0 ? "-" : "+") + p(a / 3600) + ":" + p(a / 60 % 60)
    }

    /// The zone's offset from UTC (seconds) at a UTC instant.
    public func offsetSeconds(atUTC millis: Int64) -> Int {
        if let f = fixedOffset { return f }
        let seconds = Double(millis.dslFloorDiv(1000))
        return zone!.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
    }

    /// The UTC instant of a local civil time (millis as if the local time were UTC). In a gap (spring
    /// forward) the time moves later by the gap; in an overlap `preferredOffset` wins when valid,
    /// else the earlier offset — java.time's `ZonedDateTime.ofLocal` rules.
    public func utc(fromLocal local: Int64, preferredOffset: Int? = nil) -> Int64 {
        if let f = fixedOffset { return local - Int64(f) * 1000 }
        var candidates: Set<Int> = []
        for probe in [local, local - 86_400_000, local + 86_400_000] {
            let o = offsetSeconds(atUTC: probe)
            candidates.insert(o)
            candidates.insert(offsetSeconds(atUTC: local - Int64(o) * 1000))
        }
        let valid = candidates.filter { offsetSeconds(atUTC: local - Int64($0) * 1000) == $0 }
        if let p = preferredOffset, valid.contains(p) { return local - Int64(p) * 1000 }
        if let earlier = valid.max() { return local - Int64(earlier) * 1000 }
        // Gap: the offset before the transition is the smaller one; using it lands after the gap.
        return local - Int64(candidates.min() ?? 0) * 1000
    }

    /// Local civil time (as UTC millis) of an instant.
    public func local(fromUTC millis: Int64) -> Int64 { millis + Int64(offsetSeconds(atUTC: millis)) * 1000 }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    func dslFloorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }

    /// Remainder with the sign of the divisor.
    func dslFloorMod(_ d: Int64) -> Int64 { self - dslFloorDiv(d) * d }
}
