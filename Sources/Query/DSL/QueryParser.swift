import Index
import JSON

/// Request JSON → `Query`, with OpenSearch's error types and reasons (`parsing_exception` for
/// malformed shapes, `illegal_argument_exception` where OpenSearch's builders throw it).
enum QueryParser {
    static func parse(_ json: JSONValue) throws(OpenSearchError) -> Query {
        guard case .object(let o) = json else {
            throw OpenSearchError.parsing("[_na] query malformed, must start with start_object")
        }
        guard let type = o.keys.first else {
            throw OpenSearchError.illegalArgument("query malformed, empty clause found")
        }
        guard case .object(let body) = o.values[0] else {
            throw OpenSearchError.parsing("[\(type)] query malformed, no start_object after query name")
        }
        let q = try parseNamed(type, body)
        if o.count > 1 {
            throw OpenSearchError.parsing("[\(type)] malformed query, expected [END_OBJECT] but found [FIELD_NAME]")
        }
        return q
    }

    static func parseNamed(_ type: String, _ body: JSONObject) throws(OpenSearchError) -> Query {
        let r = Reader(type: type)
        switch type {
        case "match_all", "match_none":
            var q = MatchAllQuery()
            for (k, v) in body {
                switch k {
                case "boost": q.boost = try r.double(v, k)
                case "_name": q.name = try r.string(v, k)
                default: throw r.unsupported(k)
                }
            }
            return type == "match_all" ? .matchAll(q) : .matchNone(q)
        case "term": return try parseTerm(body, r)
        case "terms": return try parseTerms(body, r)
        case "range": return try parseRange(body, r)
        case "exists": return try parseExists(body, r)
        case "ids": return try parseIds(body, r)
        case "prefix", "wildcard", "regexp": return try parsePattern(type, body, r)
        case "match", "match_bool_prefix": return try parseMatch(body, r, prefixLast: type == "match_bool_prefix")
        case "match_phrase", "match_phrase_prefix": return try parseMatchPhrase(body, r, prefixLast: type == "match_phrase_prefix")
        case "multi_match": return try parseMultiMatch(body, r)
        case "query_string": return try parseQueryString(body, r)
        case "simple_query_string": return try parseSimpleQueryString(body, r)
        case "bool": return try parseBool(body, r)
        case "constant_score": return try parseConstantScore(body, r)
        case "dis_max": return try parseDisMax(body, r)
        default:
            throw OpenSearchError("parsing_exception", "unknown query [\(type)]", status: 400)
        }
    }

    /// Typed access to a query body's values, failing with the query's name in the reason.
    struct Reader {
        let type: String

        func unsupported(_ key: String) -> OpenSearchError { .parsing("[\(type)] query does not support [\(key)]") }
        func badValue(_ key: String) -> OpenSearchError { .parsing("[\(type)] failed to parse field [\(key)]") }

        func double(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> Double {
            guard let d = v.doubleValue, d.isFinite else { throw badValue(key) }
            return d
        }

        func int(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> Int {
            guard let i = v.int64Value, let n = Int(exactly: i) else { throw badValue(key) }
            return n
        }

        func string(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> String {
            switch v {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .bool(let b): return b ? "true" : "false"
            default: throw badValue(key)
            }
        }

        func bool(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> Bool {
            switch v {
            case .bool(let b): return b
            case .string("true"): return true
            case .string("false"): return false
            default: throw badValue(key)
            }
        }

        func zone(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> DateZone {
            let s = try string(v, key)
            do { return try DateZone(s) } catch {
                throw OpenSearchError("parsing_exception", "[\(type)] failed to parse field [\(key)]", status: 400, causedBy: error)
            }
        }

        func msm(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> MinimumShouldMatch {
            do { return try MinimumShouldMatch(json: v) } catch {
                throw OpenSearchError("parsing_exception", "[\(type)] failed to parse field [\(key)]", status: 400, causedBy: error)
            }
        }

        func fieldList(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> [FieldBoost] {
            switch v {
            case .string(let s): return [try FieldBoost.parse(s)]
            case .array(let a):
                var out: [FieldBoost] = []
                for e in a {
                    guard case .string(let s) = e else { throw badValue(key) }
                    out.append(try FieldBoost.parse(s))
                }
                return out
            default: throw badValue(key)
            }
        }

        func zeroTerms(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> ZeroTermsQuery {
            let s = try string(v, key)
            guard let z = ZeroTermsQuery(rawValue: s.lowercased()) else {
                throw OpenSearchError.parsing("Unsupported zero_terms_query value [\(s)]")
            }
            return z
        }

        /// `{"field": value}` or `{"field": {options}}`: the single field, erroring on a second one.
        func singleField(_ body: JSONObject) throws(OpenSearchError) -> (String, JSONValue) {
            var found: (String, JSONValue)?
            for (k, v) in body {
                if let f = found {
                    throw OpenSearchError.parsing("[\(type)] query doesn't support multiple fields, found [\(f.0)] and [\(k)]")
                }
                if case .array = v {
                    if type == "term" { throw OpenSearchError.parsing("[term] query does not support array of values") }
                    throw OpenSearchError.parsing("[\(type)] unknown token [START_ARRAY] after [\(k)]")
                }
                found = (k, v)
            }
            guard let found else { throw OpenSearchError.illegalArgument("field name is null or empty") }
            return found
        }
    }

    /// A term value: a string, number or boolean.
    static func termValue(_ v: JSONValue, _ r: Reader) throws(OpenSearchError) -> JSONValue {
        switch v {
        case .string, .int, .double, .bool: return v
        case .null: throw OpenSearchError.illegalArgument("value cannot be null")
        default: throw OpenSearchError.parsing("[\(r.type)] unknown token [\(v.tokenName)] after [value]")
        }
    }

    static func parseTerm(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        let (field, spec) = try r.singleField(body)
        var q = TermQuery(field: field, value: .null)
        guard case .object(let o) = spec else {
            q.value = try termValue(spec, r)
            return .term(q)
        }
        var value: JSONValue?
        for (k, v) in o {
            switch k {
            case "value", "term": value = try termValue(v, r)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            case "case_insensitive": q.caseInsensitive = try r.bool(v, k)
            default: throw r.unsupported(k)
            }
        }
        guard let value else { throw OpenSearchError.illegalArgument("value cannot be null") }
        q.value = value
        return .term(q)
    }

    static func parseTerms(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = TermsQuery(field: "", values: [])
        var field: String?
        for (k, v) in body {
            switch v {
            case .array(let a):
                if let f = field {
                    throw OpenSearchError.parsing("[terms] query does not support multiple fields, found [\(f)] and [\(k)]")
                }
                field = k
                for e in a {
                    switch e {
                    case .string, .int, .double, .bool: q.values.append(e)
                    case .null: throw OpenSearchError.parsing("No value specified for terms query")
                    default: throw OpenSearchError.parsing("[terms] query does not support [\(k)]")
                    }
                }
            case .object:
                throw OpenSearchError.illegalArgument("[terms] query lookup elements are not supported")
            default:
                switch k {
                case "boost": q.boost = try r.double(v, k)
                case "_name": q.name = try r.string(v, k)
                case "value_type": break
                default: throw r.unsupported(k)
                }
            }
        }
        guard let field else {
            throw OpenSearchError.parsing("[terms] query requires a field name, followed by array of terms or a document lookup specification")
        }
        q.field = field
        return .terms(q)
    }

    static func parseRange(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = RangeQuery(field: "")
        var field: String?
        for (k, v) in body {
            guard case .object(let o) = v else {
                switch k {
                case "boost": q.boost = try r.double(v, k)
                case "_name": q.name = try r.string(v, k)
                default: throw r.unsupported(k)
                }
                continue
            }
            if let f = field { throw OpenSearchError.parsing("[range] query doesn't support multiple fields, found [\(f)] and [\(k)]") }
            field = k
            var from: JSONValue?, to: JSONValue?
            var includeLower = true, includeUpper = true
            func bound(_ v: JSONValue, _ key: String) throws(OpenSearchError) -> JSONValue? {
                switch v {
                case .null: return nil
                case .string, .int, .double, .bool: return v
                default: throw r.badValue(key)
                }
            }
            for (ok, ov) in o {
                switch ok {
                case "gt": from = try bound(ov, ok); includeLower = false
                case "gte": from = try bound(ov, ok); includeLower = true
                case "lt": to = try bound(ov, ok); includeUpper = false
                case "lte": to = try bound(ov, ok); includeUpper = true
                case "from": from = try bound(ov, ok)
                case "to": to = try bound(ov, ok)
                case "include_lower": includeLower = try r.bool(ov, ok)
                case "include_upper": includeUpper = try r.bool(ov, ok)
                case "format":
                    let f = try r.string(ov, ok)
                    _ = try DateFormat(f)
                    q.format = f
                case "time_zone": q.timeZone = try r.zone(ov, ok)
                case "relation":
                    let rel = try r.string(ov, ok)
                    guard ["intersects", "contains", "within"].contains(rel.lowercased()) else {
                        throw OpenSearchError.parsing("[range] query does not support relation [\(rel)]")
                    }
                    q.relation = rel
                case "boost": q.boost = try r.double(ov, ok)
                case "_name": q.name = try r.string(ov, ok)
                default: throw r.unsupported(ok)
                }
            }
            if let from { if includeLower { q.gte = from } else { q.gt = from } }
            if let to { if includeUpper { q.lte = to } else { q.lt = to } }
        }
        guard let field, !field.isEmpty else { throw OpenSearchError.illegalArgument("field name is null or empty") }
        q.field = field
        return .range(q)
    }

    static func parseExists(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = ExistsQuery(field: "")
        var field: String?
        for (k, v) in body {
            switch k {
            case "field": field = try r.string(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            default: throw r.unsupported(k)
            }
        }
        guard let field, !field.isEmpty else { throw OpenSearchError.parsing("[exists] must be provided with a [field]") }
        q.field = field
        return .exists(q)
    }

    static func parseIds(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = IdsQuery(values: [])
        for (k, v) in body {
            switch k {
            case "values":
                guard case .array(let a) = v else { throw r.badValue(k) }
                for e in a {
                    switch e {
                    case .string(let s): q.values.append(s)
                    case .int(let i): q.values.append(String(i))
                    default: throw OpenSearchError.parsing("[ids] failed to parse field [values]")
                    }
                }
            case "type", "types": break
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            default: throw r.unsupported(k)
            }
        }
        return .ids(q)
    }

    /// `prefix`, `wildcard` and `regexp`: one field, a string value and a few options.
    static func parsePattern(_ type: String, _ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        let (field, spec) = try r.singleField(body)
        var value: String?
        var boost = 1.0, name: String?, caseInsensitive = false, rewrite: String?, flags: String?, maxStates: Int?
        if case .object(let o) = spec {
            for (k, v) in o {
                switch (k, type) {
                case ("value", _), ("prefix", "prefix"), ("wildcard", "wildcard"): value = try r.string(v, k)
                case ("boost", _): boost = try r.double(v, k)
                case ("_name", _): name = try r.string(v, k)
                case ("case_insensitive", _): caseInsensitive = try r.bool(v, k)
                case ("rewrite", _): rewrite = try r.string(v, k)
                case ("flags", "regexp"): flags = try r.string(v, k)
                case ("flags_value", "regexp"): if try r.int(v, k) == 0 { flags = "NONE" }
                case ("max_determinized_states", "regexp"): maxStates = try r.int(v, k)
                default: throw r.unsupported(k)
                }
            }
        } else if !spec.isNull {
            value = try r.string(spec, field)
        }
        guard let value else { throw OpenSearchError.parsing("No value specified for \(type) query") }
        switch type {
        case "prefix":
            return .prefix(PrefixQuery(field: field, value: value, caseInsensitive: caseInsensitive, rewrite: rewrite, boost: boost, name: name))
        case "wildcard":
            return .wildcard(WildcardQuery(field: field, pattern: WildcardPattern(value), caseInsensitive: caseInsensitive,
                                           rewrite: rewrite, boost: boost, name: name))
        default:
            let f = try RegexpPattern.Flags.parse(flags ?? "ALL")
            let pattern: RegexpPattern
            do { pattern = try RegexpPattern(value, flags: f) } catch {
                throw OpenSearchError("query_shard_exception", "failed to create query: \(error.reason)", status: 400, causedBy: error)
            }
            return .regexp(RegexpQuery(field: field, pattern: pattern, flags: flags, caseInsensitive: caseInsensitive,
                                       maxDeterminizedStates: maxStates, rewrite: rewrite, boost: boost, name: name))
        }
    }

    /// A full-text `query` value: string, number or boolean.
    static func textValue(_ v: JSONValue, _ r: Reader, _ key: String) throws(OpenSearchError) -> JSONValue {
        switch v {
        case .string, .int, .double, .bool: return v
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
        guard let query else { throw OpenSearchError.parsing("No text specified for text query") }
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
        guard let query else { throw OpenSearchError.parsing("No text specified for text query") }
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

    /// A clause list: one query object or an array of them.
    static func clauses(_ v: JSONValue, _ key: String, _ r: Reader) throws(OpenSearchError) -> [Query] {
        switch v {
        case .object: return [try parse(v)]
        case .array(let a):
            var out: [Query] = []
            for e in a { out.append(try parse(e)) }
            return out
        default: throw r.unsupported(key)
        }
    }

    static func parseBool(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = BoolQuery()
        for (k, v) in body {
            switch k {
            case "must": q.must += try clauses(v, k, r)
            case "filter": q.filter += try clauses(v, k, r)
            case "should": q.should += try clauses(v, k, r)
            case "must_not", "mustNot": q.mustNot += try clauses(v, k, r)
            case "minimum_should_match", "minimum_number_should_match": q.minimumShouldMatch = try r.msm(v, k)
            case "adjust_pure_negative": q.adjustPureNegative = try r.bool(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            default: throw r.unsupported(k)
            }
        }
        return .bool(q)
    }

    static func parseConstantScore(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var filter: Query?
        var boost = 1.0, name: String?
        for (k, v) in body {
            switch k {
            case "filter":
                guard case .object = v else { throw r.unsupported(k) }
                filter = try parse(v)
            case "boost": boost = try r.double(v, k)
            case "_name": name = try r.string(v, k)
            default: throw r.unsupported(k)
            }
        }
        guard let filter else { throw OpenSearchError.parsing("[constant_score] requires a 'filter' element") }
        return .constantScore(ConstantScoreQuery(filter: filter, boost: boost, name: name))
    }

    static func parseDisMax(_ body: JSONObject, _ r: Reader) throws(OpenSearchError) -> Query {
        var q = DisMaxQuery(queries: [])
        for (k, v) in body {
            switch k {
            case "queries": q.queries += try clauses(v, k, r)
            case "tie_breaker": q.tieBreaker = try r.double(v, k)
            case "boost": q.boost = try r.double(v, k)
            case "_name": q.name = try r.string(v, k)
            default: throw r.unsupported(k)
            }
        }
        if q.queries.isEmpty { throw OpenSearchError.parsing("[dis_max] requires 'queries' field with at least one clause") }
        return .disMax(q)
    }
}
