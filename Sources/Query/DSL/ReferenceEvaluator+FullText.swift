import Index
import JSON

extension ReferenceEvaluation {
    /// `match`: on text, each analyzed query token is a clause (duplicates included, as Lucene
    /// builds them); `and` needs all, `or` needs `minimum_should_match` (at least one); the score
    /// sums the matching tokens' BM25. Other field types behave like `term` with the whole value.
    func match(_ m: MatchQuery) throws(OpenSearchError) -> Double? {
        let field = m.field
        if field == "_id" { return try term(TermQuery(field: field, value: m.query, boost: m.boost)) }
        switch kind(field) {
        case .missing, .other: return nil
        case .text:
            let query = QueryAnalyzer.tokens(ReferenceEvaluation.text(m.query))
            if query.isEmpty { return m.zeroTermsQuery == .all ? m.boost : nil }
            let tokens = tokenLists(field).flatMap { $0 }
            let len = length(field, tokens: tokens.count)
            var matched = 0
            var score = 0.0
            for (i, t) in query.enumerated() {
                if m.prefixLast && i == query.count - 1 {
                    if tokens.contains(where: { $0.dslHasScalarPrefix(t) }) { matched += 1; score += 1 }
                    continue
                }
                let tf = tokens.filter { $0 == t }.count
                if tf > 0 {
                    matched += 1
                    score += stats.bm25(field: field, idfTerms: [t], freq: Double(tf), length: len)
                }
            }
            let required: Int
            if m.operator == .and { required = query.count }
            else if query.count == 1 { required = 1 }
            else { required = max(1, m.minimumShouldMatch?.required(optionalClauses: query.count) ?? 1) }
            return matched >= required ? score * m.boost : nil
        case .keyword:
            let text = ReferenceEvaluation.text(m.query)
            if m.prefixLast {
                return strings(field).contains { $0.dslHasScalarPrefix(text) } ? m.boost : nil
            }
            return try term(TermQuery(field: field, value: .string(text), boost: m.boost))
        default:
            do { return try term(TermQuery(field: field, value: m.query, boost: m.boost)) } catch {
                if m.lenient { return nil }
                throw error
            }
        }
    }

    /// `match_phrase`: the tokens in order within one value, adjacent (or `slop` extra positions
    /// in total); scored as BM25 of the phrase frequency with the terms' idfs summed.
    func matchPhrase(_ m: MatchPhraseQuery) throws(OpenSearchError) -> Double? {
        let field = m.field
        switch kind(field) {
        case .missing, .other: return nil
        case .text:
            let query = QueryAnalyzer.tokens(m.query)
            if query.isEmpty { return m.zeroTermsQuery == .all ? m.boost : nil }
            if query.count == 1 && !m.prefixLast {
                return try term(TermQuery(field: field, value: .string(query[0]), boost: m.boost))
            }
            let lists = tokenLists(field)
            var freq = 0.0
            for tokens in lists { freq += ReferenceEvaluation.phraseFrequency(tokens, query, slop: m.slop, prefixLast: m.prefixLast) }
            guard freq > 0 else { return nil }
            let len = length(field, tokens: lists.reduce(0) { $0 + $1.count })
            return m.boost * stats.bm25(field: field, idfTerms: query, freq: freq, length: len)
        case .keyword:
            if m.prefixLast {
                return strings(field).contains { $0.dslHasScalarPrefix(m.query) } ? m.boost : nil
            }
            return try term(TermQuery(field: field, value: .string(m.query), boost: m.boost))
        default:
            return try term(TermQuery(field: field, value: .string(m.query), boost: m.boost))
        }
    }

    /// Lucene's phrase frequency: exact matches count 1 each; with slop, each start position
    /// whose terms follow in order within `slop` extra positions counts `1 / (1 + extra)`.
    /// (Out-of-order sloppy matches, which Lucene also allows, are not counted.)
    static func phraseFrequency(_ tokens: [String], _ phrase: [String], slop: Int, prefixLast: Bool) -> Double {
        guard !phrase.isEmpty, tokens.count >= phrase.count else { return 0 }
        func same(_ k: Int, _ token: String) -> Bool {
            prefixLast && k == phrase.count - 1 ? token.dslHasScalarPrefix(phrase[k]) : token == phrase[k]
        }
        var freq = 0.0
        for start in tokens.indices where same(0, tokens[start]) {
            var pos = start
            var extra = 0
            var ok = true
            for k in 1..<phrase.count {
                var next = pos + 1
                while next < tokens.count && !same(k, tokens[next]) && next - pos - 1 + extra < slop { next += 1 }
                guard next < tokens.count, same(k, tokens[next]) else { ok = false; break }
                extra += next - pos - 1
                pos = next
            }
            if ok && extra <= slop { freq += 1 / Double(1 + extra) }
        }
        return freq
    }
}
