import Foundation
import Testing
import Index
import JSON
@testable import Query

let evaluatorMapping = #"""
{"properties": {
  "title": {"type": "text", "fields": {"raw": {"type": "keyword"}}},
  "tag": {"type": "keyword"},
  "status": {"type": "integer"},
  "latency": {"type": "double"},
  "ratio": {"type": "float"},
  "ts": {"type": "date"},
  "day": {"type": "date", "format": "yyyy-MM-dd"},
  "ok": {"type": "boolean"},
  "ip": {"type": "ip"},
  "user": {"properties": {"name": {"type": "keyword"}, "id": {"type": "long"}}}
}}
"""#

let evaluatorDocs: [(String, String)] = [
    ("1", #"{"title": "The quick brown fox", "tag": ["web", "prod"], "status": 200, "latency": 12.5, "ratio": 0.1, "ts": "2024-03-15T08:00:00Z", "day": "2024-03-15", "ok": true, "ip": "192.168.1.10", "user": {"name": "Alice", "id": 1}}"#),
    ("2", #"{"title": "Quick brown dogs and lazy foxes", "tag": "api", "status": 404, "latency": 250, "ts": "2024-03-14T23:30:00Z", "day": "2024-03-14", "ok": false, "ip": "10.0.0.1", "user": {"name": "bob"}}"#),
    ("3", #"{"title": "A lazy dog sleeps", "tag": ["web"], "status": 500, "latency": 1000.75, "ts": "2024-02-29T12:00:00Z", "ok": true, "ip": "2001:db8::1"}"#),
    ("4", #"{"tag": "Web", "status": 301, "title": "!!!"}"#),
]

@Suite struct ReferenceEvaluatorMatchingTests {
    let c: Corpus

    init() throws { c = try Corpus(mapping: evaluatorMapping, docs: evaluatorDocs) }

    @Test(arguments: [
        // term
        (#"{"term": {"tag": "web"}}"#, ["1", "3"]),
        (#"{"term": {"tag": "Web"}}"#, ["4"]),
        (#"{"term": {"tag": {"value": "WEB", "case_insensitive": true}}}"#, ["1", "3", "4"]),
        (#"{"term": {"title": "quick"}}"#, ["1", "2"]),
        (#"{"term": {"title": "Quick"}}"#, []),
        (#"{"term": {"title": {"value": "Quick", "case_insensitive": true}}}"#, ["1", "2"]),
        (#"{"term": {"title.raw": "A lazy dog sleeps"}}"#, ["3"]),
        (#"{"term": {"status": 404}}"#, ["2"]),
        (#"{"term": {"status": "404"}}"#, ["2"]),
        (#"{"term": {"status": 404.0}}"#, ["2"]),
        (#"{"term": {"status": 404.5}}"#, []),
        (#"{"term": {"latency": 12.5}}"#, ["1"]),
        (#"{"term": {"ratio": 0.1}}"#, ["1"]),
        (#"{"term": {"ok": true}}"#, ["1", "3"]),
        (#"{"term": {"ok": "false"}}"#, ["2"]),
        (#"{"term": {"ts": "2024-03-15"}}"#, ["1"]),
        (#"{"term": {"ts": "2024-03-15T08:00:00Z"}}"#, ["1"]),
        (#"{"term": {"ip": "192.168.0.0/16"}}"#, ["1"]),
        (#"{"term": {"ip": "2001:db8:0::1"}}"#, ["3"]),
        (#"{"term": {"ip": "10.0.0.1"}}"#, ["2"]),
        (#"{"term": {"_id": "3"}}"#, ["3"]),
        (#"{"term": {"missing": "x"}}"#, []),
        (#"{"terms": {"tag": ["api", "prod"]}}"#, ["1", "2"]),
        (#"{"terms": {"status": [200, "500"]}}"#, ["1", "3"]),
        // range
        (#"{"range": {"status": {"gte": 300, "lt": 500}}}"#, ["2", "4"]),
        (#"{"range": {"status": {"gt": 200}}}"#, ["2", "3", "4"]),
        (#"{"range": {"status": {"lte": 200}}}"#, ["1"]),
        (#"{"range": {"status": {"gte": 199.5, "lte": "200.5"}}}"#, ["1"]),
        (#"{"range": {"latency": {"gt": 12.5}}}"#, ["2", "3"]),
        (#"{"range": {"latency": {"gte": 12.5}}}"#, ["1", "2", "3"]),
        (#"{"range": {"ts": {"gte": "now-1d/d"}}}"#, ["1", "2"]),
        (#"{"range": {"ts": {"gt": "2024-03-14"}}}"#, ["1"]),
        (#"{"range": {"ts": {"lte": "2024-03-14"}}}"#, ["2", "3"]),
        (#"{"range": {"ts": {"lt": "2024-03-15"}}}"#, ["2", "3"]),
        (#"{"range": {"ts": {"gte": "2024-03-15", "time_zone": "+01:00"}}}"#, ["1", "2"]),
        (#"{"range": {"ts": {"gte": "2024-03-15", "time_zone": "Europe/Paris"}}}"#, ["1", "2"]),
        (#"{"range": {"ts": {"gte": "2024-02-29||/M", "lt": "2024-02-29||+1d"}}}"#, ["3"]),
        (#"{"range": {"ts": {"gte": "15/03/2024", "format": "dd/MM/yyyy"}}}"#, ["1"]),
        (#"{"range": {"ts": {"gte": 1710460800000}}}"#, ["1"]),
        (#"{"range": {"day": {"gte": "2024-03-15"}}}"#, ["1"]),
        (#"{"range": {"tag": {"gte": "a", "lt": "w"}}}"#, ["1", "2"]),
        (#"{"range": {"tag": {"lt": "a"}}}"#, ["4"]),
        (#"{"range": {"title": {"gte": "s", "lt": "t"}}}"#, ["3"]),
        (#"{"range": {"ip": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}}"#, ["2"]),
        (#"{"range": {"ok": {"gte": true}}}"#, ["1", "3"]),
        // exists, ids
        (#"{"exists": {"field": "title"}}"#, ["1", "2", "3"]),
        (#"{"exists": {"field": "title.raw"}}"#, ["1", "2", "3", "4"]),
        (#"{"exists": {"field": "user"}}"#, ["1", "2"]),
        (#"{"exists": {"field": "user.id"}}"#, ["1"]),
        (#"{"exists": {"field": "user.*"}}"#, ["1", "2"]),
        (#"{"ids": {"values": ["2", "4", "9"]}}"#, ["2", "4"]),
        // prefix, wildcard, regexp
        (#"{"prefix": {"tag": "we"}}"#, ["1", "3"]),
        (#"{"prefix": {"tag": {"value": "WE", "case_insensitive": true}}}"#, ["1", "3", "4"]),
        (#"{"prefix": {"title": "qui"}}"#, ["1", "2"]),
        (#"{"prefix": {"title": "Qui"}}"#, []),
        (#"{"prefix": {"_id": "3"}}"#, ["3"]),
        (#"{"wildcard": {"tag": "w*b"}}"#, ["1", "3"]),
        (#"{"wildcard": {"title": "QU*K"}}"#, ["1", "2"]),
        (#"{"wildcard": {"user.name": "?lice"}}"#, ["1"]),
        (#"{"wildcard": {"tag": {"value": "W?B", "case_insensitive": true}}}"#, ["1", "3", "4"]),
        (#"{"regexp": {"tag": "we.|ap[a-z]"}}"#, ["1", "2", "3"]),
        (#"{"regexp": {"title": "fox(es)?"}}"#, ["1", "2"]),
        (#"{"regexp": {"user.name": {"value": "ALICE", "case_insensitive": true}}}"#, ["1"]),
        // match and friends
        (#"{"match": {"title": "quick fox"}}"#, ["1", "2"]),
        (#"{"match": {"title": {"query": "quick fox", "operator": "and"}}}"#, ["1"]),
        (#"{"match": {"title": {"query": "quick fox lazy", "minimum_should_match": 2}}}"#, ["1", "2"]),
        (#"{"match": {"title": {"query": "quick fox lazy", "minimum_should_match": "100%"}}}"#, []),
        (#"{"match": {"title": {"query": "quick fox", "minimum_should_match": "100%"}}}"#, ["1"]),
        (#"{"match": {"title": "QUICK!!!"}}"#, ["1", "2"]),
        (#"{"match": {"title": "!!!"}}"#, []),
        (#"{"match": {"title": {"query": "!!!", "zero_terms_query": "all"}}}"#, ["1", "2", "3", "4"]),
        (#"{"match": {"tag": "web"}}"#, ["1", "3"]),
        (#"{"match": {"tag": "WEB"}}"#, []),
        (#"{"match": {"status": "404"}}"#, ["2"]),
        (#"{"match": {"status": {"query": "abc", "lenient": true}}}"#, []),
        (#"{"match": {"ts": "2024-03-15"}}"#, ["1"]),
        (#"{"match": {"ok": true}}"#, ["1", "3"]),
        (#"{"match_bool_prefix": {"title": "lazy do"}}"#, ["2", "3"]),
        (#"{"match_phrase": {"title": "quick brown"}}"#, ["1", "2"]),
        (#"{"match_phrase": {"title": "brown quick"}}"#, []),
        (#"{"match_phrase": {"title": "quick fox"}}"#, []),
        (#"{"match_phrase": {"title": {"query": "quick fox", "slop": 1}}}"#, ["1"]),
        (#"{"match_phrase": {"title": "lazy dog"}}"#, ["3"]),
        (#"{"match_phrase": {"title": "dog"}}"#, ["3"]),
        (#"{"match_phrase": {"title.raw": "A lazy dog sleeps"}}"#, ["3"]),
        (#"{"match_phrase_prefix": {"title": "lazy d"}}"#, ["3"]),
        (#"{"multi_match": {"query": "lazy", "fields": ["title", "tag"]}}"#, ["2", "3"]),
        (#"{"multi_match": {"query": "web", "fields": ["title", "tag^2"]}}"#, ["1", "3"]),
        (#"{"multi_match": {"query": "web"}}"#, ["1", "3"]),
        (#"{"multi_match": {"query": "quick brown", "fields": ["title"], "type": "phrase"}}"#, ["1", "2"]),
        (#"{"multi_match": {"query": "quick fox", "fields": ["title", "tag"], "operator": "and"}}"#, ["1"]),
        // query_string / simple_query_string
        (#"{"query_string": {"query": "title:quick AND status:>=400"}}"#, ["2"]),
        (#"{"query_string": {"query": "tag:web OR tag:api"}}"#, ["1", "2", "3"]),
        (#"{"query_string": {"query": "status:[300 TO 404]"}}"#, ["2", "4"]),
        (#"{"query_string": {"query": "status:{301 TO 500]"}}"#, ["2", "3"]),
        (#"{"query_string": {"query": "-tag:web"}}"#, ["2", "4"]),
        (#"{"query_string": {"query": "_exists_:user"}}"#, ["1", "2"]),
        (#"{"query_string": {"query": "title:qu*"}}"#, ["1", "2"]),
        (#"{"query_string": {"query": "title:QU?CK"}}"#, ["1", "2"]),
        (#"{"query_string": {"query": "\"lazy dog\"", "default_field": "title"}}"#, ["3"]),
        (#"{"query_string": {"query": "lazy -dog", "default_field": "title"}}"#, ["2"]),
        (#"{"query_string": {"query": "quick lazy", "default_field": "title", "default_operator": "AND"}}"#, ["2"]),
        (#"{"query_string": {"query": "ts:[2024-03-14 TO 2024-03-14]"}}"#, ["2"]),
        (#"{"query_string": {"query": "ts:[2024-03-15 TO *]", "time_zone": "+01:00"}}"#, ["1", "2"]),
        (#"{"query_string": {"query": "ts:>=now-1d\\/d"}}"#, ["1", "2"]),
        (#"{"query_string": {"query": "ts:[now-1d/d TO *]"}}"#, ["1", "2"]),
        (#"{"query_string": {"query": "ts:>now-1h"}}"#, []),
        (#"{"query_string": {"query": "user.name:/[ab].*/"}}"#, ["2"]),
        (#"{"query_string": {"query": "web", "fields": ["tag", "title"]}}"#, ["1", "3"]),
        (#"{"query_string": {"query": "lazy"}}"#, ["2", "3"]),
        (#"{"query_string": {"query": "*"}}"#, ["1", "2", "3", "4"]),
        (#"{"query_string": {"query": "user.name:*"}}"#, ["1", "2"]),
        (#"{"simple_query_string": {"query": "quick -lazy", "fields": ["title"]}}"#, ["1", "2", "4"]),
        (#"{"simple_query_string": {"query": "quick -lazy", "fields": ["title"], "default_operator": "and"}}"#, ["1"]),
        (#"{"simple_query_string": {"query": "\"brown fox\"", "fields": ["title"]}}"#, ["1"]),
        (#"{"simple_query_string": {"query": "fo*", "fields": ["title"]}}"#, ["1", "2"]),
        (#"{"simple_query_string": {"query": "lazy +dog", "fields": ["title"]}}"#, ["3"]),
        (#"{"simple_query_string": {"query": "sleeps | api", "fields": ["title", "tag"]}}"#, ["2", "3"]),
        (#"{"simple_query_string": {"query": ""}}"#, []),
        // compound
        (#"{"bool": {"must": {"match": {"title": "quick"}}, "filter": {"range": {"status": {"lt": 300}}}}}"#, ["1"]),
        (#"{"bool": {"should": [{"term": {"tag": "api"}}, {"term": {"tag": "prod"}}]}}"#, ["1", "2"]),
        (#"{"bool": {"should": [{"term": {"tag": "web"}}, {"term": {"tag": "prod"}}, {"term": {"status": 200}}], "minimum_should_match": 2}}"#, ["1"]),
        (#"{"bool": {"should": [{"term": {"tag": "web"}}, {"term": {"tag": "prod"}}], "minimum_should_match": "-1"}}"#, ["1", "3"]),
        (#"{"bool": {"should": [{"term": {"tag": "web"}}, {"term": {"tag": "prod"}}], "minimum_should_match": "0"}}"#, ["1", "3"]),
        (#"{"bool": {"should": [{"term": {"tag": "web"}}], "minimum_should_match": 2}}"#, []),
        (#"{"bool": {"must": {"exists": {"field": "title"}}, "should": {"term": {"tag": "api"}}}}"#, ["1", "2", "3"]),
        (#"{"bool": {"must": {"exists": {"field": "title"}}, "should": {"term": {"tag": "api"}}, "minimum_should_match": 1}}"#, ["2"]),
        (#"{"bool": {"must_not": {"term": {"tag": "web"}}}}"#, ["2", "4"]),
        (#"{"bool": {"must_not": {"term": {"tag": "web"}}, "adjust_pure_negative": false}}"#, []),
        (#"{"bool": {"must_not": {"term": {"tag": "web"}}, "should": [{"term": {"status": 301}}, {"term": {"status": 200}}]}}"#, ["4"]),
        (#"{"bool": {}}"#, ["1", "2", "3", "4"]),
        (#"{"bool": {"filter": {"bool": {"must_not": {"exists": {"field": "title"}}}}}}"#, ["4"]),
        (#"{"constant_score": {"filter": {"term": {"tag": "web"}}}}"#, ["1", "3"]),
        (#"{"dis_max": {"queries": [{"term": {"tag": "api"}}, {"term": {"status": 500}}]}}"#, ["2", "3"]),
        (#"{"match_all": {}}"#, ["1", "2", "3", "4"]),
        (#"{"match_none": {}}"#, []),
    ])
    func hits(body: String, expected: [String]) throws {
        #expect(try c.hits(body) == expected)
    }

    @Test(arguments: [
        (#"{"term": {"status": "abc"}}"#, "query_shard_exception", "failed to create query: For input string: \"abc\""),
        (#"{"match": {"status": "abc"}}"#, "query_shard_exception", "failed to create query: For input string: \"abc\""),
        (#"{"range": {"latency": {"gte": "fast"}}}"#, "query_shard_exception", "failed to create query: For input string: \"fast\""),
        (#"{"term": {"ok": "yes"}}"#, "illegal_argument_exception", "Can't parse boolean value [yes], expected [true] or [false]"),
        (#"{"term": {"ip": "not-an-ip"}}"#, "illegal_argument_exception", "'not-an-ip' is not an IP string literal."),
        (#"{"range": {"ts": {"gte": "yesterday"}}}"#, "parse_exception", "failed to parse date field [yesterday] with format [strict_date_optional_time||epoch_millis]: [failed to parse date field [yesterday] with format [strict_date_optional_time||epoch_millis]]"),
        (#"{"range": {"ts": {"gte": "now-1q"}}}"#, "parse_exception", "unit [q] not supported for date math [-1q]"),
        (#"{"prefix": {"status": "4"}}"#, "query_shard_exception", "Can only use prefix queries on keyword, text and wildcard fields - not on [status] which is of type [integer]"),
        (#"{"wildcard": {"ts": "2024*"}}"#, "query_shard_exception", "Can only use wildcard queries on keyword, text and wildcard fields - not on [ts] which is of type [date]"),
        (#"{"regexp": {"latency": "1.*"}}"#, "query_shard_exception", "Can only use regexp queries on keyword, text and wildcard fields - not on [latency] which is of type [double]"),
        (#"{"query_string": {"query": "status:abc"}}"#, "query_shard_exception", "failed to create query: For input string: \"abc\""),
        (#"{"bool": {"should": [{"match_all": {}}, {"term": {"status": "x"}}]}}"#, "query_shard_exception", "failed to create query: For input string: \"x\""),
    ])
    func errors(body: String, type: String, reason: String) throws {
        let e = try #require(try c.error(body))
        #expect(e.type == type)
        #expect(e.reason == reason)
    }

    @Test func matchesAndScoreSwallowErrors() throws {
        let q = try query(#"{"term": {"status": "abc"}}"#)
        let d = c.docs[0]
        #expect(!c.evaluator.matches(q, id: d.id, doc: d.doc, mapping: c.mapping, now: c.now))
        #expect(c.evaluator.score(q, id: d.id, doc: d.doc, mapping: c.mapping, now: c.now) == 0)
    }

    /// `bool` agrees with set algebra over its clauses' hits, for random combinations.
    @Test func boolIsSetAlgebra() throws {
        let leaves: [Query] = try [
            query(#"{"term": {"tag": "web"}}"#), query(#"{"range": {"status": {"gte": 300}}}"#),
            query(#"{"match": {"title": "lazy"}}"#), query(#"{"exists": {"field": "user"}}"#),
            query(#"{"ids": {"values": ["1", "4"]}}"#), query(#"{"prefix": {"title": "qu"}}"#),
        ]
        let all = Set(c.docs.map(\.id))
        var rng = SplitMix(seed: 7)
        func pick(_ n: UInt64) -> [Query] { (0..<Int(rng.next() % n)).map { _ in leaves[Int(rng.next() % UInt64(leaves.count))] } }
        for _ in 0..<300 {
            let b = BoolQuery(must: pick(3), filter: pick(2), should: pick(4), mustNot: pick(2),
                              minimumShouldMatch: rng.next() % 3 == 0 ? MinimumShouldMatch(count: Int(rng.next() % 3)) : nil)
            var expected = all
            for q in b.must + b.filter { expected.formIntersection(c.hits(q)) }
            for q in b.mustNot { expected.subtract(c.hits(q)) }
            let need = b.requiredShouldCount
            expected = expected.filter { id in b.should.filter { c.hits($0).contains(id) }.count >= need }
            if (b.must + b.filter + b.should + b.mustNot).isEmpty { expected = all }  // an empty bool is match_all
            #expect(Set(c.hits(.bool(b))) == expected)
        }
    }
}

@Suite struct ReferenceEvaluatorScoringTests {
    let c: Corpus

    init() throws { c = try Corpus(mapping: evaluatorMapping, docs: evaluatorDocs) }

    /// Lucene's BM25 written out independently.
    func bm25(n: Double, df: Double, tf: Double, dl: Double, avgdl: Double) -> Double {
        let idf = log(1 + (n - df + 0.5) / (df + 0.5))
        return idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl))
    }

    @Test func statistics() {
        let s = c.evaluator.statistics
        #expect(s.docCount == 4)
        #expect(s.fieldDocCount["title"] == 3 && s.fieldDocCount["tag"] == 4)
        #expect(s.docFreq["title"]?["quick"] == 2 && s.docFreq["title"]?["lazy"] == 2 && s.docFreq["tag"]?["web"] == 2)
        #expect(s.avgFieldLength["title"] == 14.0 / 3 && s.avgFieldLength["tag"] == 5.0 / 4)
        #expect(s.fieldLength["2"]?["title"] == 6 && s.fieldLength["1"]?["tag"] == 2)
        #expect(s.fieldDocCount["status"] == nil)
    }

    @Test func termOnTextIsBM25() throws {
        let q = try query(#"{"term": {"title": "quick"}}"#)
        #expect(abs(c.score(q, "1") - bm25(n: 3, df: 2, tf: 1, dl: 4, avgdl: 14.0 / 3)) < 1e-12)
        #expect(abs(c.score(q, "2") - bm25(n: 3, df: 2, tf: 1, dl: 6, avgdl: 14.0 / 3)) < 1e-12)
        #expect(c.score(q, "1") > c.score(q, "2"))  // shorter field scores higher
        let boosted = try query(#"{"term": {"title": {"value": "quick", "boost": 2}}}"#)
        #expect(abs(c.score(boosted, "1") - 2 * c.score(q, "1")) < 1e-12)
    }

    @Test func keywordTermUsesUnitLength() throws {
        let q = try query(#"{"term": {"tag": "web"}}"#)
        #expect(abs(c.score(q, "3") - bm25(n: 4, df: 2, tf: 1, dl: 1, avgdl: 1.25)) < 1e-12)
        #expect(c.score(q, "1") == c.score(q, "3"))
    }

    @Test func matchSumsTokenScores() throws {
        let q = try query(#"{"match": {"title": "quick fox"}}"#)
        let expected = bm25(n: 3, df: 2, tf: 1, dl: 4, avgdl: 14.0 / 3) + bm25(n: 3, df: 1, tf: 1, dl: 4, avgdl: 14.0 / 3)
        #expect(abs(c.score(q, "1") - expected) < 1e-12)
        #expect(c.score(q, "3") == 0)
    }

    @Test func phraseSumsIdfs() throws {
        let q = try query(#"{"match_phrase": {"title": "lazy dog"}}"#)
        let idf = log(1 + (3 - 2 + 0.5) / 2.5) + log(1 + (3 - 1 + 0.5) / 1.5)
        let expected = idf * 1 / (1 + 1.2 * (0.25 + 0.75 * 4 / (14.0 / 3)))
        #expect(abs(c.score(q, "3") - expected) < 1e-12)
        let sloppy = try query(#"{"match_phrase": {"title": {"query": "quick fox", "slop": 2}}}"#)
        let sloppyIdf = log(1 + (3 - 2 + 0.5) / 2.5) + log(1 + (3 - 1 + 0.5) / 1.5)
        let freq = 0.5  // one match, one position apart
        #expect(abs(c.score(sloppy, "1") - sloppyIdf * freq / (freq + 1.2 * (0.25 + 0.75 * 4 / (14.0 / 3)))) < 1e-12)
    }

    @Test func filtersScoreTheirBoost() throws {
        #expect(c.score(try query(#"{"range": {"status": {"gte": 100, "boost": 2.5}}}"#), "1") == 2.5)
        #expect(c.score(try query(#"{"constant_score": {"filter": {"match": {"title": "quick"}}, "boost": 3}}"#), "1") == 3)
        #expect(c.score(try query(#"{"match_all": {"boost": 0.5}}"#), "4") == 0.5)
        #expect(c.score(try query(#"{"exists": {"field": "title"}}"#), "1") == 1)
        #expect(c.score(try query(#"{"bool": {"filter": {"term": {"tag": "web"}}}}"#), "1") == 0)
        #expect(c.score(try query(#"{"bool": {"must_not": {"term": {"tag": "web"}}}}"#), "2") == 0)
        #expect(c.score(try query(#"{"bool": {}}"#), "2") == 1)
    }

    @Test func boolSumsMustAndMatchingShould() throws {
        let must = try query(#"{"match": {"title": "quick"}}"#)
        let should1 = try query(#"{"term": {"tag": "web"}}"#)
        let should2 = try query(#"{"term": {"tag": "api"}}"#)
        let b = Query.bool(BoolQuery(must: [must], filter: [.all], should: [should1, should2], boost: 2))
        #expect(abs(c.score(b, "1") - 2 * (c.score(must, "1") + c.score(should1, "1"))) < 1e-12)
        #expect(abs(c.score(b, "2") - 2 * (c.score(must, "2") + c.score(should2, "2"))) < 1e-12)
    }

    @Test func disMaxTieBreaker() throws {
        let a = try query(#"{"match": {"title": "quick"}}"#)
        let b = try query(#"{"term": {"tag": "web"}}"#)
        let d = Query.disMax(DisMaxQuery(queries: [a, b], tieBreaker: 0.3))
        let sa = c.score(a, "1"), sb = c.score(b, "1")
        #expect(abs(c.score(d, "1") - (max(sa, sb) + 0.3 * min(sa, sb))) < 1e-12)
    }

    @Test func multiMatchFieldBoosts() throws {
        let best = try query(#"{"multi_match": {"query": "web", "fields": ["title", "tag^2"]}}"#)
        #expect(abs(c.score(best, "3") - 2 * c.score(try query(#"{"term": {"tag": "web"}}"#), "3")) < 1e-12)
        let most = try query(#"{"multi_match": {"query": "quick", "fields": ["title", "title.raw"], "type": "most_fields"}}"#)
        #expect(abs(c.score(most, "1") - c.score(try query(#"{"match": {"title": "quick"}}"#), "1")) < 1e-12)
    }

    @Test func lossyNormsFollowLucene() {
        for n in 0..<24 { #expect(CorpusStatistics.decodeNorm(CorpusStatistics.encodeNorm(n)) == n) }
        #expect(CorpusStatistics.decodeNorm(CorpusStatistics.encodeNorm(25)) == 25)
        #expect(CorpusStatistics.decodeNorm(CorpusStatistics.encodeNorm(100)) == 96)
        #expect(CorpusStatistics.decodeNorm(CorpusStatistics.encodeNorm(1000)) == 984)
        // Monotonic and never above the true length.
        var last = 0
        for n in 0..<5000 {
            let d = CorpusStatistics.decodeNorm(CorpusStatistics.encodeNorm(n))
            #expect(d <= n && d >= last)
            last = d
        }
    }

    @Test func emptyStatisticsStillScore() throws {
        let e = ReferenceEvaluator()
        let d = c.docs[0]
        let s = e.score(try query(#"{"match": {"title": "quick"}}"#), id: d.id, doc: d.doc, mapping: c.mapping, now: c.now)
        #expect(s > 0 && s.isFinite)
    }
}
