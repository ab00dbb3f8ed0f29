import Index
import JSON

/// The OpenSearch 2.x query DSL as a typed tree: what `"query": {…}` means, independent of how it
/// is executed. `Query.parse` turns request JSON into this tree (with OpenSearch's error types and
/// reasons); `ReferenceEvaluator` gives its brute-force meaning per document, the oracle the segment
/// engine is tested against.
///
/// Every case carries `boost` and `_name` (`name`). Values stay `JSONValue` where OpenSearch converts
/// them per field type (a term `5` is a number on a `long` field and the string "5" on a `keyword`).
public indirect enum Query: Sendable, Equatable {
    case matchAll(MatchAllQuery)
    case matchNone(MatchAllQuery)
    case term(TermQuery)
    case terms(TermsQuery)
    case range(RangeQuery)
    case exists(ExistsQuery)
    case ids(IdsQuery)
    case prefix(PrefixQuery)
    case wildcard(WildcardQuery)
    case regexp(RegexpQuery)
    case match(MatchQuery)
    case matchPhrase(MatchPhraseQuery)
    case multiMatch(MultiMatchQuery)
    case queryString(QueryStringQuery)
    case simpleQueryString(SimpleQueryStringQuery)
    case bool(BoolQuery)
    case constantScore(ConstantScoreQuery)
    case disMax(DisMaxQuery)

    /// `match_all` with default boost.
    public static var all: Query { .matchAll(MatchAllQuery()) }
    /// `match_none`.
    public static var none: Query { .matchNone(MatchAllQuery()) }

    /// Parses a query object such as `{"term": {"user": "kimchy"}}`.
    public static func parse(_ json: JSONValue) throws(OpenSearchError) -> Query {
        try QueryParser.parse(json)
    }

    /// The OpenSearch name of this query type (`match_all`, `term`, …).
    public var typeName: String {
        switch self {
        case .matchAll: return "match_all"
        case .matchNone: return "match_none"
        case .term: return "term"
        case .terms: return "terms"
        case .range: return "range"
        case .exists: return "exists"
        case .ids: return "ids"
        case .prefix: return "prefix"
        case .wildcard: return "wildcard"
        case .regexp: return "regexp"
        case .match: return "match"
        case .matchPhrase: return "match_phrase"
        case .multiMatch: return "multi_match"
        case .queryString: return "query_string"
        case .simpleQueryString: return "simple_query_string"
        case .bool: return "bool"
        case .constantScore: return "constant_score"
        case .disMax: return "dis_max"
        }
    }

    /// The query's own `boost` (1 unless given).
    public var boost: Double {
        switch self {
        case .matchAll(let q), .matchNone(let q): return q.boost
        case .term(let q): return q.boost
        case .terms(let q): return q.boost
        case .range(let q): return q.boost
        case .exists(let q): return q.boost
        case .ids(let q): return q.boost
        case .prefix(let q): return q.boost
        case .wildcard(let q): return q.boost
        case .regexp(let q): return q.boost
        case .match(let q): return q.boost
        case .matchPhrase(let q): return q.boost
        case .multiMatch(let q): return q.boost
        case .queryString(let q): return q.boost
        case .simpleQueryString(let q): return q.boost
        case .bool(let q): return q.boost
        case .constantScore(let q): return q.boost
        case .disMax(let q): return q.boost
        }
    }

    /// The query's `_name`, reported back in `matched_queries`.
    public var name: String? {
        switch self {
        case .matchAll(let q), .matchNone(let q): return q.name
        case .term(let q): return q.name
        case .terms(let q): return q.name
        case .range(let q): return q.name
        case .exists(let q): return q.name
        case .ids(let q): return q.name
        case .prefix(let q): return q.name
        case .wildcard(let q): return q.name
        case .regexp(let q): return q.name
        case .match(let q): return q.name
        case .matchPhrase(let q): return q.name
        case .multiMatch(let q): return q.name
        case .queryString(let q): return q.name
        case .simpleQueryString(let q): return q.name
        case .bool(let q): return q.name
        case .constantScore(let q): return q.name
        case .disMax(let q): return q.name
        }
    }

    /// Every `_name` in this tree, depth first (for `matched_queries`).
    public var namedQueries: [(name: String, query: Query)] {
        var out: [(String, Query)] = []
        if let n = name { out.append((n, self)) }
        switch self {
        case .bool(let b):
            for c in b.must + b.filter + b.should + b.mustNot { out += c.namedQueries }
        case .constantScore(let c): out += c.filter.namedQueries
        case .disMax(let d): for c in d.queries { out += c.namedQueries }
        default: break
        }
        return out
    }
}

/// `match_all` / `match_none`: only `boost` and `_name`.
public struct MatchAllQuery: Sendable, Equatable {
    public var boost: Double = 1
    public var name: String?
    public init(boost: Double = 1, name: String? = nil) { self.boost = boost; self.name = name }
}
