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
            case .uint(let u): return String(u)
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
            try DateZone(try string(v, key))
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
        case .string, .int, .uint, .double, .bool: return v
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
                if field != nil { throw OpenSearchError.parsing("[terms] query does not support multiple fields") }
                field = k
                for e in a {
                    switch e {
                    case .string, .int, .uint, .double, .bool: q.values.append(e)
                    case .null: throw OpenSearchError.parsing("No value specified for terms query")
                    default: throw OpenSearchError.parsing("[terms] query does not support [\(k)]")
                    }
                }
            case .object:
                throw OpenSearchError.illegalArgument("[terms] query lookup elements are not supported")
            case .null:
                throw OpenSearchError.parsing("[terms] unknown token [VALUE_NULL] after [\(k)]")
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
                case _ where v.isNull: break
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
                case .string, .int, .uint, .double, .bool: return v
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
                    if rel.lowercased() == "disjoint" {
                        throw OpenSearchError.illegalArgument("[range] query does not support relation [\(rel)]")
                    }
                    guard ["intersects", "contains", "within"].contains(rel.lowercased()) else {
                        throw OpenSearchError.illegalArgument("\(rel) is not a valid relation")
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
        guard let field else { throw OpenSearchError.parsing("[exists] must be provided with a [field]") }
        guard !field.isEmpty else { throw OpenSearchError.illegalArgument("field name is null or empty") }
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
                    case .uint(let u): q.values.append(String(u))
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
        guard let value else { throw OpenSearchError.illegalArgument("value cannot be null") }
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
