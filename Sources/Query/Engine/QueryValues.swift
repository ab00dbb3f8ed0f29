import Index
import JSON

/// Converts query values to what the doc values hold: strings for keywords, Int64 for integral and
/// date fields, sortable longs for floating point fields, 0/1 for booleans.
public enum QueryValues {
    public static func text(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return String(d)  // like Java's Double.toString: 1.0 stays "1.0"
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    static func failure(_ field: String, _ v: JSONValue, _ type: FieldType) -> OpenSearchError {
        OpenSearchError("query_shard_exception", "failed to create query: For input string: \"\(text(v) ?? JSONWriter.string(v))\"", status: 400,
                        causedBy: OpenSearchError("number_format_exception", "For input string: \"\(text(v) ?? JSONWriter.string(v))\"", status: 400))
    }

    /// The stored representation of one value of a numeric, date or boolean field.
    public static func numeric(_ v: JSONValue, type: FieldType, field: String, mapping: Mapping, now: Int64, roundUp: Bool,
                               format: String? = nil, timeZone: DateZone? = nil) throws(OpenSearchError) -> Int64 {
        switch type {
        case .date, .dateNanos:
            if let s = v.stringValue {
                let f = try format.map { s throws(OpenSearchError) in try DateFormat(s) } ?? mapping.field(field)?.dateFormat ?? DateFormat.defaultDate
                do { return try DateMath.resolve(s, now: now, format: f, timeZone: timeZone, roundUp: roundUp) } catch {
                    throw OpenSearchError("parse_exception", "failed to parse date field [\(s)] with format [\(f.pattern)]: [\(error.reason)]", status: 400)
                }
            }
            if let d = v.doubleValue, let i = Int64(exactly: d.rounded(.towardZero)) { return i }
            throw failure(field, v, type)
        case .boolean:
            if v.boolValue == true || v.stringValue == "true" { return 1 }
            if v.boolValue == false || v.stringValue == "false" || v.stringValue == "" { return 0 }
            throw OpenSearchError.illegalArgument("Can't parse boolean value [\(text(v) ?? "")], expected [true] or [false]")
        case .double, .float, .halfFloat, .scaledFloat:
            guard let d = v.doubleValue else { throw failure(field, v, type) }
            return NumericColumn.sortableLong(type == .float ? Double(Float(d)) : d)
        case .unsignedLong:
            if v.doubleValue.map({ $0 >= 0 }) ?? true, let raw = UnsignedLong.stored(request: v, roundUp: !roundUp) { return raw }
            throw failure(field, v, type)
        default:
            if let i = v.int64Value { return i }
            if let d = v.doubleValue {
                // A fraction never equals an integral value; callers widen ranges themselves.
                guard let i = Int64(exactly: roundUp ? d.rounded(.down) : d.rounded(.up)) else { throw failure(field, v, type) }
                return i
            }
            throw failure(field, v, type)
        }
    }

    /// Inclusive [lo, hi] in stored representation for a range query; nil when empty.
    public static func bounds(_ r: RangeQuery, type: FieldType, mapping: Mapping, now: Int64) throws(OpenSearchError) -> (Int64, Int64)? {
        if type == .unsignedLong { return try unsignedBounds(r) }
        var lo = Int64.min, hi = Int64.max
        let isFloat = [.double, .float, .halfFloat, .scaledFloat].contains(type)
        let isDate = type == .date || type == .dateNanos
        if let v = r.gte ?? r.gt {
            let exclusive = r.gte == nil
            if !isDate && !isFloat, let d = v.doubleValue, d.isFinite, d != d.rounded() {
                lo = Int64(d.rounded(.up))   // gt 1.5 and gte 1.5 both start at 2
            } else {
                lo = try numeric(v, type: type, field: r.field, mapping: mapping, now: now, roundUp: exclusive, format: r.format, timeZone: r.timeZone)
                if exclusive { if lo == Int64.max { return nil }; lo += 1 }
            }
        }
        if let v = r.lte ?? r.lt {
            let exclusive = r.lte == nil
            if !isDate && !isFloat, let d = v.doubleValue, d.isFinite, d != d.rounded() {
                hi = Int64(d.rounded(.down))
            } else {
                hi = try numeric(v, type: type, field: r.field, mapping: mapping, now: now, roundUp: !exclusive, format: r.format, timeZone: r.timeZone)
                if exclusive { if hi == Int64.min { return nil }; hi -= 1 }
            }
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// Range bounds of an `unsigned_long` field, stored (biased); bounds outside 0…2^64−1 clamp.
    static func unsignedBounds(_ r: RangeQuery) throws(OpenSearchError) -> (Int64, Int64)? {
        var lo = Int64.min, hi = Int64.max
        if let v = r.gte ?? r.gt {
            let exclusive = r.gte == nil
            if let d = v.doubleValue, d < 0 { lo = Int64.min }
            else {
                guard let raw = UnsignedLong.stored(request: v, roundUp: true) else {
                    if v.doubleValue != nil { return nil }   // above 2^64−1
                    throw failure(r.field, v, .unsignedLong)
                }
                lo = raw
                if exclusive, v.uint64Value != nil { if lo == Int64.max { return nil }; lo += 1 }
            }
        }
        if let v = r.lte ?? r.lt {
            let exclusive = r.lte == nil
            if let d = v.doubleValue, d < 0 { return nil }
            guard let raw = UnsignedLong.stored(request: v, roundUp: false) else { throw failure(r.field, v, .unsignedLong) }
            hi = raw
            if exclusive, v.uint64Value != nil { if hi == Int64.min { return nil }; hi -= 1 }
        }
        return lo <= hi ? (lo, hi) : nil
    }
}

/// Checks a phrase against the analyzed values of a field in a stored `_source`.
enum PhraseMatcher {
    static func values(_ v: JSONValue, _ path: ArraySlice<Substring>, into out: inout [String]) {
        if case .array(let a) = v { for e in a { values(e, path, into: &out) }; return }
        guard let first = path.first else {
            if let s = QueryValues.text(v) { out.append(s) }
            return
        }
        guard case .object(let o) = v else { return }
        // Exact key first (dotted names in the source), then one level.
        for n in stride(from: path.count, through: 1, by: -1) {
            let key = path.prefix(n).joined(separator: ".")
            if let sub = o[key] { values(sub, path.dropFirst(n), into: &out) }
        }
        _ = first
    }

    static func matches(source: [UInt8], field: String, phrase: [String], slop: Int) -> Bool {
        guard let doc = try? JSONParser.parse(source) else { return false }
        var texts: [String] = []
        let path = field.split(separator: ".")
        values(doc, path[...], into: &texts)
        // A multi-field (`title.english`) reads its parent's value.
        if texts.isEmpty, path.count > 1 { values(doc, path.dropLast(), into: &texts) }
        for t in texts {
            let tokens = QueryAnalyzer.tokens(t)
            guard tokens.count >= phrase.count else { continue }
            if slop == 0 {
                for start in 0...(tokens.count - phrase.count) where Array(tokens[start..<(start + phrase.count)]) == phrase { return true }
            } else {
                // In order, each next term within `slop` extra positions of the previous one.
                for start in tokens.indices where tokens[start] == phrase[0] {
                    var pos = start, ok = true, budget = slop
                    for term in phrase.dropFirst() {
                        guard let next = tokens[(pos + 1)...].prefix(budget + 1).firstIndex(of: term) else { ok = false; break }
                        budget -= next - pos - 1
                        pos = next
                    }
                    if ok { return true }
                }
            }
        }
        return false
    }
}
