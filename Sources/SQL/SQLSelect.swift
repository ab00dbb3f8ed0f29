/// A parsed `SELECT … FROM … [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]` statement: the only
/// statement the endpoint runs.
public struct SQLSelect: Sendable, Equatable {
    /// One entry of the SELECT list; `expression` nil is `*`.
    public struct Item: Sendable, Equatable {
        public var expression: SQLExpression?
        public var alias: String?
        /// The expression as written, which is the column's `name` in the response.
        public var text: String
        public var position: Int

        public init(expression: SQLExpression?, alias: String?, text: String, position: Int) {
            self.expression = expression
            self.alias = alias
            self.text = text
            self.position = position
        }
    }

    public struct OrderItem: Sendable, Equatable {
        public var expression: SQLExpression
        public var descending: Bool
        /// `NULLS FIRST` / `NULLS LAST`; nil is SQL's default (first ascending, last descending).
        public var nullsFirst: Bool?

        public init(expression: SQLExpression, descending: Bool, nullsFirst: Bool? = nil) {
            self.expression = expression
            self.descending = descending
            self.nullsFirst = nullsFirst
        }
    }

    public var items: [Item] = []
    /// The index name, alias or pattern (`request-events-*`), possibly comma-separated.
    public var index = ""
    public var indexPosition = 0
    /// `FROM idx AS t`: `t.x` then means field `x`.
    public var tableAlias: String?
    public var whereClause: SQLExpression?
    public var groupBy: [SQLExpression] = []
    public var having: SQLExpression?
    public var orderBy: [OrderItem] = []
    public var limit: Int?
    public var offset = 0

    public init() {}
}
