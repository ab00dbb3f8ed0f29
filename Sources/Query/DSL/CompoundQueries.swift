import Index
import JSON

/// `bool`: `must` and `filter` clauses all match (only `must` scores), `must_not` clauses none, and
/// `should` clauses at least `minimum_should_match` — which defaults to 1 when there is no `must`
/// or `filter` clause, and to 0 otherwise. A bool with no clauses matches everything.
public struct BoolQuery: Sendable, Equatable {
    public var must: [Query]
    public var filter: [Query]
    public var should: [Query]
    public var mustNot: [Query]
    public var minimumShouldMatch: MinimumShouldMatch?
    /// OpenSearch's `adjust_pure_negative`: a bool of only `must_not` clauses matches all other documents.
    public var adjustPureNegative: Bool
    public var boost: Double
    public var name: String?

    public init(must: [Query] = [], filter: [Query] = [], should: [Query] = [], mustNot: [Query] = [],
                minimumShouldMatch: MinimumShouldMatch? = nil, adjustPureNegative: Bool = true, boost: Double = 1, name: String? = nil) {
        self.must = must; self.filter = filter; self.should = should; self.mustNot = mustNot
        self.minimumShouldMatch = minimumShouldMatch; self.adjustPureNegative = adjustPureNegative; self.boost = boost; self.name = name
    }

    /// How many `should` clauses a document must match.
    public var requiredShouldCount: Int {
        if let msm = minimumShouldMatch {
            let n = msm.required(optionalClauses: should.count)
            if n > 0 { return n }
        }
        return must.isEmpty && filter.isEmpty && !should.isEmpty ? 1 : 0
    }
}

/// `constant_score`: the filter's matches, each scored `boost`.
public struct ConstantScoreQuery: Sendable, Equatable {
    public var filter: Query
    public var boost: Double
    public var name: String?

    public init(filter: Query, boost: Double = 1, name: String? = nil) { self.filter = filter; self.boost = boost; self.name = name }
}

/// `dis_max`: matches any clause; scores the best clause plus `tie_breaker` times the others.
public struct DisMaxQuery: Sendable, Equatable {
    public var queries: [Query]
    public var tieBreaker: Double
    public var boost: Double
    public var name: String?

    public init(queries: [Query], tieBreaker: Double = 0, boost: Double = 1, name: String? = nil) {
        self.queries = queries; self.tieBreaker = tieBreaker; self.boost = boost; self.name = name
    }
}
