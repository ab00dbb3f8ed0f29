import Testing
import Index
import JSON
@testable import Query

typealias C = QueryStringClause

func qs(_ text: String, _ op: QueryOperator = .or) throws(OpenSearchError) -> QueryStringNode { try QueryStringParser.parse(text, defaultOperator: op) }
func term(_ f: String?, _ t: String) -> QueryStringNode { .term(field: f, text: t) }

@Suite struct QueryStringParserTests {
    @Test func singleTerms() throws {
        #expect(try qs("fox") == term(nil, "fox"))
        #expect(try qs("title:fox") == term("title", "fox"))
        #expect(try qs("  title : fox  ") == term("title", "fox"))
        #expect(try qs("wi-fi") == term(nil, "wi-fi"))
        #expect(try qs("a+b") == term(nil, "a+b"))
        #expect(try qs("user.name:kimchy") == term("user.name", "kimchy"))
        #expect(try qs(#"path:C\:\\x"#) == term("path", #"C:\x"#))
        #expect(try qs("status:404^2") == .term(field: "status", text: "404", boost: 2))
        #expect(try qs("quikc~") == .term(field: nil, text: "quikc", fuzzy: 2))
        #expect(try qs("quikc~1^3") == .term(field: nil, text: "quikc", fuzzy: 1, boost: 3))
        #expect(try qs("ANDROID") == term(nil, "ANDROID"))
        #expect(try qs("") == .bool([]))
    }

    /// Found by Scripts/fuzz.sh: a slop or edit distance past Int's range trapped.
    @Test func hugeSlopAndFuzzinessSaturateLikeJava() throws {
        #expect(try qs(#""a b"~99999999999999999999999999999999"#) == .phrase(field: nil, text: "a b", slop: Int(Int32.max)))
        #expect(try qs("abc~9999999999999999999999999") == .term(field: nil, text: "abc", fuzzy: Int(Int32.max)))
        #expect(try qs("abc^2~99999999999999999999999") == .term(field: nil, text: "abc", fuzzy: Int(Int32.max), boost: 2))
    }

    @Test func phrasesRangesAndSpecials() throws {
        #expect(try qs(#"title:"quick brown""#) == .phrase(field: "title", text: "quick brown"))
        #expect(try qs(#""a \"b\" c"~2^1.5"#) == .phrase(field: nil, text: #"a "b" c"#, slop: 2, boost: 1.5))
        #expect(try qs("age:[1 TO 5]") == .range(field: "age", lower: "1", upper: "5", includeLower: true, includeUpper: true))
        #expect(try qs("age:{1 TO 5}") == .range(field: "age", lower: "1", upper: "5", includeLower: false, includeUpper: false))
        #expect(try qs("age:[1 TO 5}") == .range(field: "age", lower: "1", upper: "5", includeLower: true, includeUpper: false))
        #expect(try qs("age:[* TO 5]") == .range(field: "age", lower: nil, upper: "5", includeLower: true, includeUpper: true))
        #expect(try qs(#"date:["2024-01-01" TO now/d]"#) == .range(field: "date", lower: "2024-01-01", upper: "now/d", includeLower: true, includeUpper: true))
        #expect(try qs("age:>5") == .range(field: "age", lower: "5", upper: nil, includeLower: false, includeUpper: true))
        #expect(try qs("age:>=5") == .range(field: "age", lower: "5", upper: nil, includeLower: true, includeUpper: true))
        #expect(try qs("age:<5") == .range(field: "age", lower: nil, upper: "5", includeLower: true, includeUpper: false))
        #expect(try qs("age:<=5") == .range(field: "age", lower: nil, upper: "5", includeLower: true, includeUpper: true))
        #expect(try qs("qu?ck*") == .wildcard(field: nil, pattern: "qu?ck*"))
        #expect(try qs("name:*") == .wildcard(field: "name", pattern: "*"))
        #expect(try qs("*:*") == .matchAll())
        #expect(try qs("_exists_:title") == .exists(field: "title"))
        #expect(try qs("name:/joh?n(ath[oa]n)/") == .regexp(field: "name", pattern: "joh?n(ath[oa]n)"))
        #expect(try qs(#"path:/a\/b/"#) == .regexp(field: "path", pattern: "a/b"))
    }

    @Test func booleanOperatorsWithDefaultOr() throws {
        #expect(try qs("a b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(try qs("a AND b") == .bool([C(.must, term(nil, "a")), C(.must, term(nil, "b"))]))
        #expect(try qs("a && b") == .bool([C(.must, term(nil, "a")), C(.must, term(nil, "b"))]))
        #expect(try qs("a OR b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(try qs("a || b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(try qs("+a -b c") == .bool([C(.must, term(nil, "a")), C(.mustNot, term(nil, "b")), C(.should, term(nil, "c"))]))
        #expect(try qs("a AND NOT b") == .bool([C(.must, term(nil, "a")), C(.mustNot, term(nil, "b"))]))
        #expect(try qs("a !b") == .bool([C(.should, term(nil, "a")), C(.mustNot, term(nil, "b"))]))
        #expect(try qs("NOT a") == .bool([C(.mustNot, term(nil, "a"))]))
        #expect(try qs("-a") == .bool([C(.mustNot, term(nil, "a"))]))
        #expect(try qs("+a") == .bool([C(.must, term(nil, "a"))]))
        // Lucene's left-to-right quirk: `a OR b AND c` is `a +b +c`.
        #expect(try qs("a OR b AND c") == .bool([C(.should, term(nil, "a")), C(.must, term(nil, "b")), C(.must, term(nil, "c"))]))
        #expect(try qs("a AND b OR c") == .bool([C(.must, term(nil, "a")), C(.must, term(nil, "b")), C(.should, term(nil, "c"))]))
    }

    @Test func booleanOperatorsWithDefaultAnd() throws {
        #expect(try qs("a b", .and) == .bool([C(.must, term(nil, "a")), C(.must, term(nil, "b"))]))
        #expect(try qs("a OR b", .and) == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(try qs("a b OR c", .and) == .bool([C(.must, term(nil, "a")), C(.should, term(nil, "b")), C(.should, term(nil, "c"))]))
        #expect(try qs("a -b", .and) == .bool([C(.must, term(nil, "a")), C(.mustNot, term(nil, "b"))]))
    }

    @Test func groups() throws {
        #expect(try qs("(a OR b) AND c") == .bool([C(.must, .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))])), C(.must, term(nil, "c"))]))
        #expect(try qs("title:(quick brown)") == .bool([C(.should, term("title", "quick")), C(.should, term("title", "brown"))]))
        #expect(try qs("title:(quick OR body:fox)") == .bool([C(.should, term("title", "quick")), C(.should, term("body", "fox"))]))
        #expect(try qs("(a b)^2") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))], boost: 2))
        #expect(try qs("(a)") == term(nil, "a"))
        #expect(try qs("a ()") == term(nil, "a"))
        #expect(try qs("status:(>=400 AND <500)") == .bool([
            C(.must, .range(field: "status", lower: "400", upper: nil, includeLower: true, includeUpper: true)),
            C(.must, .range(field: "status", lower: nil, upper: "500", includeLower: true, includeUpper: false)),
        ]))
    }

    @Test(arguments: ["a AND", "a OR", "NOT", "(a", "a)", "\"a", "a:[1 TO", "a:[1 5]", "x^", "/ab", "a:"])
    func syntaxErrors(text: String) {
        do {
            _ = try qs(text)
            Issue.record("expected a syntax error for \(text)")
        } catch {
            #expect(error.type == "query_shard_exception")
            #expect(error.reason == "Failed to parse query [\(text)]")
        }
    }
}

@Suite struct SimpleQueryStringParserTests {
    func sqs(_ text: String, _ op: QueryOperator = .or, flags: SimpleQueryStringParser.Flags = .all) -> QueryStringNode {
        SimpleQueryStringParser.parse(text, defaultOperator: op, flags: flags)
    }
    func not(_ n: QueryStringNode) -> QueryStringNode { .bool([C(.mustNot, n), C(.should, .matchAll())]) }

    @Test func vectors() {
        #expect(sqs("fox") == term(nil, "fox"))
        #expect(sqs("") == .bool([]))
        #expect(sqs("   ") == .bool([]))
        #expect(sqs("a b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(sqs("a b", .and) == .bool([C(.must, term(nil, "a")), C(.must, term(nil, "b"))]))
        #expect(sqs("a +b") == .bool([C(.must, term(nil, "a")), C(.must, term(nil, "b"))]))
        #expect(sqs("a | b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(sqs("a b +c") == .bool([C(.must, .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))])), C(.must, term(nil, "c"))]))
        #expect(sqs("a -b") == .bool([C(.should, term(nil, "a")), C(.should, not(term(nil, "b")))]))
        #expect(sqs("--a") == term(nil, "a"))
        #expect(sqs("wi-fi") == term(nil, "wi-fi"))
        #expect(sqs(#""quick fox""#) == .phrase(field: nil, text: "quick fox"))
        #expect(sqs(#""quick fox"~3"#) == .phrase(field: nil, text: "quick fox", slop: 3))
        #expect(sqs("qui*") == .wildcard(field: nil, pattern: "qui*"))
        #expect(sqs("quikc~1") == .term(field: nil, text: "quikc", fuzzy: 1))
        #expect(sqs("(a | b) +c") == .bool([C(.must, .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))])), C(.must, term(nil, "c"))]))
        #expect(sqs("title:foo") == term(nil, "title:foo"))
        // Never fails: unbalanced syntax is ignored.
        #expect(sqs(#""unclosed"#) == term(nil, "unclosed"))
        #expect(sqs("(a b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        // A stray `)` is skipped (it used to loop forever; found by Scripts/fuzz.sh).
        #expect(sqs(")") == .bool([]))
        #expect(sqs("a)") == term(nil, "a"))
        #expect(sqs("a ) b") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(sqs("a) | b)") == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "b"))]))
        #expect(sqs("a\\+b") == term(nil, "a+b"))
    }

    @Test func flagsRestrictOperators() throws {
        #expect(sqs("a+b", flags: try SimpleQueryStringParser.Flags.parse("NONE")) == term(nil, "a+b"))
        #expect(sqs("a -b", flags: try SimpleQueryStringParser.Flags.parse("WHITESPACE")) == .bool([C(.should, term(nil, "a")), C(.should, term(nil, "-b"))]))
        #expect(sqs("qui*", flags: try SimpleQueryStringParser.Flags.parse("WHITESPACE")) == term(nil, "qui*"))
        #expect(throws: OpenSearchError.self) { try SimpleQueryStringParser.Flags.parse("SOMETIMES") }
    }
}

@Suite struct QueryStringExpansionTests {
    let m: Mapping

    init() throws {
        m = try parseMapping(#"{"properties": {"title": {"type": "text", "fields": {"raw": {"type": "keyword"}}}, "tag": {"type": "keyword"}, "age": {"type": "long"}, "loc": {"type": "geo_point"}}}"#)
    }

    @Test func singleFieldTermBecomesMatch() throws {
        let q = try QueryStringQuery("title:Fox").expand(mapping: m)
        #expect(q == .match(MatchQuery(field: "title", query: "Fox", lenient: false)))
    }

    @Test func defaultFieldsExpandWithDisMax() throws {
        let q = try QueryStringQuery("fox", fields: [FieldBoost(field: "title", boost: 2), FieldBoost(field: "tag")]).expand(mapping: m)
        #expect(q == .disMax(DisMaxQuery(queries: [.match(MatchQuery(field: "title", query: "fox", boost: 2)), .match(MatchQuery(field: "tag", query: "fox"))])))
        // `*` resolves to every searchable leaf (multi-fields included) and is lenient.
        let all = try QueryStringQuery("fox").expand(mapping: m)
        guard case .disMax(let d) = all else { Issue.record("expected dis_max"); return }
        #expect(d.queries.map { q -> String in if case .match(let mq) = q { return mq.field + (mq.lenient ? "~" : "") }; return "?" }
                == ["age~", "tag~", "title~", "title.raw~"])
    }

    @Test func operatorsAndLeaves() throws {
        let q = try QueryStringQuery("title:(quick AND -slow) OR age:[1 TO 5} OR _exists_:tag OR tag:ab*", defaultField: "title").expand(mapping: m)
        let expected: Query = .bool(BoolQuery(should: [
            .bool(BoolQuery(must: [.match(MatchQuery(field: "title", query: "quick"))], mustNot: [.match(MatchQuery(field: "title", query: "slow"))])),
            .range(RangeQuery(field: "age", gte: "1", lt: "5")),
            .exists(ExistsQuery(field: "tag")),
            .wildcard(WildcardQuery(field: "tag", value: "ab*")),
        ]))
        #expect(q == expected)
        #expect(try QueryStringQuery("*", defaultField: "*").expand(mapping: m) == .all)
        #expect(try QueryStringQuery("*", defaultField: "tag").expand(mapping: m) == .exists(ExistsQuery(field: "tag")))
        #expect(try QueryStringQuery("", defaultField: "tag").expand(mapping: m) == .none)
        #expect(try QueryStringQuery(#""a b"~1"#, defaultField: "title").expand(mapping: m) == .matchPhrase(MatchPhraseQuery(field: "title", query: "a b", slop: 1)))
        #expect(try QueryStringQuery("a b", defaultField: "title", defaultOperator: .and).expand(mapping: m)
                == .bool(BoolQuery(must: [.match(MatchQuery(field: "title", query: "a", operator: .and)), .match(MatchQuery(field: "title", query: "b", operator: .and))])))
    }

    @Test func fieldPatterns() throws {
        let q = try QueryStringQuery("title*:x").expand(mapping: m)
        #expect(q == .disMax(DisMaxQuery(queries: [.match(MatchQuery(field: "title", query: "x", lenient: true)), .match(MatchQuery(field: "title.raw", query: "x", lenient: true))])))
    }

    @Test func multiMatchExpansion() {
        let q = MultiMatchQuery(query: "fox", fields: [FieldBoost(field: "title", boost: 3), FieldBoost(field: "tag")], type: .mostFields, boost: 2).expand(mapping: m)
        #expect(q == .bool(BoolQuery(should: [.match(MatchQuery(field: "title", query: "fox", boost: 3)), .match(MatchQuery(field: "tag", query: "fox"))], boost: 2)))
        let p = MultiMatchQuery(query: "quick fox", fields: [FieldBoost(field: "title")], type: .phrase, tieBreaker: 0.5, slop: 1).expand(mapping: m)
        #expect(p == .disMax(DisMaxQuery(queries: [.matchPhrase(MatchPhraseQuery(field: "title", query: "quick fox", slop: 1))], tieBreaker: 0.5)))
    }
}
