import Index
import JSON

/// Turning a query-string syntax tree into DSL queries once the mapping is known: field patterns
/// (`title*`, `*`) resolve to mapped fields, each leaf becomes the per-field `match`, `match_phrase`,
/// `wildcard`, `regexp`, `range` or `exists` query, and several fields combine with `dis_max`.
struct QueryStringExpander {
    let mapping: Mapping
    let defaultFields: [FieldBoost]
    let defaultOperator: QueryOperator
    let tieBreaker: Double
    /// Tie breaker for plain terms and prefixes (simple_query_string sums fields: 1.0).
    let termTieBreaker: Double
    let lenient: Bool?
    let phraseSlop: Int
    let timeZone: DateZone?
    let quoteFieldSuffix: String?

    /// Field types a query string searches when a pattern such as `*` names them.
    static func isSearchable(_ t: FieldType) -> Bool {
        switch t {
        case .object, .nested, .binary, .geoPoint, .flatObject: return false
        default: return true
        }
    }

    /// Resolves patterns against the mapping; names without `*` are kept even when unmapped.
    /// Returns the fields and whether a pattern was involved (which makes the query lenient).
    static func resolve(_ patterns: [FieldBoost], mapping: Mapping) -> ([FieldBoost], Bool) {
        var out: [FieldBoost] = []
        var seen: Set<String> = []
        var wildcard = false
        for p in patterns {
            if p.field.contains("*") {
                wildcard = true
                let pattern = WildcardPattern(p.field)
                for (path, f) in mapping.leafFields where isSearchable(f.type) && pattern.matches(path) && !seen.contains(path) {
                    seen.insert(path)
                    out.append(FieldBoost(field: path, boost: p.boost))
                }
            } else if !seen.contains(p.field) {
                seen.insert(p.field)
                out.append(p)
            }
        }
        return (out, wildcard)
    }

    func fields(for field: String?) -> (fields: [FieldBoost], wildcard: Bool, all: Bool) {
        let patterns = field.map { [FieldBoost(field: $0)] } ?? defaultFields
        let all = patterns.contains { $0.field == "*" }
        let (f, w) = QueryStringExpander.resolve(patterns, mapping: mapping)
        return (f, w, all)
    }

    func expand(_ node: QueryStringNode) throws(OpenSearchError) -> Query {
        switch node {
        case .matchAll(let b): return .matchAll(MatchAllQuery(boost: b ?? 1))
        case .exists(let field, let b): return .exists(ExistsQuery(field: field, boost: b ?? 1))
        case .bool(let clauses, let b):
            if clauses.isEmpty { return .none }
            var q = BoolQuery(boost: b ?? 1)
            for c in clauses {
                let e = try expand(c.node)
                switch c.occur {
                case .must: q.must.append(e)
                case .should: q.should.append(e)
                case .mustNot: q.mustNot.append(e)
                }
            }
            return .bool(q)
        case .term(let field, let text, let fuzzy, let b):
            let r = fields(for: field)
            return combine(r.fields.map { f in
                .match(MatchQuery(field: f.field, query: .string(text), operator: defaultOperator,
                                  fuzziness: fuzzy.map(String.init), lenient: lenient ?? r.wildcard, boost: f.boost))
            }, tie: termTieBreaker, boost: b)
        case .phrase(let field, let text, let slop, let b):
            let r = fields(for: field)
            return combine(r.fields.map { f in
                var name = f.field
                if let s = quoteFieldSuffix, mapping.field(name + s) != nil { name += s }
                return .matchPhrase(MatchPhraseQuery(field: name, query: text, slop: slop ?? phraseSlop, boost: f.boost))
            }, tie: tieBreaker, boost: b)
        case .wildcard(let field, let pattern, let b):
            let r = fields(for: field)
            if pattern == "*" {
                if r.all { return .matchAll(MatchAllQuery(boost: b ?? 1)) }
                return combine(r.fields.map { .exists(ExistsQuery(field: $0.field, boost: $0.boost)) }, tie: tieBreaker, boost: b)
            }
            return combine(r.fields.map { .wildcard(WildcardQuery(field: $0.field, value: pattern, boost: $0.boost)) },
                           tie: termTieBreaker, boost: b)
        case .regexp(let field, let pattern, let b):
            let compiled = try RegexpPattern(pattern)
            let r = fields(for: field)
            return combine(r.fields.map { .regexp(RegexpQuery(field: $0.field, pattern: compiled, boost: $0.boost)) }, tie: tieBreaker, boost: b)
        case .range(let field, let lower, let upper, let il, let iu, let b):
            let r = fields(for: field)
            return combine(r.fields.map { f in
                var q = RangeQuery(field: f.field, timeZone: timeZone, boost: f.boost)
                if let lower { if il { q.gte = .string(lower) } else { q.gt = .string(lower) } }
                if let upper { if iu { q.lte = .string(upper) } else { q.lt = .string(upper) } }
                return .range(q)
            }, tie: tieBreaker, boost: b)
        }
    }

    /// One query per field: alone, or under `dis_max`; `boost` multiplies in.
    func combine(_ queries: [Query], tie: Double, boost: Double?) -> Query {
        if queries.isEmpty { return .none }
        if queries.count == 1 { return queries[0].withBoost(queries[0].boost * (boost ?? 1)) }
        return .disMax(DisMaxQuery(queries: queries, tieBreaker: tie, boost: boost ?? 1))
    }
}

extension Query {
    /// The same query with another `boost`.
    public func withBoost(_ b: Double) -> Query {
        switch self {
        case .matchAll(var q): q.boost = b; return .matchAll(q)
        case .matchNone(var q): q.boost = b; return .matchNone(q)
        case .term(var q): q.boost = b; return .term(q)
        case .terms(var q): q.boost = b; return .terms(q)
        case .range(var q): q.boost = b; return .range(q)
        case .exists(var q): q.boost = b; return .exists(q)
        case .ids(var q): q.boost = b; return .ids(q)
        case .prefix(var q): q.boost = b; return .prefix(q)
        case .wildcard(var q): q.boost = b; return .wildcard(q)
        case .regexp(var q): q.boost = b; return .regexp(q)
        case .match(var q): q.boost = b; return .match(q)
        case .matchPhrase(var q): q.boost = b; return .matchPhrase(q)
        case .multiMatch(var q): q.boost = b; return .multiMatch(q)
        case .queryString(var q): q.boost = b; return .queryString(q)
        case .simpleQueryString(var q): q.boost = b; return .simpleQueryString(q)
        case .bool(var q): q.boost = b; return .bool(q)
        case .constantScore(var q): q.boost = b; return .constantScore(q)
        case .disMax(var q): q.boost = b; return .disMax(q)
        }
    }
}

extension QueryStringQuery {
    /// The equivalent DSL tree for `mapping` (fields resolved, `minimum_should_match` and `boost`
    /// applied to the top level).
    public func expand(mapping: Mapping) throws(OpenSearchError) -> Query {
        let defaults = !fields.isEmpty ? fields : [FieldBoost(field: defaultField ?? "*")]
        // most_fields sums the fields' scores; the other types take the best (plus tie_breaker).
        let tie = tieBreaker ?? (type == .mostFields ? 1 : 0)
        let e = QueryStringExpander(mapping: mapping, defaultFields: defaults, defaultOperator: defaultOperator,
                                    tieBreaker: tie, termTieBreaker: tie, lenient: lenient,
                                    phraseSlop: phraseSlop, timeZone: timeZone, quoteFieldSuffix: quoteFieldSuffix)
        return QueryStringExpander.finish(try e.expand(parsed), msm: minimumShouldMatch, boost: boost)
    }
}

extension SimpleQueryStringQuery {
    /// The equivalent DSL tree for `mapping`.
    public func expand(mapping: Mapping) throws(OpenSearchError) -> Query {
        let defaults = !fields.isEmpty ? fields : [FieldBoost(field: "*")]
        let e = QueryStringExpander(mapping: mapping, defaultFields: defaults, defaultOperator: defaultOperator,
                                    tieBreaker: 0, termTieBreaker: 1, lenient: lenient, phraseSlop: 0,
                                    timeZone: nil, quoteFieldSuffix: quoteFieldSuffix)
        return QueryStringExpander.finish(try e.expand(parsed), msm: minimumShouldMatch, boost: boost)
    }
}

extension QueryStringExpander {
    static func finish(_ q: Query, msm: MinimumShouldMatch?, boost: Double) -> Query {
        var q = q
        if let msm, case .bool(var b) = q {
            b.minimumShouldMatch = msm
            q = .bool(b)
        }
        return boost == 1 ? q : q.withBoost(q.boost * boost)
    }
}
