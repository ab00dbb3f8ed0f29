import Index
import JSON
import Query

/// What kind of values a field holds in this index, resolved from the mapping.
enum FieldKind: Equatable {
    case keyword          // keyword, ip, constant_keyword, wildcard
    case text             // text with fielddata=true (uninverted)
    case numeric(FieldType)
    case unmapped(FieldType?)
}

/// A value source resolved against one segment: the columns to read, how to show values and
/// the `missing` value converted to the stored representation.
final class FieldSource {
    let field: String
    let decodedCache: DecodedBatchCache
    let kind: FieldKind
    let numeric: NumericColumn?
    let keyword: KeywordField?
    let uninverted: UninvertedText?
    let isDouble: Bool
    /// `unsigned_long`: the column holds values biased by 2^63 (see `UnsignedLong`).
    let isUnsigned: Bool
    let isDate: Bool
    let isBoolean: Bool
    /// Parses dates given in the request (missing, bounds, include, after keys).
    let dateFormat: DateFormat
    /// Shows values (`key_as_string`, `value_as_string`).
    let format: ValueFormat
    /// `missing`, stored representation (numeric), or bytes (keyword).
    let missingRaw: Int64?
    let missingBytes: [UInt8]?
    /// The values `loadNumeric` / `loadOrds` loaded (see `raw(_:)`, `ord(_:)`).
    private let scratch = Box<[Int64]>([0])
    private let ordScratch = Box<[Int32]>([0])

    var ords: OrdinalColumn? {
        if let k = keyword { return .keyword(k) }
        if let t = uninverted { return .text(t) }
        return nil
    }

    var isNumeric: Bool { if case .numeric = kind { return true }; if case .unmapped(let t) = kind { return t != .keyword && t != .ip }; return false }
    var isKeywordLike: Bool { kind == .keyword || kind == .text || kind == .unmapped(.keyword) || kind == .unmapped(.ip) }

    /// Resolves `vs` for aggregation `agg` of type `type`. `numericOnly` aggregations (avg, sum,
    /// histograms, …) reject keyword fields like OpenSearch.
    init(_ vs: ValueSource, _ c: CollectContext, agg: String, type: String, numericOnly: Bool,
         zone: DateZone = .utc, dateFormatOverride: String? = nil) throws(OpenSearchError) {
        let f = vs.field ?? ""
        field = f
        decodedCache = c.decoded
        let mapping = c.ctx.mapping
        let seg = c.segment
        var kind: FieldKind
        if let m = mapping.field(f) {
            switch m.type {
            case .keyword, .ip, .constantKeyword, .wildcard: kind = .keyword
            case .text, .matchOnlyText:
                guard m.params["fielddata"]?.dynamicText == "true" else { throw AggregationErrors.textField(f) }
                kind = .text
            case .long, .integer, .short, .byte, .unsignedLong, .double, .float, .halfFloat, .scaledFloat, .date, .dateNanos, .boolean:
                kind = .numeric(m.type)
            case .object, .nested, .binary, .flatObject, .geoPoint:
                throw OpenSearchError.illegalArgument("Fielddata is not supported on field [\(f)] of type [\(m.type.rawValue)]")
            }
        } else {
            kind = .unmapped(FieldSource.unmappedType(vs))
        }
        let typeName: String
        switch kind {
        case .numeric(let t): typeName = t.rawValue
        case .keyword: typeName = mapping.field(f)?.type.rawValue ?? "keyword"
        case .text: typeName = "text"
        case .unmapped(let t): typeName = t?.rawValue ?? "keyword"
        }
        if numericOnly {
            switch kind {
            case .keyword, .text: throw AggregationErrors.unsupportedField(f, typeName, type)
            case .unmapped(let t) where t == .keyword || t == .ip: kind = .unmapped(.double)
            default: break
            }
        }
        self.kind = kind
        var fieldType: FieldType? = nil
        switch kind {
        case .numeric(let t): fieldType = t
        case .unmapped(let t): fieldType = t
        default: break
        }
        isDate = fieldType == .date || fieldType == .dateNanos
        isBoolean = fieldType == .boolean
        let col: NumericColumn? = { if case .numeric = kind { return seg.numeric(f) }; return nil }()
        numeric = col
        isDouble = col?.isDouble ?? [.double, .float, .halfFloat, .scaledFloat].contains(fieldType)
        isUnsigned = fieldType == .unsignedLong
        keyword = kind == .keyword ? seg.keyword(f) : nil
        uninverted = kind == .text ? seg.text(f).map { UninvertedText($0, docCount: seg.docCount) } : nil
        let fieldFormat = mapping.field(f)?.dateFormat ?? DateFormat.defaultDate
        if isDate {
            let pattern = dateFormatOverride ?? vs.format
            // The agg's format parses request dates when it can; display-only patterns (`e`, `EEE`)
            // fall back to the field's format.
            dateFormat = pattern.flatMap { try? DateFormat($0) } ?? fieldFormat
            format = .date(DateRenderer(pattern: pattern ?? fieldFormat.pattern, zone: zone))
        } else {
            dateFormat = fieldFormat
            if isBoolean { format = .boolean }
            else if let p = vs.format, let d = NumberText.DecimalPattern(p) { format = .decimal(d) }
            else { format = .raw }
        }
        // `missing`, converted like an indexed value.
        if let m = vs.missing {
            var numericKind = false
            switch kind {
            case .numeric: numericKind = true
            case .unmapped(let t): numericKind = t != .keyword && t != .ip && t != nil
            default: break
            }
            if numericKind || isDate || isBoolean {
                missingRaw = try FieldSource.stored(m, isDate: isDate, isBoolean: isBoolean, isDouble: isDouble, format: dateFormat,
                                                    zone: zone, now: c.ctx.now, field: f, isUnsigned: isUnsigned)
                missingBytes = nil
            } else {
                missingRaw = nil
                missingBytes = Array((QueryValues.text(m) ?? "").utf8)
            }
        } else {
            missingRaw = nil
            missingBytes = nil
        }
    }

    static func unmappedType(_ vs: ValueSource) -> FieldType? {
        switch vs.valueType {
        case "string"?, "keyword"?, "bytes"?: return .keyword
        case "ip"?: return .ip
        case "long"?, "integer"?, "short"?, "byte"?, "number"?, "numeric"?, "unsigned_long"?: return .long
        case "double"?, "float"?: return .double
        case "date"?: return .date
        case "boolean"?: return .boolean
        default:
            switch vs.missing {
            case .int?: return .long
            case .double?: return .double
            case .bool?: return .boolean
            case .string?: return .keyword
            default: return nil
            }
        }
    }

    /// A request value (missing, bounds, include, after) in a numeric field's stored form.
    static func stored(_ v: JSONValue, isDate: Bool, isBoolean: Bool, isDouble: Bool, format: DateFormat, zone: DateZone,
                       now: Int64, field: String, roundUp: Bool = false, isUnsigned: Bool = false) throws(OpenSearchError) -> Int64 {
        if isUnsigned {
            if let raw = UnsignedLong.stored(request: v, roundUp: roundUp) { return raw }
        } else if isDate {
            if v.stringValue == nil, let d = v.doubleValue {
                if let millis = format.parse(number: d) { return millis }
                guard d.isFinite else { throw OpenSearchError("parse_exception", "failed to parse date field [\(d)] with format [\(format.pattern)]", status: 400) }
                return Int64(exactly: d.rounded(.towardZero)) ?? (d < 0 ? .min : .max)
            }
            if let s = QueryValues.text(v) {
                do { return try DateMath.resolve(s, now: now, format: format, timeZone: zone, roundUp: roundUp) } catch {
                    throw OpenSearchError("parse_exception", "failed to parse date field [\(s)] with format [\(format.pattern)]: [\(error.reason)]", status: 400)
                }
            }
        } else if isBoolean {
            if v.boolValue == true || v.stringValue == "true" || v.int64Value == 1 { return 1 }
            if v.boolValue == false || v.stringValue == "false" || v.int64Value == 0 { return 0 }
            throw OpenSearchError.illegalArgument("Can't parse boolean value [\(QueryValues.text(v) ?? "")], expected [true] or [false]")
        } else if isDouble {
            if let d = v.doubleValue { return NumericColumn.sortableLong(d) }
        } else {
            if let i = v.int64Value { return i }
            if let d = v.doubleValue { return Int64(exactly: d.rounded(.down)) ?? (d < 0 ? .min : .max) }
        }
        throw OpenSearchError("number_format_exception", "For input string: \"\(QueryValues.text(v) ?? v.tokenName)\"", status: 400)
    }

    /// The double value of a stored numeric.
    @inline(__always) func double(_ raw: Int64) -> Double {
        isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw)
    }

    /// A stored value as a bucket key: exact for integers, unsigned included.
    @inline(__always) func key(_ raw: Int64) -> BucketKey {
        isDouble ? .double(NumericColumn.double(fromSortable: raw)) : isUnsigned ? .unsigned(UnsignedLong.value(raw)) : .long(raw)
    }

    /// A per-batch reader of the numeric values: the column is copied once per batch, not once
    /// per document (copies retain the mapping).
    @inline(__always)
    func numericReader() -> NumericReader {
        NumericReader(col: numeric, missing: missingRaw, isDouble: isDouble, isUnsigned: isUnsigned, out: scratch.p)
    }

    /// A per-batch reader of the ordinals.
    @inline(__always)
    func ordReader() -> OrdReader {
        OrdReader(keyword: keyword, text: uninverted, missingOrd: missingBytes != nil ? Int32(termCount) : nil, out: ordScratch.p)
    }

    /// Decodes the values of `docs` as doubles into `out` (room for `docs.count`) when the
    /// column is single-valued and has no `missing` substitute; nil otherwise (callers then use
    /// `forEachValue`). Order follows `docs`; documents without a value are skipped.
    /// `decodeDoubles`, shared with sibling aggregations of the same field in a driver batch: the
    /// values are either `out`'s or another collector's decoding of this very batch.
    func sharedDoubles(_ docs: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Double>) -> UnsafeBufferPointer<Double>? {
        // Only plain single-valued columns decode (and share): a `missing` substitute changes values.
        guard let col = numeric, !col.isMultiValued, missingRaw == nil else { return nil }
        let cache = decodedCache
        let driverBatch = docs.baseAddress != nil && docs.baseAddress == cache.driverBuffer
        if driverBatch, let e = cache.entries[field], e.generation == cache.generation, e.docCount == docs.count {
            return UnsafeBufferPointer(start: e.values, count: e.count)
        }
        guard let n = decodeDoubles(docs, into: out) else { return nil }
        if driverBatch { cache.entries[field] = (cache.generation, docs.count, n, UnsafePointer(out)) }
        return UnsafeBufferPointer(start: UnsafePointer(out), count: n)
    }

    @inline(__always)
    func decodeDoubles(_ docs: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Double>) -> Int? {
        guard let col = numeric, !col.isMultiValued, missingRaw == nil else { return nil }
        return col.decodeDoubles(docs, isDouble ? .sortableDouble : isUnsigned ? .unsigned : .long, into: out)
    }

    /// Calls `body(i, value)` for every value of every document `docs[i]` (values ascending per
    /// document, `missing` applied). The column is bound once per batch and `body` is inlined at
    /// the call site, so this compiles to a plain loop.
    @inline(__always)
    func forEachValue(_ docs: UnsafeBufferPointer<Int32>, _ body: (Int, Int64) -> Void) {
        if let col = numeric {
            if !col.isMultiValued {
                if let m = missingRaw {
                    for i in 0..<docs.count { let d = docs[i]; body(i, col.hasValue(d) ? col.value(d) : m) }
                } else {
                    for i in 0..<docs.count { let d = docs[i]; if col.hasValue(d) { body(i, col.value(d)) } }
                }
            } else {
                let out = scratch.p
                for i in 0..<docs.count {
                    col.values(docs[i], into: &out.pointee)
                    let n = out.pointee.count
                    if n == 0 {
                        if let m = missingRaw { body(i, m) }
                        continue
                    }
                    for k in 0..<n { body(i, out.pointee[k]) }
                }
                if out.pointee.isEmpty { out.pointee.append(0) }
            }
        } else if let m = missingRaw {
            for i in 0..<docs.count { body(i, m) }
        }
    }

    /// Calls `body(i, ordinal)` for every ordinal of every document `docs[i]` (distinct and
    /// ascending per document; the missing value is ordinal `termCount`).
    @inline(__always)
    func forEachOrd(_ docs: UnsafeBufferPointer<Int32>, _ body: (Int, Int32) -> Void) {
        let missing: Int32? = missingBytes != nil ? Int32(termCount) : nil
        if let k = keyword {
            if !k.isMultiValued {
                if let m = missing {
                    for i in 0..<docs.count { let o = k.firstOrd(docs[i]); body(i, o >= 0 ? o : m) }
                } else {
                    for i in 0..<docs.count { let o = k.firstOrd(docs[i]); if o >= 0 { body(i, o) } }
                }
                return
            }
            forEachOrd(docs, missing, load: { k.docOrds($0, into: &$1) }, body)
        } else if let t = uninverted {
            forEachOrd(docs, missing, load: { t.docOrds($0, into: &$1) }, body)
        } else if let m = missing {
            for i in 0..<docs.count { body(i, m) }
        }
    }

    /// Multi-valued ordinals, whichever column `load` reads them from (keyword or uninverted text).
    @inline(__always)
    private func forEachOrd(_ docs: UnsafeBufferPointer<Int32>, _ missing: Int32?, load: (Int32, inout [Int32]) -> Void,
                            _ body: (Int, Int32) -> Void) {
        let out = ordScratch.p
        for i in 0..<docs.count {
            load(docs[i], &out.pointee)
            let n = out.pointee.count
            if n == 0 {
                if let m = missing { body(i, m) }
                continue
            }
            for j in 0..<n { body(i, out.pointee[j]) }
        }
        if out.pointee.isEmpty { out.pointee.append(0) }
    }

    /// Loaded value `k` (after `loadNumeric`).
    @inline(__always) func raw(_ k: Int) -> Int64 { scratch.p.pointee[k] }

    /// Loaded ordinal `k` (after `loadOrds`).
    @inline(__always) func ord(_ k: Int) -> Int32 { ordScratch.p.pointee[k] }

    /// Loads the doc's numeric values (missing applied); returns how many (read them with `raw`).
    func loadNumeric(_ doc: Int32) -> Int { numericReader().load(doc) }

    /// Loads the doc's ordinals (read them with `ord`); the missing value is ordinal `termCount`.
    func loadOrds(_ doc: Int32) -> Int { ordReader().load(doc) }

    /// Whether the doc has a value of its own (`missing` not applied).
    @inline(__always)
    func hasValue(_ doc: Int32) -> Bool {
        if let col = numeric { return col.hasValue(doc) }
        if let k = keyword { return k.firstOrd(doc) >= 0 }
        if let t = uninverted { return t.firstOrd(doc) >= 0 }
        return false
    }

    /// Bytes of ordinal `ord` (the missing value for `termCount`).
    func termBytes(_ ord: Int32) -> [UInt8] {
        if let k = keyword, Int(ord) < k.termCount { return Array(k.term(Int(ord)).utf8) }
        if let t = uninverted, Int(ord) < t.termCount { return Array(t.field.term(Int(ord)).utf8) }
        return missingBytes ?? []
    }

    /// The murmur3 hash of ordinal `ord`'s bytes (cardinality), without copying them.
    func termHash(_ ord: Int32) -> UInt64 {
        if let k = keyword, Int(ord) < k.termCount { return Hashing.murmur3_64(k.term(Int(ord))) }
        if let t = uninverted, Int(ord) < t.termCount { return Hashing.murmur3_64(t.field.term(Int(ord))) }
        return Hashing.murmur3_64(missingBytes ?? [])
    }

    var termCount: Int { keyword?.termCount ?? uninverted?.termCount ?? 0 }
    /// Ordinal space including the virtual missing ordinal.
    var ordinalSpace: Int { termCount + (missingBytes != nil ? 1 : 0) }
}

/// The numeric values of one document at a time (see `FieldSource.numericReader`).
struct NumericReader {
    let col: NumericColumn?
    let missing: Int64?
    let isDouble: Bool
    let isUnsigned: Bool
    let out: UnsafeMutablePointer<[Int64]>

    /// Loads the doc's values (missing applied); returns how many (read them with `raw`).
    @inline(__always)
    func load(_ doc: Int32) -> Int {
        if let col {
            if !col.isMultiValued {
                if col.hasValue(doc) {
                    out.pointee[0] = col.value(doc)
                    return 1
                }
            } else {
                col.values(doc, into: &out.pointee)
                let n = out.pointee.count
                if n == 0 { out.pointee.append(0) } else { return n }
            }
        }
        if let m = missing {
            out.pointee[0] = m
            return 1
        }
        return 0
    }

    @inline(__always) func raw(_ k: Int) -> Int64 { out.pointee[k] }

    @inline(__always) func double(_ raw: Int64) -> Double {
        isDouble ? NumericColumn.double(fromSortable: raw) : isUnsigned ? UnsignedLong.double(raw) : Double(raw)
    }
}

/// The ordinals of one document at a time (see `FieldSource.ordReader`).
struct OrdReader {
    let keyword: KeywordField?
    let text: UninvertedText?
    let missingOrd: Int32?
    let out: UnsafeMutablePointer<[Int32]>

    /// Loads the doc's ordinals (missing applied); returns how many (read them with `ord`).
    @inline(__always)
    func load(_ doc: Int32) -> Int {
        if let k = keyword {
            if !k.isMultiValued {
                let o = k.firstOrd(doc)
                if o >= 0 {
                    out.pointee[0] = o
                    return 1
                }
            } else {
                k.docOrds(doc, into: &out.pointee)
                let n = out.pointee.count
                if n == 0 { out.pointee.append(0) } else { return n }
            }
        } else if let t = text {
            t.docOrds(doc, into: &out.pointee)
            let n = out.pointee.count
            if n == 0 { out.pointee.append(0) } else { return n }
        }
        if let m = missingOrd {
            out.pointee[0] = m
            return 1
        }
        return 0
    }

    @inline(__always) func ord(_ k: Int) -> Int32 { out.pointee[k] }
}
