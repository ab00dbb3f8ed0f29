import JSON

/// A translated SELECT: the search body to run and how to turn its responses into rows. Three
/// shapes: plain hits (`_source` fields, sort, size), one row of metrics, or one row per group
/// read from a composite aggregation page by page (exact for every group, unlike `terms`).
public struct SQLPlan: Sendable {
    public enum Mode: Sendable, Equatable { case hits, metrics, groups }

    /// A response column. `key` is the `_source` path (hits) or the row key (`g0`, `a0`).
    public struct Column: Sendable, Equatable {
        public var name: String
        public var alias: String?
        public var type: String
        public var key: String
        /// Dates from aggregations arrive as epoch millis and are rendered as timestamps.
        public var isDate = false
        public var isIntegral = false
    }

    /// An aggregate computed per row, under its row key.
    public struct Metric: Sendable, Equatable {
        public var key: String
        public var aggregate: SQLAggregate
        public var field: SQLField?
    }

    public struct Group: Sendable, Equatable {
        public var key: String
        public var field: String
        public var isDate: Bool
    }

    public struct Order: Sendable, Equatable {
        public var key: String
        public var descending: Bool
        public var nullsFirst: Bool
    }

    public var index: String
    public var mode: Mode
    /// The search body (for groups: the first page, without `after`).
    public var body: JSONValue
    public var columns: [Column]
    public var metrics: [Metric] = []
    public var groups: [Group] = []
    /// HAVING over row keys (its columns name `g…`/`a…` keys).
    public var having: SQLExpression?
    /// In-memory ordering for metric and group rows.
    public var order: [Order] = []
    public var limit: Int?
    public var offset = 0

    /// Name of the composite aggregation in grouped bodies.
    public static let compositeName = "groups"
    /// Buckets per composite page; lowered to `search.max_buckets` when that is smaller.
    public internal(set) var pageSize = SQLPlan.defaultPageSize
    public static let defaultPageSize = 1000
    /// OpenSearch SQL's default row limit (`plugins.query.size_limit`) for queries without LIMIT.
    public static let defaultLimit = 200
}
