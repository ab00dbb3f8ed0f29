import JSON

/// `unsigned_long` values (0…2^64−1) in the signed Int64 doc-value columns: stored biased
/// (`value − 2^63`, i.e. the top bit flipped) so that column order, zone maps, ranges and sorts
/// keep numeric order. Every reader of an unsigned column converts with these functions.
public enum UnsignedLong {
    /// The column representation of `u`.
    @inline(__always) public static func stored(_ u: UInt64) -> Int64 { Int64(bitPattern: u ^ (1 << 63)) }

    /// The value of a stored `raw`.
    @inline(__always) public static func value(_ raw: Int64) -> UInt64 { UInt64(bitPattern: raw) ^ (1 << 63) }

    /// The value of a stored `raw` as a double (metrics, histograms, ranges).
    @inline(__always) public static func double(_ raw: Int64) -> Double { Double(value(raw)) }

    /// The value of a stored `raw` as an exact JSON number.
    public static func json(_ raw: Int64) -> JSONValue { .unsigned(value(raw)) }

    /// The stored form of a request value (query term, bound, `missing`, `after`), or nil when it
    /// is not an integer in range. Fractions round down, or up when `roundUp` (for lower bounds).
    public static func stored(request v: JSONValue, roundUp: Bool = false) -> Int64? {
        if let u = v.uint64Value { return stored(u) }
        var d: Double? = nil
        switch v {
        case .double(let x): d = x
        case .string(let s): d = Double(s.trimmingSpaces)
        default: break
        }
        guard let x = d, x.isFinite else { return nil }
        let r = roundUp ? x.rounded(.up) : x.rounded(.down)
        if r < 0 { return roundUp ? stored(0) : nil }
        if r >= 18446744073709551616.0 { return roundUp ? nil : stored(.max) }
        return stored(UInt64(r))
    }

    /// Parses a document value like OpenSearch's unsigned_long mapper (fractions truncated when
    /// coercing). Returns the stored form, or the reason the value is refused.
    public static func parse(_ v: JSONValue, coerce: Bool) -> Result<Int64, OpenSearchError> {
        func outOfRange(_ text: String) -> Result<Int64, OpenSearchError> {
            .failure(.illegalArgument("Value [\(text)] is out of range for an unsigned long"))
        }
        switch v {
        case .int(let i):
            return i >= 0 ? .success(stored(UInt64(i))) : outOfRange(String(i))
        case .uint(let u):
            return .success(stored(u))
        case .double(let d):
            guard d.isFinite else { return .failure(.illegalArgument("[unsigned_long] supports only finite values, but got [\(d)]")) }
            if !coerce && d != d.rounded(.towardZero) { return .failure(.illegalArgument("Value [\(d)] has a decimal part")) }
            let t = d.rounded(.towardZero)
            guard t >= 0, t < 18446744073709551616.0 else { return outOfRange(String(d)) }
            return .success(stored(UInt64(t)))
        case .string(let s):
            let text = String(s.trimmingSpaces)
            if let u = UInt64(text) { return .success(stored(u)) }
            if !coerce { return .failure(.illegalArgument("Value [\(s)] is not a number")) }
            if text.hasPrefix("-"), Int64(text) != nil || Double(text).map({ $0 <= -1 }) == true { return outOfRange(text) }
            guard let d = Double(text), d.isFinite else {
                return .failure(OpenSearchError("number_format_exception", "For input string: \"\(s)\"", status: 400))
            }
            let t = d.rounded(.towardZero)
            guard t >= 0, t < 18446744073709551616.0 else { return outOfRange(text) }
            return .success(stored(UInt64(t)))
        case .bool(let b):
            return .failure(.illegalArgument("Current token (VALUE_\(b ? "TRUE" : "FALSE")) not numeric, can not use numeric value accessors"))
        default:
            return .failure(.illegalArgument("unsupported value"))
        }
    }
}
