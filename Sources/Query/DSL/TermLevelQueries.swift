import Index
import JSON

/// `term`: one exact value (not analyzed). On a `text` field it must equal one indexed token; on
/// numeric, date, boolean and ip fields the value is converted to the field's type first.
public struct TermQuery: Sendable, Equatable {
    public var field: String
    public var value: JSONValue
    public var caseInsensitive: Bool
    public var boost: Double
    public var name: String?

    public init(field: String, value: JSONValue, caseInsensitive: Bool = false, boost: Double = 1, name: String? = nil) {
        self.field = field; self.value = value; self.caseInsensitive = caseInsensitive; self.boost = boost; self.name = name
    }
}

/// `terms`: any of several exact values.
public struct TermsQuery: Sendable, Equatable {
    public var field: String
    public var values: [JSONValue]
    public var boost: Double
    public var name: String?

    public init(field: String, values: [JSONValue], boost: Double = 1, name: String? = nil) {
        self.field = field; self.values = values; self.boost = boost; self.name = name
    }
}

/// `range`: bounds on numbers, dates (with date math, `format`, `time_zone`) and strings.
/// The legacy `from`/`to`/`include_lower`/`include_upper` form is normalised into gt/gte/lt/lte.
public struct RangeQuery: Sendable, Equatable {
    public var field: String
    public var gt: JSONValue?
    public var gte: JSONValue?
    public var lt: JSONValue?
    public var lte: JSONValue?
    /// Date format for the bounds (overrides the field's format).
    public var format: String?
    public var timeZone: DateZone?
    /// `INTERSECTS` / `CONTAINS` / `WITHIN`: only meaningful for range fields; accepted and kept.
    public var relation: String?
    public var boost: Double
    public var name: String?

    public init(field: String, gt: JSONValue? = nil, gte: JSONValue? = nil, lt: JSONValue? = nil, lte: JSONValue? = nil,
                format: String? = nil, timeZone: DateZone? = nil, relation: String? = nil, boost: Double = 1, name: String? = nil) {
        self.field = field; self.gt = gt; self.gte = gte; self.lt = lt; self.lte = lte
        self.format = format; self.timeZone = timeZone; self.relation = relation; self.boost = boost; self.name = name
    }
}

/// `exists`: the document has at least one indexed value for the field (or, for an object, for a
/// field under it).
public struct ExistsQuery: Sendable, Equatable {
    public var field: String
    public var boost: Double
    public var name: String?

    public init(field: String, boost: Double = 1, name: String? = nil) { self.field = field; self.boost = boost; self.name = name }
}

/// `ids`: documents by `_id`.
public struct IdsQuery: Sendable, Equatable {
    public var values: [String]
    public var boost: Double
    public var name: String?

    public init(values: [String], boost: Double = 1, name: String? = nil) { self.values = values; self.boost = boost; self.name = name }
}

/// `prefix`: a keyword (or a text token) starting with `value`.
public struct PrefixQuery: Sendable, Equatable {
    public var field: String
    public var value: String
    public var caseInsensitive: Bool
    public var rewrite: String?
    public var boost: Double
    public var name: String?

    public init(field: String, value: String, caseInsensitive: Bool = false, rewrite: String? = nil, boost: Double = 1, name: String? = nil) {
        self.field = field; self.value = value; self.caseInsensitive = caseInsensitive; self.rewrite = rewrite; self.boost = boost; self.name = name
    }
}

/// `wildcard`: `*` (any run of characters) and `?` (one character), `\` escapes; anchored at both ends.
public struct WildcardQuery: Sendable, Equatable {
    public var field: String
    public var pattern: WildcardPattern
    public var caseInsensitive: Bool
    public var rewrite: String?
    public var boost: Double
    public var name: String?

    public init(field: String, pattern: WildcardPattern, caseInsensitive: Bool = false, rewrite: String? = nil, boost: Double = 1, name: String? = nil) {
        self.field = field; self.pattern = pattern; self.caseInsensitive = caseInsensitive; self.rewrite = rewrite; self.boost = boost; self.name = name
    }

    public init(field: String, value: String, caseInsensitive: Bool = false, boost: Double = 1, name: String? = nil) {
        self.init(field: field, pattern: WildcardPattern(value), caseInsensitive: caseInsensitive, boost: boost, name: name)
    }
}

/// `regexp`: a Lucene regular expression, anchored at both ends, over keywords or text tokens.
public struct RegexpQuery: Sendable, Equatable {
    public var field: String
    public var pattern: RegexpPattern
    public var flags: String?
    public var caseInsensitive: Bool
    public var maxDeterminizedStates: Int?
    public var rewrite: String?
    public var boost: Double
    public var name: String?

    public init(field: String, pattern: RegexpPattern, flags: String? = nil, caseInsensitive: Bool = false,
                maxDeterminizedStates: Int? = nil, rewrite: String? = nil, boost: Double = 1, name: String? = nil) {
        self.field = field; self.pattern = pattern; self.flags = flags; self.caseInsensitive = caseInsensitive
        self.maxDeterminizedStates = maxDeterminizedStates; self.rewrite = rewrite; self.boost = boost; self.name = name
    }
}
