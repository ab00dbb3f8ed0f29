import Index
import JSON

/// Rewrites the multi-field and query-string families into the core queries the segment searcher
/// executes (match, match_phrase, term, range, wildcard, regexp, exists, bool, dis_max).
public enum QueryRewriter {
    public static func rewrite(_ m: MultiMatchQuery) -> Query {
        let text = QueryValues.text(m.query) ?? ""
        let perField: [Query] = m.fields.map { f in
            switch m.type {
            case .phrase, .phrasePrefix:
                return .matchPhrase(MatchPhraseQuery(field: f.field, query: text, slop: m.slop, boost: f.boost))
            default:
                var q = MatchQuery(field: f.field, query: m.query)
                q.operator = m.operator
                q.minimumShouldMatch = m.minimumShouldMatch
                q.lenient = m.lenient
                q.zeroTermsQuery = m.zeroTermsQuery
                q.boost = f.boost
                return .match(q)
            }
        }
        switch m.type {
        case .mostFields, .crossFields, .boolPrefix:
            return .bool(BoolQuery(should: perField, boost: m.boost))
        default:
            return .disMax(DisMaxQuery(queries: perField, tieBreaker: m.tieBreaker ?? 0, boost: m.boost))
        }
    }

    /// Fields a query string searches when none is named: `index.query.default_field` is `*`,
    /// every text, keyword and (leniently) numeric leaf.
    static func defaultFields(_ mapping: Mapping) -> [FieldBoost] {
        mapping.leafFields.filter { _, f in
            [.text, .keyword, .matchOnlyText, .long, .integer, .short, .byte, .double, .float, .boolean, .date, .ip].contains(f.type)
        }.map { FieldBoost(field: $0.0, boost: 1) }
    }

    public static func rewrite(_ q: QueryStringQuery, mapping: Mapping) -> Query {
        var fields = q.fields
        if let d = q.defaultField { fields = d == "*" ? defaultFields(mapping) : [FieldBoost(field: d, boost: 1)] }
        if fields.isEmpty { fields = defaultFields(mapping) }
        let lenient = q.lenient ?? (q.defaultField == nil && q.fields.isEmpty || q.defaultField == "*")
        var out = expand(q.parsed, fields: fields, defaultOperator: q.defaultOperator, mapping: mapping, lenient: lenient, timeZone: q.timeZone)
        if q.boost != 1, case .bool(var b) = out { b.boost = q.boost; out = .bool(b) }
        return out
    }

    public static func rewrite(_ q: SimpleQueryStringQuery, mapping: Mapping) -> Query {
        let fields = q.fields.isEmpty ? defaultFields(mapping) : q.fields
        return expand(q.parsed, fields: fields, defaultOperator: q.defaultOperator, mapping: mapping, lenient: q.lenient ?? q.fields.isEmpty, timeZone: nil)
    }

    static func fieldsFor(_ field: String?, _ defaults: [FieldBoost], _ mapping: Mapping) -> [FieldBoost] {
        guard let field else { return defaults }
        if field.contains("*") {
            return mapping.leafFields.filter { Wildcard.matches(field, $0.0) }.map { FieldBoost(field: $0.0, boost: 1) }
        }
        return [FieldBoost(field: field, boost: 1)]
    }

    static func perField(_ fields: [FieldBoost], _ make: (FieldBoost) -> Query) -> Query {
        if fields.count == 1 { return make(fields[0]) }
        return .disMax(DisMaxQuery(queries: fields.map(make)))
    }

    static func expand(_ node: QueryStringNode, fields: [FieldBoost], defaultOperator: QueryOperator, mapping: Mapping,
                       lenient: Bool, timeZone: DateZone?) -> Query {
        func boosted(_ q: Query, _ b: Double?) -> Query {
            guard let b, b != 1 else { return q }
            return .bool(BoolQuery(must: [q], boost: b))
        }
        switch node {
        case .matchAll(let b): return boosted(.all, b)
        case .exists(let f, let b): return boosted(.exists(ExistsQuery(field: f)), b)
        case .term(let f, let text, _, let b):
            let q = perField(fieldsFor(f, fields, mapping)) { fb in
                var m = MatchQuery(field: fb.field, query: .string(text))
                m.lenient = lenient
                m.boost = fb.boost
                m.operator = defaultOperator
                return .match(m)
            }
            return boosted(q, b)
        case .phrase(let f, let text, let slop, let b):
            return boosted(perField(fieldsFor(f, fields, mapping)) { fb in
                .matchPhrase(MatchPhraseQuery(field: fb.field, query: text, slop: slop ?? 0, boost: fb.boost))
            }, b)
        case .wildcard(let f, let pattern, let b):
            if pattern == "*" {
                return boosted(perField(fieldsFor(f, fields, mapping)) { .exists(ExistsQuery(field: $0.field)) }, b)
            }
            return boosted(perField(fieldsFor(f, fields, mapping)) { fb in
                let text = mapping.field(fb.field)?.type == .text ? pattern.lowercased() : pattern
                return .wildcard(WildcardQuery(field: fb.field, pattern: WildcardPattern(text)))
            }, b)
        case .regexp(let f, let pattern, let b):
            return boosted(perField(fieldsFor(f, fields, mapping)) { fb in
                (try? RegexpPattern(pattern)).map { .regexp(RegexpQuery(field: fb.field, pattern: $0)) } ?? .none
            }, b)
        case .range(let f, let lower, let upper, let il, let iu, let b):
            return boosted(perField(fieldsFor(f, fields, mapping)) { fb in
                var r = RangeQuery(field: fb.field)
                if let lower, lower != "*" { if il { r.gte = .string(lower) } else { r.gt = .string(lower) } }
                if let upper, upper != "*" { if iu { r.lte = .string(upper) } else { r.lt = .string(upper) } }
                r.timeZone = timeZone
                return .range(r)
            }, b)
        case .bool(let clauses, let b):
            var bq = BoolQuery()
            for c in clauses {
                let sub = expand(c.node, fields: fields, defaultOperator: defaultOperator, mapping: mapping, lenient: lenient, timeZone: timeZone)
                switch c.occur {
                case .must: bq.must.append(sub)
                case .mustNot: bq.mustNot.append(sub)
                case .should:
                    if defaultOperator == .and { bq.must.append(sub) } else { bq.should.append(sub) }
                }
            }
            if !bq.must.isEmpty && !bq.should.isEmpty { bq.minimumShouldMatch = nil }
            return boosted(.bool(bq), b)
        }
    }
}
