/// What the translator needs to know about one mapped field, taken from the index mappings by the
/// REST layer (the SQL target never sees `Mapping` itself).
public struct SQLField: Sendable, Equatable {
    /// The OpenSearch mapping type (`keyword`, `text`, `long`, `date`, …).
    public var type: String
    /// For `text` fields: a `keyword` multi-field to use for exact matches, grouping and sorting,
    /// as OpenSearch SQL does.
    public var keywordField: String?
    /// Multi-fields (`name.keyword`) are selectable but not part of `SELECT *`; their values come
    /// from the parent's `_source` entry.
    public var sourcePath: String?

    public init(type: String, keywordField: String? = nil, sourcePath: String? = nil) {
        self.type = type
        self.keywordField = keywordField
        self.sourcePath = sourcePath
    }

    public var isNumeric: Bool {
        ["long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long"].contains(type)
    }
    public var isIntegral: Bool { ["long", "integer", "short", "byte", "unsigned_long"].contains(type) }
    public var isDate: Bool { type == "date" || type == "date_nanos" }
    public var isText: Bool { type == "text" || type == "match_only_text" }

    /// The type name the SQL plugin's JDBC schema uses for this mapping type.
    public var jdbcType: String {
        switch type {
        case "date", "date_nanos": return "timestamp"
        case "half_float": return "float"
        case "scaled_float": return "double"
        case "match_only_text": return "text"
        case "constant_keyword", "wildcard": return "keyword"
        case "unsigned_long": return "long"
        case "geo_point": return "geo_point"
        case "flat_object": return "object"
        default: return type
        }
    }
}

/// Field path → field, for the indices a query reads.
public typealias SQLCatalog = [String: SQLField]
