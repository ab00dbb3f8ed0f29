/// An expression of the WHERE, HAVING, GROUP BY, ORDER BY or SELECT clauses with the offset it
/// starts at, so the translator's errors point at the part they reject.
public struct SQLExpression: Sendable, Equatable {
    public indirect enum Node: Sendable, Equatable {
        /// A field path, quoted parts joined by dots (`a.b`, `` `a-b`.c ``).
        case column(String)
        case literal(SQLLiteral)
        /// `*` as a function argument (`COUNT(*)`).
        case star
        case aggregate(SQLAggregate)
        case comparison(SQLComparison, SQLExpression, SQLExpression)
        /// AND/OR chains are flat lists, so a long chain does not make the tree (and every
        /// recursion over it) deep.
        case and([SQLExpression])
        case or([SQLExpression])
        case not(SQLExpression)
        case inList(SQLExpression, [SQLExpression], negated: Bool)
        case between(SQLExpression, SQLExpression, SQLExpression, negated: Bool)
        case isNull(SQLExpression, negated: Bool)
        case like(SQLExpression, SQLExpression, negated: Bool)
    }

    public var node: Node
    public var position: Int

    public init(_ node: Node, at position: Int) {
        self.node = node
        self.position = position
    }
}

/// A literal value of the query.
public enum SQLLiteral: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    case null
}

public enum SQLComparison: String, Sendable, Equatable {
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="

    /// The same comparison with its operands swapped (`5 < x` is `x > 5`).
    public var flipped: SQLComparison {
        switch self {
        case .eq, .ne: return self
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        }
    }
}

/// `COUNT(*)`, `COUNT([DISTINCT] x)`, `AVG/SUM/MIN/MAX(x)`.
public struct SQLAggregate: Sendable, Equatable {
    public enum Function: String, Sendable, Equatable, CaseIterable { case count = "COUNT", avg = "AVG", sum = "SUM", min = "MIN", max = "MAX" }

    public var function: Function
    /// The field, nil for `*`.
    public var field: String?
    public var distinct: Bool

    public init(_ function: Function, field: String?, distinct: Bool = false) {
        self.function = function
        self.field = field
        self.distinct = distinct
    }
}
