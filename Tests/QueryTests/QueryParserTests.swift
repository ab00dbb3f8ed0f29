import Testing
import Index
import JSON
@testable import Query

@Suite struct QueryParserHappyPathTests {
    @Test func matchAllAndNone() throws {
        #expect(try query(#"{"match_all": {}}"#) == .all)
        #expect(try query(#"{"match_all": {"boost": 1.5, "_name": "everything"}}"#) == .matchAll(MatchAllQuery(boost: 1.5, name: "everything")))
        #expect(try query(#"{"match_none": {}}"#) == .none)
    }

    @Test func termShortAndLongForms() throws {
        #expect(try query(#"{"term": {"user": "kimchy"}}"#) == .term(TermQuery(field: "user", value: "kimchy")))
        #expect(try query(#"{"term": {"age": 5}}"#) == .term(TermQuery(field: "age", value: 5)))
        #expect(try query(#"{"term": {"ok": true}}"#) == .term(TermQuery(field: "ok", value: true)))
        let long = try query(#"{"term": {"user": {"value": "Kimchy", "boost": 2, "case_insensitive": true, "_name": "t"}}}"#)
        #expect(long == .term(TermQuery(field: "user", value: "Kimchy", caseInsensitive: true, boost: 2, name: "t")))
        #expect(long.boost == 2 && long.name == "t" && long.typeName == "term")
        #expect(try query(#"{"term": {"user": {"term": "x"}}}"#) == .term(TermQuery(field: "user", value: "x")))
    }

    @Test func terms() throws {
        #expect(try query(#"{"terms": {"tag": ["a", 1, true], "boost": 3}}"#)
                == .terms(TermsQuery(field: "tag", values: ["a", 1, true], boost: 3)))
    }

    @Test func rangeForms() throws {
        #expect(try query(#"{"range": {"age": {"gte": 10, "lt": 20}}}"#) == .range(RangeQuery(field: "age", gte: 10, lt: 20)))
        #expect(try query(#"{"range": {"age": {"gt": 1.5, "lte": "9"}}}"#) == .range(RangeQuery(field: "age", gt: 1.5, lte: "9")))
        let dated = try query(#"{"range": {"ts": {"gte": "now-1d/d", "format": "yyyy-MM-dd", "time_zone": "+01:00", "relation": "within"}}}"#)
        #expect(dated == .range(RangeQuery(field: "ts", gte: "now-1d/d", format: "yyyy-MM-dd", timeZone: try DateZone("+01:00"), relation: "within")))
        // Legacy from/to/include_*: normalised.
        #expect(try query(#"{"range": {"age": {"from": 1, "to": 5, "include_lower": false}}}"#) == .range(RangeQuery(field: "age", gt: 1, lte: 5)))
        #expect(try query(#"{"range": {"age": {"from": 1, "to": null}}}"#) == .range(RangeQuery(field: "age", gte: 1)))
        #expect(try query(#"{"range": {"age": {"gte": 1}, "_name": "r"}}"#) == .range(RangeQuery(field: "age", gte: 1, name: "r")))
        #expect(try query(#"{"range": {"other": null, "age": {"gte": 1}}}"#) == .range(RangeQuery(field: "age", gte: 1)))
    }

    @Test func existsAndIds() throws {
        #expect(try query(#"{"exists": {"field": "user"}}"#) == .exists(ExistsQuery(field: "user")))
        #expect(try query(#"{"ids": {"values": ["1", 2]}}"#) == .ids(IdsQuery(values: ["1", "2"])))
        #expect(try query(#"{"ids": {}}"#) == .ids(IdsQuery(values: [])))
    }

    @Test func patternQueries() throws {
        #expect(try query(#"{"prefix": {"user": "ki"}}"#) == .prefix(PrefixQuery(field: "user", value: "ki")))
        #expect(try query(#"{"prefix": {"user": {"value": "Ki", "case_insensitive": true, "rewrite": "constant_score"}}}"#)
                == .prefix(PrefixQuery(field: "user", value: "Ki", caseInsensitive: true, rewrite: "constant_score")))
        #expect(try query(#"{"wildcard": {"user": {"wildcard": "ki*y"}}}"#) == .wildcard(WildcardQuery(field: "user", value: "ki*y")))
        #expect(try query(#"{"wildcard": {"user": "k?m*"}}"#) == .wildcard(WildcardQuery(field: "user", value: "k?m*")))
        let re = try query(#"{"regexp": {"user": {"value": "k.*y", "flags": "ALL", "max_determinized_states": 10000}}}"#)
        #expect(re == .regexp(RegexpQuery(field: "user", pattern: try RegexpPattern("k.*y"), flags: "ALL", maxDeterminizedStates: 10000)))
        #expect(try query(#"{"regexp": {"user": "a|b"}}"#) == .regexp(RegexpQuery(field: "user", pattern: try RegexpPattern("a|b"))))
    }

    @Test func matchForms() throws {
        #expect(try query(#"{"match": {"title": "quick fox"}}"#) == .match(MatchQuery(field: "title", query: "quick fox")))
        #expect(try query(#"{"match": {"n": 5}}"#) == .match(MatchQuery(field: "n", query: 5)))
        #expect(try query(#"{"match": {"b": false}}"#) == .match(MatchQuery(field: "b", query: false)))
        let q = try query(#"{"match": {"title": {"query": "a b c", "operator": "and", "minimum_should_match": "75%", "fuzziness": "AUTO", "zero_terms_query": "all", "lenient": true, "analyzer": "standard", "prefix_length": 1}}}"#)
        #expect(q == .match(MatchQuery(field: "title", query: "a b c", operator: .and, minimumShouldMatch: try MinimumShouldMatch("75%"),
                                       fuzziness: "AUTO", analyzer: "standard", zeroTermsQuery: .all, lenient: true)))
        #expect(try query(#"{"match": {"title": {"query": "x", "fuzziness": 2}}}"#) == .match(MatchQuery(field: "title", query: "x", fuzziness: "2")))
        #expect(try query(#"{"match": {"title": {"query": "x", "operator": "OR"}}}"#) == .match(MatchQuery(field: "title", query: "x")))
        #expect(try query(#"{"match_bool_prefix": {"title": "quick br"}}"#) == .match(MatchQuery(field: "title", query: "quick br", prefixLast: true)))
    }

    @Test func matchPhrase() throws {
        #expect(try query(#"{"match_phrase": {"title": "quick fox"}}"#) == .matchPhrase(MatchPhraseQuery(field: "title", query: "quick fox")))
        #expect(try query(#"{"match_phrase": {"title": {"query": "quick fox", "slop": 2, "boost": 2}}}"#)
                == .matchPhrase(MatchPhraseQuery(field: "title", query: "quick fox", slop: 2, boost: 2)))
        #expect(try query(#"{"match_phrase_prefix": {"title": {"query": "quick f", "max_expansions": 10}}}"#)
                == .matchPhrase(MatchPhraseQuery(field: "title", query: "quick f", prefixLast: true)))
    }

    @Test func multiMatch() throws {
        let q = try query(#"{"multi_match": {"query": "fox", "fields": ["title^3", "body", "tags*"], "type": "most_fields", "tie_breaker": 0.3, "operator": "and"}}"#)
        #expect(q == .multiMatch(MultiMatchQuery(query: "fox", fields: [FieldBoost(field: "title", boost: 3), FieldBoost(field: "body"), FieldBoost(field: "tags*")],
                                                 type: .mostFields, operator: .and, tieBreaker: 0.3)))
        #expect(try query(#"{"multi_match": {"query": "fox", "fields": "title"}}"#) == .multiMatch(MultiMatchQuery(query: "fox", fields: [FieldBoost(field: "title")])))
        for t in MultiMatchType.allCases {
            let parsed = try query(#"{"multi_match": {"query": "x", "type": "\#(t.rawValue)"}}"#)
            #expect(parsed == .multiMatch(MultiMatchQuery(query: "x", type: t)))
        }
        #expect(try query(#"{"multi_match": {"query": "a b", "type": "phrase", "slop": 1}}"#) == .multiMatch(MultiMatchQuery(query: "a b", type: .phrase, slop: 1)))
    }

    @Test func queryStringOptions() throws {
        let q = try query(#"{"query_string": {"query": "title:fox AND age:>5", "default_field": "body", "default_operator": "AND", "time_zone": "Europe/Paris", "lenient": true, "analyze_wildcard": true, "boost": 2, "_name": "qs"}}"#)
        guard case .queryString(let s) = q else { Issue.record("not a query_string"); return }
        #expect(s.query == "title:fox AND age:>5")
        #expect(s.defaultField == "body" && s.defaultOperator == .and && s.lenient == true && s.analyzeWildcard)
        #expect(s.timeZone?.id == "Europe/Paris" && s.boost == 2 && s.name == "qs")
        #expect(s.parsed == .bool([QueryStringClause(.must, .term(field: "title", text: "fox")),
                                   QueryStringClause(.must, .range(field: "age", lower: "5", upper: nil, includeLower: false, includeUpper: true))]))
        let f = try query(#"{"query_string": {"query": "x", "fields": ["a^2", "b"]}}"#)
        guard case .queryString(let s2) = f else { Issue.record("not a query_string"); return }
        #expect(s2.fields == [FieldBoost(field: "a", boost: 2), FieldBoost(field: "b")])
    }

    @Test func simpleQueryString() throws {
        let q = try query(#"{"simple_query_string": {"query": "fox -dog", "fields": ["title"], "default_operator": "and", "flags": "AND|NOT|WHITESPACE", "minimum_should_match": 1}}"#)
        guard case .simpleQueryString(let s) = q else { Issue.record("not a simple_query_string"); return }
        #expect(s.fields == [FieldBoost(field: "title")] && s.defaultOperator == .and && s.flags == "AND|NOT|WHITESPACE")
        #expect(s.minimumShouldMatch == MinimumShouldMatch(count: 1))
        #expect(s.parsed == .bool([QueryStringClause(.must, .term(field: nil, text: "fox")),
                                   QueryStringClause(.must, .bool([QueryStringClause(.mustNot, .term(field: nil, text: "dog")),
                                                                   QueryStringClause(.should, .matchAll())]))]))
    }

    @Test func boolClauses() throws {
        let q = try query(#"""
        {"bool": {"must": {"term": {"a": 1}}, "filter": [{"term": {"b": 2}}, {"exists": {"field": "c"}}],
                  "should": [{"match": {"d": "x"}}], "must_not": [{"ids": {"values": ["9"]}}],
                  "minimum_should_match": "-25%", "boost": 2, "_name": "outer", "adjust_pure_negative": false}}
        """#)
        #expect(q == .bool(BoolQuery(must: [.term(TermQuery(field: "a", value: 1))],
                                     filter: [.term(TermQuery(field: "b", value: 2)), .exists(ExistsQuery(field: "c"))],
                                     should: [.match(MatchQuery(field: "d", query: "x"))],
                                     mustNot: [.ids(IdsQuery(values: ["9"]))],
                                     minimumShouldMatch: try MinimumShouldMatch("-25%"), adjustPureNegative: false, boost: 2, name: "outer")))
        #expect(try query(#"{"bool": {}}"#) == .bool(BoolQuery()))
        #expect(try query(#"{"bool": {"minimum_should_match": 2}}"#) == .bool(BoolQuery(minimumShouldMatch: MinimumShouldMatch(count: 2))))
    }

    @Test func constantScoreAndDisMax() throws {
        #expect(try query(#"{"constant_score": {"filter": {"term": {"a": "x"}}, "boost": 1.2}}"#)
                == .constantScore(ConstantScoreQuery(filter: .term(TermQuery(field: "a", value: "x")), boost: 1.2)))
        #expect(try query(#"{"dis_max": {"queries": [{"match_all": {}}], "tie_breaker": 0.7}}"#)
                == .disMax(DisMaxQuery(queries: [.all], tieBreaker: 0.7)))
    }

    @Test func namedQueriesAreCollected() throws {
        let q = try query(#"{"bool": {"_name": "b", "must": [{"term": {"a": {"value": 1, "_name": "t"}}}], "filter": {"constant_score": {"filter": {"exists": {"field": "x", "_name": "e"}}}}}}"#)
        #expect(q.namedQueries.map(\.name) == ["b", "t", "e"])
    }
}

@Suite struct QueryParserErrorTests {
    static let cases: [(String, String, String)] = [
        (#"{"foo": {}}"#, "parsing_exception", "unknown query [foo]"),
        (#"{"foo": 1}"#, "parsing_exception", "[foo] query malformed, no start_object after query name"),
        (#"{}"#, "illegal_argument_exception", "query malformed, empty clause found"),
        (#""term""#, "parsing_exception", "[_na] query malformed, must start with start_object"),
        (#"{"match_all": {}, "term": {"a": 1}}"#, "parsing_exception", "[match_all] malformed query, expected [END_OBJECT] but found [FIELD_NAME]"),
        (#"{"match_all": {"x": 1}}"#, "parsing_exception", "[match_all] query does not support [x]"),
        (#"{"term": {"a": 1, "b": 2}}"#, "parsing_exception", "[term] query doesn't support multiple fields, found [a] and [b]"),
        (#"{"term": {"a": 1, "boost": 2}}"#, "parsing_exception", "[term] query doesn't support multiple fields, found [a] and [boost]"),
        (#"{"term": {"a": [1, 2]}}"#, "parsing_exception", "[term] query does not support array of values"),
        (#"{"term": {"a": {"value": 1, "x": 2}}}"#, "parsing_exception", "[term] query does not support [x]"),
        (#"{"term": {"a": {"boost": 2}}}"#, "illegal_argument_exception", "value cannot be null"),
        (#"{"term": {"a": null}}"#, "illegal_argument_exception", "value cannot be null"),
        (#"{"term": {}}"#, "illegal_argument_exception", "field name is null or empty"),
        (#"{"term": {"a": {"value": 1, "boost": "x"}}}"#, "parsing_exception", "[term] failed to parse field [boost]"),
        (#"{"terms": {"a": [1], "b": [2]}}"#, "parsing_exception", "[terms] query does not support multiple fields"),
        (#"{"terms": {"a": null}}"#, "parsing_exception", "[terms] unknown token [VALUE_NULL] after [a]"),
        (#"{"terms": {"a": [null]}}"#, "parsing_exception", "No value specified for terms query"),
        (#"{"terms": {"boost": 2}}"#, "parsing_exception", "[terms] query requires a field name, followed by array of terms or a document lookup specification"),
        (#"{"terms": {"a": "x"}}"#, "parsing_exception", "[terms] query does not support [a]"),
        (#"{"range": {"a": {"gte": 1, "x": 2}}}"#, "parsing_exception", "[range] query does not support [x]"),
        (#"{"range": {"a": {"gte": 1}, "b": {"lt": 2}}}"#, "parsing_exception", "[range] query doesn't support multiple fields, found [a] and [b]"),
        (#"{"range": {"a": 5}}"#, "parsing_exception", "[range] query does not support [a]"),
        (#"{"range": {"a": {"gte": 1, "time_zone": "Mars/Olympus"}}}"#, "illegal_argument_exception", "java.time.zone.ZoneRulesException: Unknown time-zone ID: Mars/Olympus"),
        (#"{"range": {"a": {"gte": 1, "time_zone": "+25:00"}}}"#, "illegal_argument_exception", "java.time.DateTimeException: Invalid ID for ZoneOffset, invalid format: +25:00"),
        (#"{"range": {"a": {"gte": 1, "relation": "disjoint"}}}"#, "illegal_argument_exception", "[range] query does not support relation [disjoint]"),
        (#"{"range": {"a": {"gte": 1, "relation": "near"}}}"#, "illegal_argument_exception", "near is not a valid relation"),
        (#"{"range": {"a": {"gte": 1, "format": "yyyy-qq"}}}"#, "illegal_argument_exception", "Invalid format: [yyyy-qq]: Unknown pattern letter: q"),
        (#"{"exists": {}}"#, "parsing_exception", "[exists] must be provided with a [field]"),
        (#"{"exists": {"field": ""}}"#, "illegal_argument_exception", "field name is null or empty"),
        (#"{"exists": {"field": "a", "y": 1}}"#, "parsing_exception", "[exists] query does not support [y]"),
        (#"{"ids": {"values": "1"}}"#, "parsing_exception", "[ids] failed to parse field [values]"),
        (#"{"ids": {"value": ["1"]}}"#, "parsing_exception", "[ids] query does not support [value]"),
        (#"{"prefix": {"a": {"boost": 1}}}"#, "illegal_argument_exception", "value cannot be null"),
        (#"{"regexp": {"a": null}}"#, "illegal_argument_exception", "value cannot be null"),
        (#"{"prefix": {"a": "x", "b": "y"}}"#, "parsing_exception", "[prefix] query doesn't support multiple fields, found [a] and [b]"),
        (#"{"wildcard": {"a": {"value": "x", "flags": "ALL"}}}"#, "parsing_exception", "[wildcard] query does not support [flags]"),
        (#"{"regexp": {"a": "ab(c"}}"#, "query_shard_exception", "failed to create query: expected ')' at position 4"),
        (#"{"regexp": {"a": {"value": "x", "flags": "BOGUS"}}}"#, "illegal_argument_exception", "Unknown regexp flag [BOGUS]"),
        (#"{"match": {"a": "x", "b": "y"}}"#, "parsing_exception", "[match] query doesn't support multiple fields, found [a] and [b]"),
        (#"{"match": {"a": {"operator": "and"}}}"#, "parsing_exception", "No text specified for text query"),
        (#"{"match": {"a": {"query": "x", "slop": 1}}}"#, "parsing_exception", "[match] query does not support [slop]"),
        (#"{"match": {"a": {"query": "x", "operator": "xor"}}}"#, "illegal_argument_exception", "No enum constant org.opensearch.index.query.Operator.XOR"),
        (#"{"match": {"a": {"query": "x", "zero_terms_query": "some"}}}"#, "parsing_exception", "Unsupported zero_terms_query value [some]"),
        (#"{"match": {"a": {"query": "x", "minimum_should_match": "lots"}}}"#, "parsing_exception", "[match] failed to parse field [minimum_should_match]"),
        (#"{"match": {"a": ["x"]}}"#, "parsing_exception", "[match] unknown token [START_ARRAY] after [a]"),
        (#"{"match": {"a": {"query": {"x": 1}}}}"#, "parsing_exception", "[match] unknown token [START_OBJECT] after [query]"),
        (#"{"match_phrase": {"a": {"query": "x", "operator": "and"}}}"#, "parsing_exception", "[match_phrase] query does not support [operator]"),
        (#"{"match_phrase": {"a": {"query": "x y", "slop": -1}}}"#, "illegal_argument_exception", "No negative slop allowed."),
        (#"{"match_phrase": {"a": {"slop": 1}}}"#, "illegal_argument_exception", "[match_phrase] requires query value"),
        (#"{"match_phrase_prefix": {"a": {"slop": 1}}}"#, "illegal_argument_exception", "[match_phrase_prefix] requires query value"),
        (#"{"match_bool_prefix": {"a": {"operator": "and"}}}"#, "illegal_argument_exception", "[match_bool_prefix] requires query value"),
        (#"{"multi_match": {"fields": ["a"]}}"#, "parsing_exception", "No text specified for multi_match query"),
        (#"{"multi_match": {"query": "x", "type": "best"}}"#, "parse_exception", "failed to parse [multi_match] query type [best]. unknown type."),
        (#"{"multi_match": {"query": "x", "type": "phrase", "fuzziness": 1}}"#, "parsing_exception", "Fuzziness not allowed for type [phrase]"),
        (#"{"multi_match": {"query": "x", "colour": 1}}"#, "parsing_exception", "[multi_match] query does not support [colour]"),
        (#"{"query_string": {"default_field": "a"}}"#, "parsing_exception", "[query_string] must be provided with a [query]"),
        (#"{"query_string": {"query": "a", "frobnicate": true}}"#, "parsing_exception", "[query_string] query does not support [frobnicate]"),
        (#"{"query_string": {"query": "a AND"}}"#, "query_shard_exception", "Failed to parse query [a AND]"),
        (#"{"query_string": {"query": "(a OR b"}}"#, "query_shard_exception", "Failed to parse query [(a OR b]"),
        (#"{"query_string": {"query": "\"open phrase"}}"#, "query_shard_exception", "Failed to parse query [\"open phrase]"),
        (#"{"query_string": {"query": "a:[1 TO"}}"#, "query_shard_exception", "Failed to parse query [a:[1 TO]"),
        (#"{"query_string": {"query": "path/to"}}"#, "query_shard_exception", "Failed to parse query [path/to]"),
        (#"{"query_string": {"query": "*foo", "allow_leading_wildcard": false}}"#, "query_shard_exception", "Failed to parse query [*foo]"),
        (#"{"simple_query_string": {"fields": ["a"]}}"#, "parsing_exception", "[simple_query_string] query text missing"),
        (#"{"simple_query_string": {"query": "a", "default_field": "x"}}"#, "parsing_exception", "[simple_query_string] query does not support [default_field]"),
        (#"{"bool": {"x": []}}"#, "parsing_exception", "[bool] query does not support [x]"),
        (#"{"bool": {"must": "x"}}"#, "parsing_exception", "[bool] query does not support [must]"),
        (#"{"bool": {"must": ["x"]}}"#, "parsing_exception", "[_na] query malformed, must start with start_object"),
        (#"{"bool": {"must": [{}]}}"#, "illegal_argument_exception", "query malformed, empty clause found"),
        (#"{"bool": {"must": [{"nope": {}}]}}"#, "parsing_exception", "unknown query [nope]"),
        (#"{"bool": {"minimum_should_match": true}}"#, "parsing_exception", "[bool] failed to parse field [minimum_should_match]"),
        (#"{"constant_score": {"boost": 2}}"#, "parsing_exception", "[constant_score] requires a 'filter' element"),
        (#"{"constant_score": {"filter": {"match_all": {}}, "query": {}}}"#, "parsing_exception", "[constant_score] query does not support [query]"),
        (#"{"dis_max": {"tie_breaker": 0.1}}"#, "parsing_exception", "[dis_max] requires 'queries' field with at least one clause"),
    ]

    @Test(arguments: cases)
    func rejects(body: String, type: String, reason: String) throws {
        let e = try #require(try queryError(body))
        #expect(e.type == type)
        #expect(e.reason == reason)
        #expect(e.status == 400)
    }

    @Test func queryStringSyntaxErrorHasLuceneCause() throws {
        let e = try #require(try queryError(#"{"query_string": {"query": "a AND"}}"#))
        #expect(e.causedBy.first?.type == "parse_exception")
        #expect(e.causedBy.first?.reason.hasPrefix("Cannot parse 'a AND':") == true)
    }
}

@Suite struct MinimumShouldMatchTests {
    @Test(arguments: [
        ("3", 5, 3), ("3", 2, 3), ("-2", 5, 3), ("-7", 5, 0), ("75%", 4, 3), ("75%", 3, 2), ("-25%", 4, 3),
        ("-25%", 3, 3), ("100%", 3, 3), ("0", 4, 0), ("3<90%", 3, 3), ("3<90%", 10, 9), ("2<-25% 9<-3", 2, 2),
        ("2<-25% 9<-3", 4, 3), ("2<-25% 9<-3", 12, 9), (" 2 < -1 ", 5, 4),
    ])
    func resolves(spec: String, clauses: Int, expected: Int) throws {
        #expect(try MinimumShouldMatch(spec).required(optionalClauses: clauses) == expected)
    }

    @Test func rejectsGarbage() {
        #expect(throws: OpenSearchError.self) { try MinimumShouldMatch("abc") }
        #expect(throws: OpenSearchError.self) { try MinimumShouldMatch("x<2") }
    }

    /// Java ints: a percent or count past Int32 is an error (it trapped on `10 * percent`), and
    /// the product wraps like Java's.
    @Test func hugeNumbersAreErrorsNotTraps() throws {
        #expect(throws: OpenSearchError.self) { try MinimumShouldMatch("5000000000000000000%") }
        #expect(throws: OpenSearchError.self) { try MinimumShouldMatch("99999999999") }
        #expect(throws: OpenSearchError.self) { try MinimumShouldMatch("99999999999<2") }
        #expect(try MinimumShouldMatch("2147483647%").required(optionalClauses: 2) == 2)  // 2 * MAX wraps to -2: -0.02 → 2 + 0
    }
}
