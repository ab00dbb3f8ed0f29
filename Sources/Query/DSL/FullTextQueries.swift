import Index
import JSON

/// How the tokens of an analyzed query combine: any (`or`, the default) or all (`and`).
public enum QueryOperator: String, Sendable, Equatable {
    case or = "OR", and = "AND"

    /// Case-insensitive, like OpenSearch's `Operator.fromString`.
    static func parse(_ text: String) throws(OpenSearchError) -> QueryOperator {
        let upper = text.uppercased()
        switch upper {
        case "OR": return .or
        case "AND": return .and
        default: throw OpenSearchError.illegalArgument("No enum constant org.opensearch.index.query.Operator.\(upper)")
        }
    }
}

/// What a full-text query matches when analysis leaves no tokens (`"!!!"`, stop words).
public enum ZeroTermsQuery: String, Sendable, Equatable {
    case none, all
}

/// A field in `fields`, with its `^boost` split off (`"title^3"`). The name may be a pattern (`title*`).
public struct FieldBoost: Sendable, Equatable {
    public var field: String
    public var boost: Double

    public init(field: String, boost: Double = 1) { self.field = field; self.boost = boost }

    /// Parses `name` or `name^boost`.
    public static func parse(_ text: String) throws(OpenSearchError) -> FieldBoost {
        guard let caret = text.lastIndex(of: "^") else { return FieldBoost(field: text) }
        let name = String(text[..<caret])
        guard let b = Double(text[text.index(after: caret)...]) else {
            throw OpenSearchError.illegalArgument("failed to parse field boost [\(text)]")
        }
        return FieldBoost(field: name, boost: b)
    }
}

/// `match`: analyzes `query` with the field's analyzer and matches any (or all) of its tokens.
/// On keyword fields the whole text is one exact term; on numeric/date/boolean fields it is a term query.
public struct MatchQuery: Sendable, Equatable {
    public var field: String
    /// A string, number or boolean, as given.
    public var query: JSONValue
    public var `operator`: QueryOperator
    public var minimumShouldMatch: MinimumShouldMatch?
    /// Accepted and kept; the reference evaluator matches exactly (no edit distance).
    public var fuzziness: String?
    public var analyzer: String?
    public var zeroTermsQuery: ZeroTermsQuery
    /// Unconvertible values (text on a numeric field) match nothing instead of failing.
    public var lenient: Bool
    /// `match_bool_prefix`: the last token matches as a prefix.
    public var prefixLast: Bool
    public var boost: Double
    public var name: String?

    public init(field: String, query: JSONValue, operator: QueryOperator = .or, minimumShouldMatch: MinimumShouldMatch? = nil,
                fuzziness: String? = nil, analyzer: String? = nil, zeroTermsQuery: ZeroTermsQuery = .none, lenient: Bool = false,
                prefixLast: Bool = false, boost: Double = 1, name: String? = nil) {
        self.field = field; self.query = query; self.operator = `operator`; self.minimumShouldMatch = minimumShouldMatch
        self.fuzziness = fuzziness; self.analyzer = analyzer; self.zeroTermsQuery = zeroTermsQuery; self.lenient = lenient
        self.prefixLast = prefixLast; self.boost = boost; self.name = name
    }
}

/// `match_phrase` (and `match_phrase_prefix` with `prefixLast`): the analyzed tokens in order,
/// adjacent, or within `slop` extra positions.
public struct MatchPhraseQuery: Sendable, Equatable {
    public var field: String
    public var query: String
    public var slop: Int
    public var analyzer: String?
    public var zeroTermsQuery: ZeroTermsQuery
    public var prefixLast: Bool
    public var boost: Double
    public var name: String?

    public init(field: String, query: String, slop: Int = 0, analyzer: String? = nil, zeroTermsQuery: ZeroTermsQuery = .none,
                prefixLast: Bool = false, boost: Double = 1, name: String? = nil) {
        self.field = field; self.query = query; self.slop = slop; self.analyzer = analyzer
        self.zeroTermsQuery = zeroTermsQuery; self.prefixLast = prefixLast; self.boost = boost; self.name = name
    }
}

/// `multi_match` types. `cross_fields` is evaluated like `best_fields`; `phrase_prefix` like
/// `phrase` with a prefix last token; `bool_prefix` like `most_fields` with a prefix last token.
public enum MultiMatchType: String, Sendable, Equatable, CaseIterable {
    case bestFields = "best_fields", mostFields = "most_fields", crossFields = "cross_fields"
    case phrase, phrasePrefix = "phrase_prefix", boolPrefix = "bool_prefix"
}

/// `multi_match`: a `match` (or `match_phrase`) over several fields, combined by `type`.
public struct MultiMatchQuery: Sendable, Equatable {
    public var query: JSONValue
    /// Empty means `index.query.default_field` (`*`).
    public var fields: [FieldBoost]
    public var type: MultiMatchType
    public var `operator`: QueryOperator
    public var minimumShouldMatch: MinimumShouldMatch?
    public var tieBreaker: Double?
    public var slop: Int
    public var fuzziness: String?
    public var analyzer: String?
    public var lenient: Bool
    public var zeroTermsQuery: ZeroTermsQuery
    public var boost: Double
    public var name: String?

    public init(query: JSONValue, fields: [FieldBoost] = [], type: MultiMatchType = .bestFields, operator: QueryOperator = .or,
                minimumShouldMatch: MinimumShouldMatch? = nil, tieBreaker: Double? = nil, slop: Int = 0, fuzziness: String? = nil,
                analyzer: String? = nil, lenient: Bool = false, zeroTermsQuery: ZeroTermsQuery = .none, boost: Double = 1, name: String? = nil) {
        self.query = query; self.fields = fields; self.type = type; self.operator = `operator`
        self.minimumShouldMatch = minimumShouldMatch; self.tieBreaker = tieBreaker; self.slop = slop; self.fuzziness = fuzziness
        self.analyzer = analyzer; self.lenient = lenient; self.zeroTermsQuery = zeroTermsQuery; self.boost = boost; self.name = name
    }
}

/// `query_string`: Lucene's classic query syntax, parsed once into `parsed` (a syntax tree whose
/// leaves name a field or leave it to `default_field`/`fields`); `expand(mapping:)` gives the
/// equivalent DSL tree for a mapping.
public struct QueryStringQuery: Sendable, Equatable {
    public var query: String
    public var parsed: QueryStringNode
    public var defaultField: String?
    public var fields: [FieldBoost]
    public var defaultOperator: QueryOperator
    public var allowLeadingWildcard: Bool
    public var analyzeWildcard: Bool
    public var lenient: Bool?
    public var phraseSlop: Int
    public var tieBreaker: Double?
    public var timeZone: DateZone?
    public var minimumShouldMatch: MinimumShouldMatch?
    public var type: MultiMatchType
    public var quoteFieldSuffix: String?
    public var fuzziness: String?
    public var analyzer: String?
    public var boost: Double
    public var name: String?

    public init(query: String, parsed: QueryStringNode, defaultField: String? = nil, fields: [FieldBoost] = [],
                defaultOperator: QueryOperator = .or, allowLeadingWildcard: Bool = true, analyzeWildcard: Bool = false,
                lenient: Bool? = nil, phraseSlop: Int = 0, tieBreaker: Double? = nil, timeZone: DateZone? = nil,
                minimumShouldMatch: MinimumShouldMatch? = nil, type: MultiMatchType = .bestFields, quoteFieldSuffix: String? = nil,
                fuzziness: String? = nil, analyzer: String? = nil, boost: Double = 1, name: String? = nil) {
        self.query = query; self.parsed = parsed; self.defaultField = defaultField; self.fields = fields
        self.defaultOperator = defaultOperator; self.allowLeadingWildcard = allowLeadingWildcard; self.analyzeWildcard = analyzeWildcard
        self.lenient = lenient; self.phraseSlop = phraseSlop; self.tieBreaker = tieBreaker; self.timeZone = timeZone
        self.minimumShouldMatch = minimumShouldMatch; self.type = type; self.quoteFieldSuffix = quoteFieldSuffix
        self.fuzziness = fuzziness; self.analyzer = analyzer; self.boost = boost; self.name = name
    }

    /// Parses `text` with the classic syntax and default options.
    public init(_ text: String, defaultField: String? = nil, fields: [FieldBoost] = [], defaultOperator: QueryOperator = .or) throws(OpenSearchError) {
        self.init(query: text, parsed: try QueryStringParser.parse(text, defaultOperator: defaultOperator), defaultField: defaultField, fields: fields, defaultOperator: defaultOperator)
    }
}

/// `simple_query_string`: the forgiving syntax (`+`, `|`, `-`, `"…"`, `*`, `( )`, `~N`) that never
/// fails on bad input.
public struct SimpleQueryStringQuery: Sendable, Equatable {
    public var query: String
    public var parsed: QueryStringNode
    public var fields: [FieldBoost]
    public var defaultOperator: QueryOperator
    public var flags: String?
    public var lenient: Bool?
    public var analyzeWildcard: Bool
    public var minimumShouldMatch: MinimumShouldMatch?
    public var quoteFieldSuffix: String?
    public var analyzer: String?
    public var boost: Double
    public var name: String?

    public init(query: String, parsed: QueryStringNode, fields: [FieldBoost] = [], defaultOperator: QueryOperator = .or,
                flags: String? = nil, lenient: Bool? = nil, analyzeWildcard: Bool = false, minimumShouldMatch: MinimumShouldMatch? = nil,
                quoteFieldSuffix: String? = nil, analyzer: String? = nil, boost: Double = 1, name: String? = nil) {
        self.query = query; self.parsed = parsed; self.fields = fields; self.defaultOperator = defaultOperator; self.flags = flags
        self.lenient = lenient; self.analyzeWildcard = analyzeWildcard; self.minimumShouldMatch = minimumShouldMatch
        self.quoteFieldSuffix = quoteFieldSuffix; self.analyzer = analyzer; self.boost = boost; self.name = name
    }

    /// Parses `text` with the simple syntax and default options.
    public init(_ text: String, fields: [FieldBoost] = [], defaultOperator: QueryOperator = .or) {
        self.init(query: text, parsed: SimpleQueryStringParser.parse(text, defaultOperator: defaultOperator), fields: fields, defaultOperator: defaultOperator)
    }
}
