import Foundation
import Index
import Query

/// A `date_histogram` interval: a calendar unit (minute … year, lengths vary with the calendar and
/// the time zone) or a fixed number of milliseconds.
enum DateInterval: Sendable, Equatable, Hashable {
    enum Unit: Sendable, Equatable, Hashable { case second, minute, hour, day, week, month, quarter, year }
    case calendar(Unit)
    case fixed(Int64)

    static let calendarNames: [String: Unit] = [
        "second": .second, "1s": .second, "minute": .minute, "1m": .minute, "hour": .hour, "1h": .hour,
        "day": .day, "1d": .day, "week": .week, "1w": .week, "month": .month, "1M": .month,
        "quarter": .quarter, "1q": .quarter, "year": .year, "1y": .year,
    ]

    /// A time value (`30m`, `1h`, `7d`, `500ms`) in milliseconds, as OpenSearch's `TimeValue` reads it.
    static func timeValue(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            let number = s.dropLast(suffix.count)
            if suffix == "s" && number.hasSuffix("m") { continue }  // "ms" handled first
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber }), let n = Int64(number) else { return nil }
            let (v, o) = n.multipliedReportingOverflow(by: scale)
            return o ? nil : v
        }
        return nil
    }

    /// `offset`: a signed time value (`+1d`, `-6h`, `4h`).
    static func offset(_ text: String) -> Int64? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign: Int64 = 1
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        return timeValue(String(s)).map { $0 * sign }
    }

    /// Milliseconds of one step for fixed-length rounding (calendar day/week assume 24 h days).
    var approximateLength: Int64 {
        switch self {
        case .fixed(let ms): return ms
        case .calendar(let u):
            switch u {
            case .second: return 1000
            case .minute: return 60_000
            case .hour: return 3_600_000
            case .day: return 86_400_000
            case .week: return 7 * 86_400_000
            case .month: return 31 * 86_400_000
            case .quarter: return 92 * 86_400_000
            case .year: return 366 * 86_400_000
            }
        }
    }

    /// Day and longer calendar units round to local midnight (java's `firstTimeOnDay` rule).
    var roundsToMidnight: Bool {
        if case .calendar(let u) = self { return [.day, .week, .month, .quarter, .year].contains(u) }
        return false
    }

    /// Start of the interval containing local time `local` (millis as if the local time were UTC).
    @inline(__always)
    func floorLocal(_ local: Int64) -> Int64 {
        switch self {
        case .fixed(let ms): return local.floorDiv(ms) * ms
        case .calendar(let u):
            switch u {
            case .second: return local.floorDiv(1000) * 1000
            case .minute: return local.floorDiv(60_000) * 60_000
            case .hour: return local.floorDiv(3_600_000) * 3_600_000
            case .day: return local.floorDiv(86_400_000) * 86_400_000
            case .week:
                let days = local.floorDiv(86_400_000)
                return (days - (days + 3).floorMod(7)) * 86_400_000
            case .month, .quarter, .year:
                let c = DateFormat.civil(fromMillis: local)
                let m = u == .year ? 1 : (u == .quarter ? (c.month - 1) / 3 * 3 + 1 : c.month)
                return DateFormat.daysFromCivil(c.year, m, 1) * 86_400_000
            }
        }
    }

    /// The start of the next interval after the one starting at local time `start`.
    func nextLocal(_ start: Int64) -> Int64 {
        switch self {
        case .fixed(let ms): return start + ms
        case .calendar(let u):
            switch u {
            case .second: return start + 1000
            case .minute: return start + 60_000
            case .hour: return start + 3_600_000
            case .day: return start + 86_400_000
            case .week: return start + 7 * 86_400_000
            case .month, .quarter, .year:
                let c = DateFormat.civil(fromMillis: start)
                let total = c.year * 12 + (c.month - 1) + (u == .month ? 1 : u == .quarter ? 3 : 12)
                let y = Int(Int64(total).floorDiv(12)), m = Int(Int64(total).floorMod(12)) + 1
                return DateFormat.daysFromCivil(y, m, 1) * 86_400_000
            }
        }
    }
}

/// Time zone offsets with transitions, cached per UTC day: a named zone asks Foundation twice per
/// day it sees (and a binary search on transition days), not once per document.
final class ZoneOffsets {
    let zone: DateZone
    /// Fixed-offset zones (`Z`, `+01:00`, `UTC-3`): every lookup is this value.
    let fixed: Int?
    struct Day { var start: Int32; var transition: Int64; var after: Int32 }
    struct Cache {
        var days: [Int64: Day] = [:]
        var lastDay = Int64.min
        var last = Day(start: 0, transition: .max, after: 0)
        /// Dense per-day entries for `[base, base + dense.count)` (transition == Int64.min: not loaded).
        var base: Int64 = 0
        var dense: [Day] = []
    }
    private let cache = Box(Cache())

    init(_ zone: DateZone) {
        self.zone = zone
        fixed = ZoneOffsets.fixedOffset(zone)
    }

    static func fixedOffset(_ zone: DateZone) -> Int? {
        let up = zone.id.uppercased()
        if ["Z", "UTC", "GMT", "UT"].contains(up) { return 0 }
        for p in ["UTC+", "UTC-", "GMT+", "GMT-", "UT+", "UT-", "+", "-"] where up.hasPrefix(p) {
            return zone.offsetSeconds(atUTC: 0)
        }
        return nil
    }

    /// Offset in seconds at UTC instant `t`.
    @inline(__always)
    func offset(_ t: Int64) -> Int {
        if let f = fixed { return f }
        let c = cache.p
        let day = t.floorDiv(86_400_000)
        if day != c.pointee.lastDay { load(day) }
        return Int(t < c.pointee.last.transition ? c.pointee.last.start : c.pointee.last.after)
    }

    private func load(_ day: Int64) {
        let c = cache.p
        let slot = day &- c.pointee.base
        if slot >= 0 && slot < Int64(c.pointee.dense.count) {
            let d = c.pointee.dense[Int(slot)]
            if d.transition != .min { c.pointee.lastDay = day; c.pointee.last = d; return }
        } else if c.pointee.dense.isEmpty {
            // Dates cluster: keep ±4 years around the first one in a flat table.
            c.pointee.base = day - 1461
            c.pointee.dense = [Day](repeating: Day(start: 0, transition: .min, after: 0), count: 2922)
        } else if let d = c.pointee.days[day] { c.pointee.lastDay = day; c.pointee.last = d; return }
        let start = day * 86_400_000, end = start + 86_400_000 - 1
        let a = zone.offsetSeconds(atUTC: start), b = zone.offsetSeconds(atUTC: end)
        var entry = Day(start: Int32(a), transition: .max, after: Int32(a))
        if a != b {
            var lo = start, hi = end  // offset(lo) == a, offset(hi) == b: first instant with b
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if zone.offsetSeconds(atUTC: mid) == a { lo = mid } else { hi = mid }
            }
            entry = Day(start: Int32(a), transition: hi, after: Int32(b))
        }
        let at = day &- c.pointee.base
        if at >= 0 && at < Int64(c.pointee.dense.count) {
            c.pointee.dense[Int(at)] = entry
        } else {
            if c.pointee.days.count > 100_000 { c.pointee.days.removeAll(keepingCapacity: true) }
            c.pointee.days[day] = entry
        }
        c.pointee.lastDay = day
        c.pointee.last = entry
    }

    /// The latest instant ≤ `t` at which the offset changed, searching back to `from`.
    func previousTransition(atOrBefore t: Int64, notBefore from: Int64) -> Int64? {
        if fixed != nil { return nil }
        var day = t.floorDiv(86_400_000)
        let first = from.floorDiv(86_400_000)
        while day >= first {
            load(day)
            let tr = cache.p.pointee.last.transition
            if tr != .max && tr <= t && tr > from { return tr }
            day -= 1
        }
        return nil
    }

    /// Offsets under which local time `local` exists (two in an overlap, none in a gap).
    func validOffsets(_ local: Int64) -> [Int] {
        if let f = fixed { return [f] }
        var candidates: [Int] = []
        for probe in [local, local - 86_400_000, local + 86_400_000] {
            let o = offset(probe)
            if !candidates.contains(o) { candidates.append(o) }
        }
        return candidates.filter { offset(local - Int64($0) * 1000) == $0 }.sorted(by: >)
    }

    /// java's `firstTimeOnDay`/`ZonedDateTime.ofLocal` without a preference: the earliest instant
    /// with local time `local`, or the transition instant when `local` falls in a gap.
    func earliestUTC(_ local: Int64) -> Int64 {
        let valid = validOffsets(local)
        if let o = valid.first { return local - Int64(o) * 1000 }
        // Gap: the offset before the transition is the smaller one; it lands on the transition.
        let before = min(offset(local - 86_400_000), offset(local + 86_400_000))
        return local - Int64(before) * 1000
    }
}

/// A `date_histogram` rounding prepared for one collector: interval, time zone and offset, with
/// the caches that make rounding a few arithmetic operations per document.
final class PreparedRounding {
    let interval: DateInterval
    let offsets: ZoneOffsets
    let shift: Int64
    private struct MemoKey: Hashable { let lo: Int64; let off: Int }
    private struct Cache {
        var lastLo = Int64.max, lastHi = Int64.min, lastOffset = Int.min, lastKey: Int64 = 0
        var memo: [MemoKey: Int64] = [:]
        /// Day and longer units in named zones: the key of each local day, flat from `dayBase`
        /// (Int64.min: not computed).
        var dayBase: Int64 = 0
        var dayKeys: [Int64] = []
    }
    private let cache = Box(Cache())

    /// Fixed-offset zone and fixed-length unit: the key is plain arithmetic.
    let arithmetic: (unit: Int64, offsetMillis: Int64)?

    init(interval: DateInterval, zone: DateZone, offset: Int64) {
        self.interval = interval
        offsets = ZoneOffsets(zone)
        shift = offset
        var unit: Int64? = nil
        switch interval {
        case .fixed(let ms): unit = ms
        case .calendar(.second): unit = 1000
        case .calendar(.minute): unit = 60_000
        case .calendar(.hour): unit = 3_600_000
        case .calendar(.day): unit = 86_400_000
        default: break
        }
        if let f = offsets.fixed, let u = unit { arithmetic = (u, Int64(f) * 1000) } else { arithmetic = nil }
    }

    /// The bucket key (UTC start of the bucket) of instant `t`.
    @inline(__always)
    func round(_ t: Int64) -> Int64 {
        if let a = arithmetic {
            let local = t &- shift &+ a.offsetMillis
            return local.floorDiv(a.unit) &* a.unit &- a.offsetMillis &+ shift
        }
        let c = cache.p
        let u = t &- shift
        let off = offsets.offset(u)
        let local = u &+ Int64(off) &* 1000
        if offsets.fixed == nil && interval.roundsToMidnight {
            // Named zone, day or longer: the key of the local day, from a flat table.
            let day = local.floorDiv(86_400_000)
            let slot = day &- c.pointee.dayBase
            if slot >= 0 && slot < Int64(c.pointee.dayKeys.count) {
                let cached = c.pointee.dayKeys[Int(slot)]
                if cached != .min { return cached }
            }
        }
        if off == c.pointee.lastOffset && local >= c.pointee.lastLo && local < c.pointee.lastHi { return c.pointee.lastKey }
        let lo = interval.floorLocal(local)
        let hi = interval.nextLocal(lo)
        let key: Int64
        if let f = offsets.fixed {
            key = lo - Int64(f) * 1000 + shift
        } else if interval.roundsToMidnight {
            // The key depends on the local day only.
            let day = local.floorDiv(86_400_000)
            if c.pointee.dayKeys.isEmpty {
                c.pointee.dayBase = day - 1461
                c.pointee.dayKeys = [Int64](repeating: .min, count: 2922)
            }
            let slot = day &- c.pointee.dayBase
            if slot >= 0 && slot < Int64(c.pointee.dayKeys.count) {
                let cached = c.pointee.dayKeys[Int(slot)]
                if cached != .min { key = cached } else {
                    key = resolve(u, off: off, lo: lo) + shift
                    c.pointee.dayKeys[Int(slot)] = key
                }
            } else {
                key = resolve(u, off: off, lo: lo) + shift
            }
        } else {
            let memoKey = MemoKey(lo: lo, off: off)
            if let k = c.pointee.memo[memoKey] { key = k } else {
                key = resolve(u, off: off, lo: lo) + shift
                if c.pointee.memo.count > 200_000 { c.pointee.memo.removeAll(keepingCapacity: true) }
                c.pointee.memo[memoKey] = key
            }
        }
        c.pointee.lastOffset = off; c.pointee.lastLo = lo; c.pointee.lastHi = hi; c.pointee.lastKey = key
        return key
    }

    /// The UTC instant of local bucket start `lo` for instant `u` (offset `off`) in a named zone,
    /// following OpenSearch's JavaTimeRounding / TimeIntervalRounding.
    private func resolve(_ u: Int64, off: Int, lo: Int64) -> Int64 {
        if interval.roundsToMidnight { return offsets.earliestUTC(lo) }
        var t = u
        var currentOff = off
        var currentLo = lo
        for _ in 0..<8 {
            let valid = offsets.validOffsets(currentLo)
            if valid.isEmpty { return offsets.earliestUTC(currentLo) }
            var best: Int64? = nil
            for o in valid {
                let r = currentLo - Int64(o) * 1000
                if r <= t, best.map({ r > $0 }) ?? true { best = r }
            }
            let candidate = best ?? (currentLo - Int64(currentOff) * 1000)
            if let tr = offsets.previousTransition(atOrBefore: t, notBefore: candidate) {
                t = tr - 1
                currentOff = offsets.offset(t)
                currentLo = interval.floorLocal(t + Int64(currentOff) * 1000)
                continue
            }
            return candidate
        }
        return currentLo - Int64(currentOff) * 1000
    }

    /// The key of the bucket after the one keyed `key` (for filling empty buckets).
    func next(_ key: Int64) -> Int64 {
        let u = key - shift
        if let f = offsets.fixed {
            let lo = u + Int64(f) * 1000
            return interval.nextLocal(lo) - Int64(f) * 1000 + shift
        }
        if interval.roundsToMidnight {
            let local = u + Int64(offsets.offset(u)) * 1000
            return offsets.earliestUTC(interval.nextLocal(interval.floorLocal(local))) + shift
        }
        let step = interval.approximateLength
        var probe = key + step
        for _ in 0..<4 {
            let r = round(probe)
            if r > key { return r }
            probe += step
        }
        return key + step
    }
}

extension Int64 {
    @inline(__always) func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }

    @inline(__always) func floorMod(_ d: Int64) -> Int64 { self - floorDiv(d) * d }
}
