/// The syntax tree of a `query_string` or `simple_query_string` text, before fields are resolved
/// against a mapping. A nil `field` means "the query's default fields".
public indirect enum QueryStringNode: Sendable, Equatable {
    /// A plain term (escapes removed); analyzed per field when expanded. `fuzzy` is the `~N` edit
    /// distance if given (accepted, matched exactly).
    case term(field: String?, text: String, fuzzy: Int? = nil, boost: Double? = nil)
    /// A term with unescaped `*` / `?` (escapes kept for `WildcardPattern`). `*` alone is "has a value".
    case wildcard(field: String?, pattern: String, boost: Double? = nil)
    /// `"a phrase"` with `~slop`.
    case phrase(field: String?, text: String, slop: Int? = nil, boost: Double? = nil)
    /// `/regexp/`.
    case regexp(field: String?, pattern: String, boost: Double? = nil)
    /// `[a TO b]`, `{a TO b}`, `>5`, `<=x`; nil bounds are open (`*`).
    case range(field: String?, lower: String?, upper: String?, includeLower: Bool, includeUpper: Bool, boost: Double? = nil)
    /// `_exists_:field`.
    case exists(field: String, boost: Double? = nil)
    /// `*:*`.
    case matchAll(boost: Double? = nil)
    /// A boolean combination of clauses.
    case bool([QueryStringClause], boost: Double? = nil)

    /// The same node with a `^boost`.
    func boosted(_ b: Double?) -> QueryStringNode {
        guard let b else { return self }
        switch self {
        case .term(let f, let t, let z, _): return .term(field: f, text: t, fuzzy: z, boost: b)
        case .wildcard(let f, let p, _): return .wildcard(field: f, pattern: p, boost: b)
        case .phrase(let f, let t, let s, _): return .phrase(field: f, text: t, slop: s, boost: b)
        case .regexp(let f, let p, _): return .regexp(field: f, pattern: p, boost: b)
        case .range(let f, let lo, let hi, let il, let iu, _): return .range(field: f, lower: lo, upper: hi, includeLower: il, includeUpper: iu, boost: b)
        case .exists(let f, _): return .exists(field: f, boost: b)
        case .matchAll: return .matchAll(boost: b)
        case .bool(let c, _): return .bool(c, boost: b)
        }
    }
}

/// One clause of a boolean query-string node.
public struct QueryStringClause: Sendable, Equatable {
    public enum Occur: Sendable, Equatable { case must, should, mustNot }
    public var occur: Occur
    public var node: QueryStringNode

    public init(_ occur: Occur, _ node: QueryStringNode) { self.occur = occur; self.node = node }
}
