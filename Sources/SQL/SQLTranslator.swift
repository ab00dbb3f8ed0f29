import JSON

/// Turns a parsed SELECT into a `SQLPlan` against the fields of the indices it reads: WHERE into
/// query DSL, aggregates into metric aggregations, GROUP BY into composite sources, and the
/// clauses that cannot be pushed down (HAVING, ORDER BY on aggregates) into in-memory steps.
public struct SQLTranslator: Sendable {
    public let catalog: SQLCatalog
    let tableAlias: String?

    public init(catalog: SQLCatalog, tableAlias: String? = nil) {
        self.catalog = catalog
        self.tableAlias = tableAlias
    }

    public func translate(_ s: SQLSelect) throws(SQLError) -> SQLPlan {
        let query = try s.whereClause.map { e throws(SQLError) in try filter(e) } ?? ["match_all": .object(JSONObject())]
        let hasAggregates = s.items.contains { $0.expression.map(containsAggregate) ?? false }
            || (s.having.map(containsAggregate) ?? false)
            || s.orderBy.contains { containsAggregate($0.expression) }
        if s.groupBy.isEmpty && !hasAggregates {
            if let h = s.having { throw SQLError.semantic("HAVING without GROUP BY or aggregate functions", at: h.position) }
            return try hits(s, query)
        }
        return try aggregated(s, query)
    }

    func containsAggregate(_ e: SQLExpression) -> Bool {
        switch e.node {
        case .aggregate: return true
        case .comparison(_, let l, let r), .like(let l, let r, _):
            return containsAggregate(l) || containsAggregate(r)
        case .and(let xs), .or(let xs): return xs.contains(where: containsAggregate)
        case .not(let x), .isNull(let x, _): return containsAggregate(x)
        case .inList(let x, let xs, _): return containsAggregate(x) || xs.contains(where: containsAggregate)
        case .between(let x, let a, let b, _): return containsAggregate(x) || containsAggregate(a) || containsAggregate(b)
        default: return false
        }
    }

    // MARK: fields

    /// The field a column names (a `t.` table-alias prefix dropped).
    func resolve(_ path: String, at position: Int) throws(SQLError) -> (String, SQLField) {
        var p = path
        if let a = tableAlias, p.hasPrefix(a + "."), catalog[p] == nil { p = String(p.dropFirst(a.count + 1)) }
        if let f = catalog[p] { return (p, f) }
        if catalog.keys.contains(where: { $0.hasPrefix(p + ".") }) { return (p, SQLField(type: "object")) }
        throw SQLError.semantic("can't resolve field [\(path)]: no such field in the index mapping", at: position)
    }

    /// The field to use for exact matching, sorting and grouping: text goes to its keyword sub-field.
    func exactField(_ path: String, at position: Int, for use: String) throws(SQLError) -> (String, SQLField) {
        let (p, f) = try resolve(path, at: position)
        if f.type == "object" { throw SQLError.semantic("\(use) on object field [\(path)]", at: position) }
        guard f.isText else { return (p, f) }
        guard let k = f.keywordField else {
            throw SQLError.semantic("\(use) on text field [\(path)] needs a keyword sub-field", at: position)
        }
        return (k, catalog[k] ?? SQLField(type: "keyword"))
    }

    func column(_ e: SQLExpression) -> String? { if case .column(let c) = e.node { return c }; return nil }

    // MARK: plain hits

    func hits(_ s: SQLSelect, _ query: JSONValue) throws(SQLError) -> SQLPlan {
        var columns: [SQLPlan.Column] = []
        var sourceAll = false
        for item in s.items {
            guard let e = item.expression else {
                sourceAll = true
                for (path, f) in catalog.sorted(by: { $0.key < $1.key }) where f.sourcePath == nil && f.type != "object" && f.type != "nested" {
                    columns.append(SQLPlan.Column(name: path, alias: nil, type: f.jdbcType, key: path))
                }
                continue
            }
            guard let c = column(e) else { throw nonColumn(e, "SELECT") }
            let (p, f) = try resolve(c, at: e.position)
            columns.append(SQLPlan.Column(name: item.text, alias: item.alias, type: f.jdbcType, key: f.sourcePath ?? p))
        }
        var sort: [JSONValue] = []
        for o in s.orderBy {
            let e = try orderTarget(o.expression, s)
            guard let c = column(e) else { throw nonColumn(e, "ORDER BY") }
            let (field, _) = try exactField(c, at: e.position, for: "ORDER BY")
            let nullsFirst = o.nullsFirst ?? !o.descending
            sort.append(.object(JSONObject([(field, .object(JSONObject([
                ("order", .string(o.descending ? "desc" : "asc")), ("missing", .string(nullsFirst ? "_first" : "_last")),
            ])))])))
        }
        var body = JSONObject()
        body["from"] = .number(s.offset)
        body["size"] = .number(s.limit ?? SQLPlan.defaultLimit)
        body["query"] = query
        body["_source"] = sourceAll ? .bool(true) : .array(Array(Set(columns.map(\.key))).sorted().map { .string($0) })
        if !sort.isEmpty { body["sort"] = .array(sort) }
        body["track_total_hits"] = true
        return SQLPlan(index: s.index, mode: .hits, body: .object(body), columns: columns, limit: s.limit, offset: s.offset)
    }

    func nonColumn(_ e: SQLExpression, _ clause: String) -> SQLError {
        if case .literal = e.node { return SQLError.unsupported("literal value in \(clause)", at: e.position) }
        if case .aggregate = e.node { return SQLError.semantic("aggregate function in \(clause) of a query without GROUP BY or aggregates", at: e.position) }
        return SQLError.unsupported("expression in \(clause) (only fields and aggregates)", at: e.position)
    }

    /// `ORDER BY 2` and `ORDER BY alias` name SELECT items.
    func orderTarget(_ e: SQLExpression, _ s: SQLSelect) throws(SQLError) -> SQLExpression {
        if case .literal(.integer(let n)) = e.node {
            guard n >= 1, n <= s.items.count, let x = s.items[Int(n) - 1].expression else {
                throw SQLError.semantic("ORDER BY position [\(n)] is not in the SELECT list", at: e.position)
            }
            return x
        }
        if let c = column(e), let item = s.items.first(where: { $0.alias == c }), let x = item.expression { return x }
        return e
    }
}
