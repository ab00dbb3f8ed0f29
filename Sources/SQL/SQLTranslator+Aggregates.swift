import JSON

extension SQLTranslator {
    /// Shared state while translating a grouped or metrics query: aggregates get row keys `a0…`
    /// (deduplicated, hidden ones added for HAVING and ORDER BY), group fields get `g0…`.
    struct AggregateContext {
        var metrics: [SQLPlan.Metric] = []
        var groups: [SQLPlan.Group] = []
        /// Resolved group field → key.
        var groupKeys: [String: String] = [:]
    }

    func aggregated(_ s: SQLSelect, _ query: JSONValue) throws(SQLError) -> SQLPlan {
        var ctx = AggregateContext()
        var sources: [JSONValue] = []
        for g in s.groupBy {
            var e = g
            if case .literal(.integer) = g.node { e = try orderTarget(g, s) }
            if let c = column(e), let item = s.items.first(where: { $0.alias == c && catalog[c] == nil }), let x = item.expression { e = x }
            guard let c = column(e) else {
                if case .aggregate = e.node { throw SQLError.semantic("aggregate function in GROUP BY", at: e.position) }
                throw SQLError.unsupported("expression in GROUP BY (only fields)", at: e.position)
            }
            let (field, f) = try exactField(c, at: e.position, for: "GROUP BY")
            if ctx.groupKeys[field] != nil { continue }
            let key = "g\(ctx.groups.count)"
            ctx.groupKeys[field] = key
            ctx.groups.append(SQLPlan.Group(key: key, field: field, isDate: f.isDate))
            sources.append(.object(JSONObject([(key, .object(JSONObject([
                ("terms", .object(JSONObject([("field", .string(field)), ("missing_bucket", true)]))),
            ])))])))
        }
        var columns: [SQLPlan.Column] = []
        for item in s.items {
            guard let e = item.expression else { throw SQLError.semantic("SELECT * with GROUP BY or aggregate functions", at: item.position) }
            let (key, type, isDate, integral) = try rowKey(e, &ctx, clause: "SELECT")
            columns.append(SQLPlan.Column(name: item.text, alias: item.alias, type: type, key: key, isDate: isDate, isIntegral: integral))
        }
        let having = try s.having.map { h throws(SQLError) in try rewrite(h, s, &ctx) }
        var order: [SQLPlan.Order] = []
        for o in s.orderBy {
            let e = try orderTarget(o.expression, s)
            let key: String
            if let c = column(e), let i = s.items.firstIndex(where: { $0.alias == c }), i < columns.count {
                key = columns[i].key
            } else {
                key = try rowKey(e, &ctx, clause: "ORDER BY").0
            }
            order.append(SQLPlan.Order(key: key, descending: o.descending, nullsFirst: o.nullsFirst ?? !o.descending))
        }
        var aggs = JSONObject()
        for m in ctx.metrics {
            guard let body = metricBody(m) else { continue }
            aggs[m.key] = body
        }
        var body = JSONObject()
        body["size"] = 0
        body["query"] = query
        if ctx.groups.isEmpty {
            body["track_total_hits"] = true
            if !aggs.isEmpty { body["aggs"] = .object(aggs) }
        } else {
            var composite = JSONObject()
            composite["composite"] = .object(JSONObject([("size", .number(SQLPlan.defaultPageSize)), ("sources", .array(sources))]))
            if !aggs.isEmpty { composite["aggs"] = .object(aggs) }
            body["aggs"] = .object(JSONObject([(SQLPlan.compositeName, .object(composite))]))
        }
        var plan = SQLPlan(index: s.index, mode: ctx.groups.isEmpty ? .metrics : .groups, body: .object(body), columns: columns,
                           limit: s.limit, offset: s.offset)
        plan.metrics = ctx.metrics
        plan.groups = ctx.groups
        plan.having = having
        plan.order = order
        return plan
    }

    /// The row key of a SELECT/ORDER BY/HAVING term: a group field or an aggregate.
    func rowKey(_ e: SQLExpression, _ ctx: inout AggregateContext, clause: String) throws(SQLError) -> (String, String, Bool, Bool) {
        switch e.node {
        case .column(let c):
            let (field, f) = try exactField(c, at: e.position, for: clause)
            guard let key = ctx.groupKeys[field] else {
                throw SQLError.semantic("field [\(c)] in \(clause) must appear in GROUP BY or in an aggregate function", at: e.position)
            }
            let original = (try? resolve(c, at: e.position).1) ?? f
            return (key, original.jdbcType, f.isDate, f.isIntegral)
        case .aggregate(let a):
            var field: SQLField?
            if let name = a.field {
                let (path, f) = try resolve(name, at: e.position)
                field = f
                switch a.function {
                case .count: break
                case .avg, .sum:
                    guard f.isNumeric else { throw SQLError.semantic("\(a.function.rawValue) needs a numeric field, [\(path)] is [\(f.type)]", at: e.position) }
                case .min, .max:
                    guard f.isNumeric || f.isDate else {
                        throw SQLError.semantic("\(a.function.rawValue) needs a numeric or date field, [\(path)] is [\(f.type)]", at: e.position)
                    }
                }
            }
            let key: String
            if let existing = ctx.metrics.first(where: { $0.aggregate == a }) {
                key = existing.key
            } else {
                key = "a\(ctx.metrics.count)"
                ctx.metrics.append(SQLPlan.Metric(key: key, aggregate: a, field: field))
            }
            switch a.function {
            case .count: return (key, "long", false, true)
            case .avg: return (key, "double", false, false)
            case .sum: return (key, field?.isIntegral == true ? "long" : "double", false, field?.isIntegral == true)
            case .min, .max: return (key, field?.jdbcType ?? "double", field?.isDate == true, field?.isIntegral == true)
            }
        case .literal:
            throw SQLError.unsupported("literal value in \(clause)", at: e.position)
        default:
            throw SQLError.unsupported("expression in \(clause) (only fields and aggregates)", at: e.position)
        }
    }

    /// HAVING with its fields and aggregates replaced by row keys.
    func rewrite(_ e: SQLExpression, _ s: SQLSelect, _ ctx: inout AggregateContext) throws(SQLError) -> SQLExpression {
        func sub(_ x: SQLExpression) throws(SQLError) -> SQLExpression { try rewrite(x, s, &ctx) }
        func key(_ x: SQLExpression) throws(SQLError) -> SQLExpression {
            switch x.node {
            case .literal: return x
            case .column(let c):
                if let item = s.items.first(where: { $0.alias == c }), let target = item.expression {
                    return SQLExpression(.column(try rowKey(target, &ctx, clause: "HAVING").0), at: x.position)
                }
                return SQLExpression(.column(try rowKey(x, &ctx, clause: "HAVING").0), at: x.position)
            case .aggregate: return SQLExpression(.column(try rowKey(x, &ctx, clause: "HAVING").0), at: x.position)
            default: throw SQLError.unsupported("expression in HAVING", at: x.position)
            }
        }
        switch e.node {
        case .and(let xs):
            var out: [SQLExpression] = []
            for x in xs { out.append(try sub(x)) }
            return SQLExpression(.and(out), at: e.position)
        case .or(let xs):
            var out: [SQLExpression] = []
            for x in xs { out.append(try sub(x)) }
            return SQLExpression(.or(out), at: e.position)
        case .not(let x): return SQLExpression(.not(try sub(x)), at: e.position)
        case .comparison(let op, let l, let r): return SQLExpression(.comparison(op, try key(l), try key(r)), at: e.position)
        case .isNull(let x, let n): return SQLExpression(.isNull(try key(x), negated: n), at: e.position)
        case .between(let x, let a, let b, let n): return SQLExpression(.between(try key(x), try key(a), try key(b), negated: n), at: e.position)
        case .inList(let x, let xs, let n):
            var vals: [SQLExpression] = []
            for v in xs { vals.append(try key(v)) }
            return SQLExpression(.inList(try key(x), vals, negated: n), at: e.position)
        case .like: throw SQLError.unsupported("LIKE in HAVING", at: e.position)
        case .literal(.bool): return e
        default: throw SQLError.unsupported("HAVING condition that is not a comparison", at: e.position)
        }
    }

    func metricBody(_ m: SQLPlan.Metric) -> JSONValue? {
        let a = m.aggregate
        guard let name = a.field else { return nil } // COUNT(*) is the bucket's doc_count
        let field = (try? exactField(name, at: 0, for: "aggregate").0) ?? name
        let f: JSONValue = .string(field)
        switch a.function {
        case .count where a.distinct:
            return ["cardinality": .object(JSONObject([("field", f), ("precision_threshold", 40_000)]))]
        case .count: return ["value_count": .object(JSONObject([("field", f)]))]
        case .avg: return ["avg": .object(JSONObject([("field", f)]))]
        case .sum: return ["sum": .object(JSONObject([("field", f)]))]
        case .min: return ["min": .object(JSONObject([("field", f)]))]
        case .max: return ["max": .object(JSONObject([("field", f)]))]
        }
    }
}
