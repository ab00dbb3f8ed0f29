import Index
import JSON

/// Full-text query bodies: `match`, `match_bool_prefix`, `match_phrase(_prefix)`, `multi_match`,
/// `query_string`, `simple_query_string`.
extension QueryParser {
    /// A full-text `query` value: string, number or boolean.
    static func textValue(_ v: JSONValue, _ r: Reader, _ key: String) throws(OpenSearchError) -> JSONValue {
        switch v {
        case .string, .int, .uint, .double, .bool: return v
        case .null: throw OpenSearchError.parsing("No text specified for text query")
        default: throw OpenSearchError.parsing("[\(r.type)] unknown token [\(v.tokenName)] after [\(key)]")
        }
    }

    static func parseMatch(_ body: JSONObject, _ r: Reader, prefixLast: Bool) throws(OpenSearchError) -> Query {
        let (field, spec) = try r.singleField(body)
        var q = MatchQuery(field: field, query: .null, prefixLast: prefixLast)
        guard case .object(let o) = spec else {
            q.query = try textValue(spec, r, field)
            return .match(q)
        }
        var query: JSONValue?
        for (k, v) in o {
            switch k {
            case "query": query = try textValue(v, r, k)
            case "operator": q.operator = try QueryOperator.parse(try r.string(v, k))
            case "minimum_should_match": q.minimumShouldMatch = try r.msm(v, k)
            case "fuzziness": q.fuzziness = try r.string(v, k)
            case "analyzer": q.analyzer = try r.string(v, k)
            case "zero_terms_query": q.zeroTermsQuery = try r.zeroTerms(v, k)
            case "lenient": q.lenient = try r.bool(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            case "prefix_length", "max_expansions", "fuzzy_transpositions", "fuzzy_rewrite", "cutoff_frequency",
                 "auto_generate_synonyms_phrase_query":
                break
            default: throw r.unsupported(k)
            }
        }
        guard let query else {
            if prefixLast { throw OpenSearchError.illegalArgument("[match_bool_prefix] requires query value") }
            throw OpenSearchError.parsing("No text specified for text query")
        }
        q.query = query
        return .match(q)
    }

    static func parseMatchPhrase(_ body: JSONObject, _ r: Reader, prefixLast: Bool) throws(OpenSearchError) -> Query {
        let (field, spec) = try r.singleField(body)
        var q = MatchPhraseQuery(field: field, query: "", prefixLast: prefixLast)
        guard case .object(let o) = spec else {
            q.query = try r.string(try textValue(spec, r, field), field)
            return .matchPhrase(q)
        }
        var query: String?
        for (k, v) in o {
            switch k {
            case "query": query = try r.string(try textValue(v, r, k), k)
            case "slop": q.slop = try r.int(v, k)
            case "analyzer": q.analyzer = try r.string(v, k)
            case "zero_terms_query": q.zeroTermsQuery = try r.zeroTerms(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            case "max_expansions" where prefixLast: break
            default: throw r.unsupported(k)
            }
        }
        guard let query else { throw OpenSearchError.illegalArgument("[\(r.type)] requires query value") }
        if q.slop < 0 { throw OpenSearchError.illegalArgument("No negative slop allowed.") }
        q.query = query
        return .matchPhrase(q)
    }

    static func parseMultiMatch(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = MultiMatchQuery(query: .null)
        var query: JSONValue?
        for (k, v) in body {
            switch k {
            case "query": query = try textValue(v, r, k)
            case "fields": q.fields = try r.fieldList(v, k)
            case "type":
                let t = try r.string(v, k)
                guard let type = MultiMatchType(rawValue: t.lowercased()) else {
                    throw OpenSearchError("parse_exception", "failed to parse [multi_match] query type [\(t)]. unknown type.", status: 400)
                }
                q.type = type
            case "operator": q.operator = try QueryOperator.parse(try r.string(v, k))
            case "minimum_should_match": q.minimumShouldMatch = try r.msm(v, k)
            case "tie_breaker": q.tieBreaker = try r.double(v, k)
            case "slop": q.slop = try r.int(v, k)
            case "fuzziness": q.fuzziness = try r.string(v, k)
            case "analyzer": q.analyzer = try r.string(v, k)
            case "lenient": q.lenient = try r.bool(v, k)
            case "zero_terms_query": q.zeroTermsQuery = try r.zeroTerms(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            case "prefix_length", "max_expansions", "fuzzy_transpositions", "fuzzy_rewrite", "cutoff_frequency",
                 "auto_generate_synonyms_phrase_query":
                break
            default: throw r.unsupported(k)
            }
        }
        guard let query else { throw OpenSearchError.parsing("No text specified for multi_match query") }
        if q.fuzziness != nil && (q.type == .phrase || q.type == .phrasePrefix || q.type == .crossFields) {
            throw OpenSearchError.parsing("Fuzziness not allowed for type [\(q.type.rawValue)]")
        }
        if q.slop != 0 && q.type == .boolPrefix {
            throw OpenSearchError.parsing("slop not allowed for type [bool_prefix]")
        }
        q.query = query
        return .multiMatch(q)
    }

    static func parseQueryString(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = QueryStringQuery(query: "", parsed: .bool([]))
        var text: String?
        for (k, v) in body {
            switch k {
            case "query": text = try r.string(v, k)
            case "default_field": q.defaultField = try r.string(v, k)
            case "fields": q.fields = try r.fieldList(v, k)
            case "default_operator": q.defaultOperator = try QueryOperator.parse(try r.string(v, k))
            case "allow_leading_wildcard": q.allowLeadingWildcard = try r.bool(v, k)
            case "analyze_wildcard": q.analyzeWildcard = try r.bool(v, k)
            case "lenient": q.lenient = try r.bool(v, k)
            case "phrase_slop": q.phraseSlop = try r.int(v, k)
            case "tie_breaker": q.tieBreaker = try r.double(v, k)
            case "time_zone": q.timeZone = try r.zone(v, k)
            case "minimum_should_match": q.minimumShouldMatch = try r.msm(v, k)
            case "type":
                let t = try r.string(v, k)
                guard let type = MultiMatchType(rawValue: t.lowercased()) else {
                    throw OpenSearchError("parse_exception", "failed to parse [multi_match] query type [\(t)]. unknown type.", status: 400)
                }
                q.type = type
            case "quote_field_suffix": q.quoteFieldSuffix = try r.string(v, k)
            case "fuzziness": q.fuzziness = try r.string(v, k)
            case "analyzer": q.analyzer = try r.string(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            case "quote_analyzer", "max_determinized_states", "enable_position_increments", "fuzzy_prefix_length",
                 "fuzzy_max_expansions", "fuzzy_rewrite", "fuzzy_transpositions", "rewrite", "escape",
                 "auto_generate_synonyms_phrase_query", "auto_generate_phrase_queries", "split_on_whitespace":
                break
            default: throw r.unsupported(k)
            }
        }
        guard let text else { throw OpenSearchError.parsing("[query_string] must be provided with a [query]") }
        q.query = text
        q.parsed = try QueryStringParser.parse(text, defaultOperator: q.defaultOperator)
        try validate(q.parsed, text: text, allowLeadingWildcard: q.allowLeadingWildcard)
        return .queryString(q)
    }

    /// Checks what OpenSearch checks while building the Lucene query: regexps compile and, unless
    /// allowed, no wildcard term starts with `*` or `?`.
    static func validate(_ node: QueryStringNode, text: String, allowLeadingWildcard: Bool) throws(OpenSearchError) {
        switch node {
        case .bool(let clauses, _):
            for c in clauses { try validate(c.node, text: text, allowLeadingWildcard: allowLeadingWildcard) }
        case .regexp(_, let p, _):
            do { _ = try RegexpPattern(p) } catch {
                throw OpenSearchError("query_shard_exception", "Failed to parse query [\(text)]", status: 400, causedBy: error)
            }
        case .wildcard(_, let p, _):
            if !allowLeadingWildcard, p != "*", let c = p.first, c == "*" || c == "?" {
                throw OpenSearchError("query_shard_exception", "Failed to parse query [\(text)]", status: 400,
                                      causedBy: OpenSearchError("parse_exception", "Cannot parse '\(text)': '*' or '?' not allowed as first character in WildcardQuery", status: 400))
            }
        default: break
        }
    }

    static func parseSimpleQueryString(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = SimpleQueryStringQuery(query: "", parsed: .bool([]))
        var text: String?
        var flags = SimpleQueryStringParser.Flags.all
        for (k, v) in body {
            switch k {
            case "query": text = try r.string(v, k)
            case "fields": q.fields = try r.fieldList(v, k)
            case "default_operator": q.defaultOperator = try QueryOperator.parse(try r.string(v, k))
            case "flags":
                if case .int(let i) = v {
                    flags = i == -1 ? .all : SimpleQueryStringParser.Flags(rawValue: Int(i) & SimpleQueryStringParser.Flags.all.rawValue)
                    q.flags = String(i)
                } else {
                    let s = try r.string(v, k)
                    flags = try SimpleQueryStringParser.Flags.parse(s)
                    q.flags = s
                }
            case "lenient": q.lenient = try r.bool(v, k)
            case "analyze_wildcard": q.analyzeWildcard = try r.bool(v, k)
            case "minimum_should_match": q.minimumShouldMatch = try r.msm(v, k)
            case "quote_field_suffix": q.quoteFieldSuffix = try r.string(v, k)
            case "analyzer": q.analyzer = try r.string(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            case "auto_generate_synonyms_phrase_query", "fuzzy_prefix_length", "fuzzy_max_expansions", "fuzzy_transpositions":
                break
            default: throw r.unsupported(k)
            }
        }
        guard let text else { throw OpenSearchError.parsing("[simple_query_string] query text missing") }
        q.query = text
        q.parsed = SimpleQueryStringParser.parse(text, defaultOperator: q.defaultOperator, flags: flags)
        return .simpleQueryString(q)
    }
}
