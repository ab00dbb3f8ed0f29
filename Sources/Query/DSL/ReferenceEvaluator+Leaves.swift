import Index
import JSON

/// A number as a query or a document holds it: integral values compare exactly.
enum ReferenceNumber: Comparable {
    case int(Int64)
    case real(Double)

    static func < (a: ReferenceNumber, b: ReferenceNumber) -> Bool { compare(a, b) < 0 }
    static func == (a: ReferenceNumber, b: ReferenceNumber) -> Bool { compare(a, b) == 0 }

    static func compare(_ a: ReferenceNumber, _ b: ReferenceNumber) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .real(let y)): return -compare(.real(y), .int(x))
        case (.real(let x), .int(let y)):
            if let yy = Int64(exactly: x.rounded(.towardZero)), Double(yy) == x { return compare(.int(yy), .int(y)) }
            let d = Double(y)
            return x < d ? -1 : (x == d ? 0 : 1)
        case (.real(let x), .real(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        }
    }
}

/// Strings ordered by their UTF-8 bytes, as Lucene orders terms.
struct ReferenceBytes: Comparable {
    let bytes: [UInt8]
    init(_ s: String) { bytes = Array(s.utf8) }
    static func < (a: ReferenceBytes, b: ReferenceBytes) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

extension ReferenceEvaluation {
    static func numberFormat(_ text: String) -> OpenSearchError {
        OpenSearchError("query_shard_exception", "failed to create query: For input string: \"\(text)\"", status: 400,
                        causedBy: OpenSearchError("number_format_exception", "For input string: \"\(text)\"", status: 400))
    }

    func number(_ v: JSONValue, float: Bool) throws(OpenSearchError) -> ReferenceNumber {
        let n: ReferenceNumber
        switch v {
        case .int(let i): n = .int(i)
        case .double(let d) where d.isFinite: n = .real(d)
        case .string(let s):
            let t = s.dslTrimmed(" ")
            if let i = Int64(t) { n = .int(i) }
            else if let d = Double(t), d.isFinite { n = .real(d) }
            else { throw ReferenceEvaluation.numberFormat(s) }
        default: throw ReferenceEvaluation.numberFormat(ReferenceEvaluation.text(v))
        }
        guard float else { return n }
        switch n {
        case .int(let i): return .real(Double(Float(i)))
        case .real(let d): return .real(Double(Float(d)))
        }
    }

    func numbers(_ field: String) -> [ReferenceNumber] {
        doc.values(field).compactMap { v -> ReferenceNumber? in
            switch v {
            case .long(let l): return .int(l)
            case .double(let d): return .real(d)
            default: return nil
            }
        }
    }

    func boolean(_ v: JSONValue) throws(OpenSearchError) -> Bool {
        switch v {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"), .string(""): return false
        default: throw OpenSearchError.illegalArgument("Can't parse boolean value [\(ReferenceEvaluation.text(v))], expected [true] or [false]")
        }
    }

    func ip(_ v: JSONValue) throws(OpenSearchError) -> IPAddressValue {
        let s = ReferenceEvaluation.text(v)
        guard let a = IPAddressValue(s) else { throw OpenSearchError.illegalArgument("'\(s)' is not an IP string literal.") }
        return a
    }

    /// A date bound through date math, with the query's `format` or else the field's.
    func date(_ v: JSONValue, field: String, format: String?, zone: DateZone?, roundUp: Bool) throws(OpenSearchError) -> Int64 {
        let f: DateFormat
        if let format { f = try DateFormat(format) } else { f = mapping.field(field)?.dateFormat ?? DateFormat.defaultDate }
        return try DateMath.resolve(ReferenceEvaluation.text(v), now: now, format: f, timeZone: zone, roundUp: roundUp)
    }

    func dates(_ field: String) -> [Int64] {
        doc.values(field).compactMap { if case .date(let ms) = $0 { return ms }; return nil }
    }

    // MARK: term-level

    func term(_ t: TermQuery) throws(OpenSearchError) -> Double? {
        if t.field == "_id" { return ReferenceEvaluation.text(t.value) == id ? t.boost : nil }
        let field = t.field
        switch kind(field) {
        case .missing, .other: return nil
        case .text:
            let term = ReferenceEvaluation.text(t.value)
            let tokens = tokenLists(field).flatMap { $0 }
            let want = t.caseInsensitive ? term.lowercased() : term
            let tf = tokens.filter { (t.caseInsensitive ? $0.lowercased() : $0) == want }.count
            guard tf > 0 else { return nil }
            if t.caseInsensitive { return t.boost }
            return t.boost * stats.bm25(field: field, idfTerms: [term], freq: Double(tf), length: length(field, tokens: tokens.count))
        case .keyword:
            let term = ReferenceEvaluation.text(t.value)
            let hit = strings(field).contains { t.caseInsensitive ? $0.lowercased() == term.lowercased() : $0 == term }
            guard hit else { return nil }
            return t.caseInsensitive ? t.boost : t.boost * stats.bm25(field: field, idfTerms: [term], freq: 1, length: 1)
        case .long, .double, .float:
            let isFloat: Bool
            if case .float = kind(field) { isFloat = true } else { isFloat = false }
            let n = try number(t.value, float: isFloat)
            return numbers(field).contains(n) ? t.boost : nil
        case .date:
            let lo = try date(t.value, field: field, format: nil, zone: nil, roundUp: false)
            let hi = try date(t.value, field: field, format: nil, zone: nil, roundUp: true)
            return dates(field).contains { $0 >= lo && $0 <= hi } ? t.boost : nil
        case .bool:
            let b = try boolean(t.value)
            guard doc.values(field).contains(.bool(b)) else { return nil }
            return t.boost * stats.bm25(field: field, idfTerms: [b ? "true" : "false"], freq: 1, length: 1)
        case .ip:
            let text = ReferenceEvaluation.text(t.value)
            let addresses = strings(field).compactMap(IPAddressValue.init)
            if text.contains("/") {
                guard let (net, bits) = IPAddressValue.cidr(text) else {
                    throw OpenSearchError.illegalArgument("Expected [ip/prefix] but was [\(text)]")
                }
                return addresses.contains { $0.hasPrefix(net, bits: bits) } ? t.boost : nil
            }
            let a = try ip(t.value)
            return addresses.contains(a) ? t.boost : nil
        }
    }

    func terms(_ t: TermsQuery) throws(OpenSearchError) -> Double? {
        var hit = false
        for v in t.values {
            if try term(TermQuery(field: t.field, value: v)) != nil { hit = true }
        }
        return hit ? t.boost : nil
    }

    func range(_ r: RangeQuery) throws(OpenSearchError) -> Double? {
        let field = r.field
        func within<T: Comparable>(_ values: [T], _ convert: (JSONValue, Bool) throws(OpenSearchError) -> T) throws(OpenSearchError) -> Bool {
            let gt = try r.gt.map { v throws(OpenSearchError) in try convert(v, true) }
            let gte = try r.gte.map { v throws(OpenSearchError) in try convert(v, false) }
            let lt = try r.lt.map { v throws(OpenSearchError) in try convert(v, false) }
            let lte = try r.lte.map { v throws(OpenSearchError) in try convert(v, true) }
            return values.contains { x in
                if let gt, !(x > gt) { return false }
                if let gte, !(x >= gte) { return false }
                if let lt, !(x < lt) { return false }
                if let lte, !(x <= lte) { return false }
                return true
            }
        }
        let hit: Bool
        switch kind(field) {
        case .missing, .other: return nil
        case .text:
            hit = try within(tokenLists(field).flatMap { $0 }.map(ReferenceBytes.init)) { v, _ in ReferenceBytes(ReferenceEvaluation.text(v)) }
        case .keyword:
            hit = try within(strings(field).map(ReferenceBytes.init)) { v, _ in ReferenceBytes(ReferenceEvaluation.text(v)) }
        case .long, .double:
            hit = try within(numbers(field)) { v, _ throws(OpenSearchError) in try number(v, float: false) }
        case .float:
            hit = try within(numbers(field)) { v, _ throws(OpenSearchError) in try number(v, float: true) }
        case .date:
            hit = try within(dates(field)) { v, roundUp throws(OpenSearchError) in
                try date(v, field: field, format: r.format, zone: r.timeZone, roundUp: roundUp)
            }
        case .bool:
            let values = doc.values(field).compactMap { v -> Int? in if case .bool(let b) = v { return b ? 1 : 0 }; return nil }
            hit = try within(values) { v, _ throws(OpenSearchError) in try boolean(v) ? 1 : 0 }
        case .ip:
            hit = try within(strings(field).compactMap(IPAddressValue.init)) { v, _ throws(OpenSearchError) in try ip(v) }
        }
        return hit ? r.boost : nil
    }

    func onlyStrings(_ query: String, _ field: String) -> OpenSearchError {
        OpenSearchError("query_shard_exception",
                        "Can only use \(query) queries on keyword, text and wildcard fields - not on [\(field)] which is of type [\(typeName(field))]",
                        status: 400)
    }

    /// The terms a pattern query tests: `_id`, keyword values or text tokens; nil if the field
    /// is absent; throws for other field types.
    func patternTerms(_ field: String, _ query: String) throws(OpenSearchError) -> (terms: [String], text: Bool)? {
        if field == "_id" { return ([id], false) }
        switch kind(field) {
        case .missing: return nil
        case .text: return (tokenLists(field).flatMap { $0 }, true)
        case .keyword: return (strings(field), false)
        default: throw onlyStrings(query, field)
        }
    }

    func prefix(_ p: PrefixQuery) throws(OpenSearchError) -> Double? {
        guard let (terms, _) = try patternTerms(p.field, "prefix") else { return nil }
        let want = p.caseInsensitive ? p.value.lowercased() : p.value
        let hit = terms.contains { (p.caseInsensitive ? $0.lowercased() : $0).dslHasScalarPrefix(want) }
        return hit ? p.boost : nil
    }

    func wildcard(_ w: WildcardQuery) throws(OpenSearchError) -> Double? {
        guard let (terms, isText) = try patternTerms(w.field, "wildcard") else { return nil }
        // Text fields normalize the pattern with the search analyzer (lowercase).
        let pattern = isText || w.caseInsensitive ? w.pattern.lowercased() : w.pattern
        let hit = terms.contains { pattern.matches(w.caseInsensitive ? $0.lowercased() : $0) }
        return hit ? w.boost : nil
    }

    func regexp(_ r: RegexpQuery) throws(OpenSearchError) -> Double? {
        guard let (terms, _) = try patternTerms(r.field, "regexp") else { return nil }
        return terms.contains { r.pattern.matches($0, caseInsensitive: r.caseInsensitive) } ? r.boost : nil
    }
}
