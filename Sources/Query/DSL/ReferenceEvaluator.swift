import Index
import JSON

/// The brute-force meaning of a `Query` for one document: whether it matches and its score, read
/// straight from `ParsedDocument.fields` with the mapping giving each field's type. Slow and simple
/// on purpose — it is the oracle the segment engine's property tests compare against.
///
/// Semantics (OpenSearch 2.x): `term` is exact on keywords, one analyzed token on text, numeric on
/// numbers, a whole-unit range on dates (`2024-01-01` is that day); `match` analyzes with
/// `QueryAnalyzer` on text and is exact on keywords; filters score `boost`; `match`, `term` on text
/// and keyword, and `match_phrase` score BM25 over `statistics`; `bool` sums `must` and matching
/// `should` scores; `dis_max` takes the best plus `tie_breaker` × the rest.
///
/// Errors OpenSearch raises while building the Lucene query (a non-numeric term on a `long` field,
/// a bad date) are thrown by `evaluate`; `matches` and `score` treat them as "no match".
public struct ReferenceEvaluator: Sendable {
    public var statistics: CorpusStatistics

    public init(statistics: CorpusStatistics = .empty) { self.statistics = statistics }

    /// Whether `q` matches the document (an error counts as no match).
    public func matches(_ q: Query, id: String, doc: ParsedDocument, mapping: Mapping, now: Int64) -> Bool {
        ((try? evaluate(q, id: id, doc: doc, mapping: mapping, now: now)) ?? nil) != nil
    }

    /// The document's score (0 when it does not match).
    public func score(_ q: Query, id: String, doc: ParsedDocument, mapping: Mapping, now: Int64) -> Double {
        ((try? evaluate(q, id: id, doc: doc, mapping: mapping, now: now)) ?? nil) ?? 0
    }

    /// The score if `q` matches, nil if not; throws what OpenSearch would fail the search with.
    public func evaluate(_ q: Query, id: String, doc: ParsedDocument, mapping: Mapping, now: Int64) throws(OpenSearchError) -> Double? {
        try ReferenceEvaluation(id: id, doc: doc, mapping: mapping, now: now, stats: statistics).eval(q)
    }
}

/// One document under evaluation.
struct ReferenceEvaluation {
    let id: String
    let doc: ParsedDocument
    let mapping: Mapping
    let now: Int64
    let stats: CorpusStatistics

    func eval(_ q: Query) throws(OpenSearchError) -> Double? {
        switch q {
        case .matchAll(let m): return m.boost
        case .matchNone: return nil
        case .term(let t): return try term(t)
        case .terms(let t): return try terms(t)
        case .range(let r): return try range(r)
        case .exists(let e): return exists(e) ? e.boost : nil
        case .ids(let i): return i.values.contains(id) ? i.boost : nil
        case .prefix(let p): return try prefix(p)
        case .wildcard(let w): return try wildcard(w)
        case .regexp(let r): return try regexp(r)
        case .match(let m): return try match(m)
        case .matchPhrase(let m): return try matchPhrase(m)
        case .multiMatch(let m): return try eval(m.expand(mapping: mapping))
        case .queryString(let s): return try eval(try s.expand(mapping: mapping))
        case .simpleQueryString(let s): return try eval(try s.expand(mapping: mapping))
        case .bool(let b): return try bool(b)
        case .constantScore(let c): return try eval(c.filter) != nil ? c.boost : nil
        case .disMax(let d):
            var scores: [Double] = []
            for sub in d.queries { if let s = try eval(sub) { scores.append(s) } }
            guard let best = scores.max() else { return nil }
            return (best + d.tieBreaker * (scores.reduce(0, +) - best)) * d.boost
        }
    }

    /// Every clause is evaluated (no short-circuit), so errors surface as OpenSearch raises them
    /// while building the whole query.
    func bool(_ b: BoolQuery) throws(OpenSearchError) -> Double? {
        if b.must.isEmpty && b.filter.isEmpty && b.should.isEmpty && b.mustNot.isEmpty { return b.boost }
        var ok = true
        var score = 0.0
        for c in b.must { if let s = try eval(c) { score += s } else { ok = false } }
        for c in b.filter { if try eval(c) == nil { ok = false } }
        for c in b.mustNot { if try eval(c) != nil { ok = false } }
        var matched = 0
        for c in b.should { if let s = try eval(c) { matched += 1; score += s } }
        if matched < b.requiredShouldCount { ok = false }
        if b.must.isEmpty && b.filter.isEmpty && b.should.isEmpty && !b.adjustPureNegative { ok = false }
        return ok ? score * b.boost : nil
    }

    // MARK: fields

    enum Kind { case text, keyword, long, double, float, date, bool, ip, other(String), missing }

    func kind(_ field: String) -> Kind {
        if let f = mapping.field(field) {
            switch f.type {
            case .text, .matchOnlyText: return .text
            case .keyword, .constantKeyword, .wildcard: return .keyword
            case .long, .integer, .short, .byte, .unsignedLong: return .long
            case .float: return .float
            case .double, .halfFloat, .scaledFloat: return .double
            case .date, .dateNanos: return .date
            case .boolean: return .bool
            case .ip: return .ip
            default: return .other(f.type.rawValue)
            }
        }
        switch doc.values(field).first {
        case .text?: return .text
        case .keyword?: return .keyword
        case .long?: return .long
        case .double?: return .double
        case .date?: return .date
        case .bool?: return .bool
        case .ip?: return .ip
        case nil: return .missing
        }
    }

    func typeName(_ field: String) -> String {
        if let f = mapping.field(field) { return f.type.rawValue }
        switch kind(field) {
        case .long: return "long"
        case .double: return "double"
        case .date: return "date"
        case .bool: return "boolean"
        case .ip: return "ip"
        default: return "keyword"
        }
    }

    func strings(_ field: String) -> [String] {
        doc.values(field).compactMap { v -> String? in
            switch v {
            case .keyword(let s), .text(let s), .ip(let s): return s
            default: return nil
            }
        }
    }

    /// Analyzed tokens of each text value (separate lists: phrases never cross values).
    func tokenLists(_ field: String) -> [[String]] {
        doc.values(field).compactMap { v -> [String]? in
            if case .text(let s) = v { return QueryAnalyzer.tokens(s) }
            return nil
        }
    }

    func length(_ field: String, tokens: Int) -> Int { stats.fieldLength[id]?[field] ?? tokens }

    /// The text a JSON value stands for as a term.
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return ""
        }
    }

    /// A value counts unless it is text that analyzes to nothing (Lucene indexes no norm for it).
    func exists(_ e: ExistsQuery) -> Bool {
        if e.field == "_id" { return true }
        func indexed(_ v: FieldValue) -> Bool {
            if case .text(let s) = v { return !QueryAnalyzer.tokens(s).isEmpty }
            return true
        }
        if e.field.contains("*") {
            let p = WildcardPattern(e.field)
            return doc.fields.contains { p.matches($0.path) && indexed($0.value) }
        }
        // An object has a value when any field under it has one; a leaf's multi-fields (`title.raw`)
        // are fields of their own.
        if let f = mapping.field(e.field), !f.type.isObjectLike {
            return doc.fields.contains { $0.path == e.field && indexed($0.value) }
        }
        let prefix = e.field + "."
        return doc.fields.contains { ($0.path == e.field || $0.path.hasPrefix(prefix)) && indexed($0.value) }
    }
}

extension String {
    /// Prefix test on Unicode scalars (Lucene compares code points, not grapheme clusters).
    func dslHasScalarPrefix(_ prefix: String) -> Bool { unicodeScalars.starts(with: prefix.unicodeScalars) }
}
