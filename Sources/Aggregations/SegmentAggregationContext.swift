import Index
import JSON
import Query

/// Everything an aggregation needs to read one segment: the segment, which of its documents are
/// live (for `global`), the index mapping (field types, formats), statistics and `now` (for the
/// queries of `filter`/`filters`), and the index name (`top_hits`' `_index`, and grouping partials
/// by index at reduce).
public struct SegmentAggregationContext: Sendable {
    public let segment: Segment
    public let liveDocs: LiveDocs?
    public let mapping: Mapping
    public let stats: IndexStatistics
    public let now: Int64
    public let indexName: String

    public init(segment: Segment, liveDocs: LiveDocs?, mapping: Mapping, stats: IndexStatistics, now: Int64, indexName: String) {
        self.segment = segment
        self.liveDocs = liveDocs
        self.mapping = mapping
        self.stats = stats
        self.now = now
        self.indexName = indexName
    }

    /// Runs a filter query over the whole segment (live documents only).
    func docs(matching q: Query) throws(OpenSearchError) -> DocSet {
        try SegmentSearcher(segment: segment, liveDocs: liveDocs, mapping: mapping, stats: stats, now: now).search(q, scoring: false).docs
    }

    /// All live documents of the segment.
    var liveSet: DocSet {
        var all = DocSet(capacity: segment.docCount, full: true)
        if let l = liveDocs { all.intersect(liveWords: l.words) }
        return all
    }
}

/// Per-segment collection state shared by a tree's collectors.
final class CollectContext {
    let ctx: SegmentAggregationContext
    let scores: [Float]?
    var segment: Segment { ctx.segment }

    init(_ ctx: SegmentAggregationContext, scores: [Float]?) {
        self.ctx = ctx
        self.scores = scores
    }
}

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
    let kind: FieldKind
    let numeric: NumericColumn?
    let ords: OrdinalColumn?
    let isDouble: Bool
    let isDate: Bool
    let isBoolean: Bool
    /// Parses dates given in the request (missing, bounds, include, after keys).
    let dateFormat: DateFormat
    /// Shows values (`key_as_string`, `value_as_string`).
    let format: ValueFormat
    /// `missing`, stored representation (numeric), or bytes (keyword).
    let missingRaw: Int64?
    let missingBytes: [UInt8]?
    var scratch: [Int64] = []
    var ordScratch: [Int32] = []

    var isNumeric: Bool { if case .numeric = kind { return true }; if case .unmapped(let t) = kind { return t != .keyword && t != .ip }; return false }
    var isKeywordLike: Bool { kind == .keyword || kind == .text || kind == .unmapped(.keyword) || kind == .unmapped(.ip) }

    /// Resolves `vs` for aggregation `agg` of type `type`. `numericOnly` aggregations (avg, sum,
    /// histograms, …) reject keyword fields like OpenSearch.
    init(_ vs: ValueSource, _ c: CollectContext, agg: String, type: String, numericOnly: Bool,
         zone: DateZone = .utc, dateFormatOverride: String? = nil) throws(OpenSearchError) {
        let f = vs.field ?? ""
        field = f
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
        switch kind {
        case .keyword: ords = seg.keyword(f).map { OrdinalColumn.keyword($0) }
        case .text: ords = seg.text(f).map { OrdinalColumn.text(UninvertedText($0, docCount: seg.docCount)) }
        default: ords = nil
        }
        let fieldFormat = mapping.field(f)?.dateFormat ?? DateFormat.defaultDate
        if isDate {
            let pattern = dateFormatOverride ?? vs.format
            dateFormat = try pattern.map { p throws(OpenSearchError) in try DateFormat(p) } ?? fieldFormat
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
                                                    zone: zone, now: c.ctx.now, field: f)
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
                       now: Int64, field: String, roundUp: Bool = false) throws(OpenSearchError) -> Int64 {
        if isDate {
            if v.stringValue == nil, let d = v.doubleValue {
                return format.parse(number: d) ?? Int64(d.rounded(.towardZero))
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
        isDouble ? NumericColumn.double(fromSortable: raw) : Double(raw)
    }

    /// Loads the doc's numeric values (missing applied) into `scratch`; returns how many.
    @inline(__always)
    func loadNumeric(_ doc: Int32) -> Int {
        if let col = numeric {
            if !col.isMultiValued {
                if col.hasValue(doc) {
                    if scratch.isEmpty { scratch.append(0) }
                    scratch[0] = col.value(doc)
                    return 1
                }
            } else {
                col.values(doc, into: &scratch)
                if !scratch.isEmpty { return scratch.count }
            }
        }
        if let m = missingRaw {
            if scratch.isEmpty { scratch.append(0) }
            scratch[0] = m
            return 1
        }
        return 0
    }

    /// Loads the doc's ordinals into `ordScratch`; the missing value is ordinal `termCount`.
    @inline(__always)
    func loadOrds(_ doc: Int32) -> Int {
        if let o = ords {
            if !o.isMultiValued {
                let ord = o.firstOrd(doc)
                if ord >= 0 {
                    if ordScratch.isEmpty { ordScratch.append(0) }
                    ordScratch[0] = ord
                    return 1
                }
            } else {
                o.docOrds(doc, into: &ordScratch)
                if !ordScratch.isEmpty { return ordScratch.count }
            }
        }
        if missingBytes != nil {
            if ordScratch.isEmpty { ordScratch.append(0) }
            ordScratch[0] = Int32(ords?.termCount ?? 0)
            return 1
        }
        return 0
    }

    /// Bytes of ordinal `ord` (the missing value for `termCount`).
    func termBytes(_ ord: Int32) -> [UInt8] {
        if let o = ords, Int(ord) < o.termCount { return Array(o.term(Int(ord)).utf8) }
        return missingBytes ?? []
    }

    var termCount: Int { ords?.termCount ?? 0 }
    /// Ordinal space including the virtual missing ordinal.
    var ordinalSpace: Int { termCount + (missingBytes != nil ? 1 : 0) }
}

/// Ordinals of a keyword field, or of a text field uninverted for `fielddata: true`.
enum OrdinalColumn {
    case keyword(KeywordField)
    case text(UninvertedText)

    var termCount: Int {
        switch self {
        case .keyword(let k): return k.termCount
        case .text(let t): return t.termCount
        }
    }

    var isMultiValued: Bool {
        switch self {
        case .keyword(let k): return k.isMultiValued
        case .text: return true
        }
    }

    @inline(__always) func firstOrd(_ doc: Int32) -> Int32 {
        switch self {
        case .keyword(let k): return k.firstOrd(doc)
        case .text(let t): return t.firstOrd(doc)
        }
    }

    @inline(__always) func docOrds(_ doc: Int32, into out: inout [Int32]) {
        switch self {
        case .keyword(let k): k.docOrds(doc, into: &out)
        case .text(let t): t.docOrds(doc, into: &out)
        }
    }

    func term(_ ord: Int) -> String {
        switch self {
        case .keyword(let k): return k.term(ord)
        case .text(let t): return t.field.term(ord)
        }
    }

    /// The first ordinal whose term is ≥ `bytes` (binary search over the sorted dictionary).
    func lowerBound(_ bytes: [UInt8]) -> Int {
        var lo = 0, hi = termCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if Array(term(mid).utf8).lexicographicallyPrecedes(bytes) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A text field's terms per document, rebuilt from its postings (OpenSearch's fielddata).
final class UninvertedText {
    let field: TextField
    let offsets: [Int32]
    let ords: [Int32]
    var termCount: Int { field.termCount }

    init(_ field: TextField, docCount: Int) {
        self.field = field
        var counts = [Int32](repeating: 0, count: docCount + 1)
        for o in 0..<field.termCount { field.postings(o).forEach { doc, _ in counts[Int(doc) + 1] += 1 } }
        for i in 0..<docCount { counts[i + 1] += counts[i] }
        var fill = counts
        var ords = [Int32](repeating: 0, count: Int(counts[docCount]))
        for o in 0..<field.termCount {
            field.postings(o).forEach { doc, _ in
                ords[Int(fill[Int(doc)])] = Int32(o)
                fill[Int(doc)] += 1
            }
        }
        offsets = counts
        self.ords = ords
    }

    func firstOrd(_ doc: Int32) -> Int32 {
        let a = offsets[Int(doc)], b = offsets[Int(doc) + 1]
        return a < b ? ords[Int(a)] : -1
    }

    func docOrds(_ doc: Int32, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        for i in Int(offsets[Int(doc)])..<Int(offsets[Int(doc) + 1]) { out.append(ords[i]) }
    }
}
