import Index
import JSON

extension MultiMatchQuery {
    /// The per-field queries `multi_match` stands for, for `mapping`: `match` (or `match_phrase`)
    /// per resolved field with its `^boost`, under `dis_max` (best_fields, cross_fields, phrase,
    /// phrase_prefix; `tie_breaker`) or a `bool` of `should` clauses (most_fields, bool_prefix).
    /// Field patterns (`title*`, the default `*`) make the per-field queries lenient.
    public func expand(mapping: Mapping) -> Query {
        let patterns = fields.isEmpty ? [FieldBoost(field: "*")] : fields
        let (resolved, wildcard) = QueryStringExpander.resolve(patterns, mapping: mapping)
        let text: String
        switch query {
        case .string(let s): text = s
        case .int(let i): text = String(i)
        case .uint(let u): text = String(u)
        case .double(let d): text = String(d)
        case .bool(let b): text = b ? "true" : "false"
        default: text = ""
        }
        let perField: [Query] = resolved.map { f in
            switch type {
            case .phrase, .phrasePrefix:
                return .matchPhrase(MatchPhraseQuery(field: f.field, query: text, slop: slop, analyzer: analyzer,
                                                     zeroTermsQuery: zeroTermsQuery, prefixLast: type == .phrasePrefix, boost: f.boost))
            default:
                return .match(MatchQuery(field: f.field, query: query, operator: self.operator, minimumShouldMatch: minimumShouldMatch,
                                         fuzziness: fuzziness, analyzer: analyzer, zeroTermsQuery: zeroTermsQuery,
                                         lenient: lenient || wildcard, prefixLast: type == .boolPrefix, boost: f.boost))
            }
        }
        if perField.isEmpty { return .none }
        switch type {
        case .mostFields, .boolPrefix:
            return .bool(BoolQuery(should: perField, boost: boost, name: name))
        default:
            return .disMax(DisMaxQuery(queries: perField, tieBreaker: tieBreaker ?? 0, boost: boost, name: name))
        }
    }
}
