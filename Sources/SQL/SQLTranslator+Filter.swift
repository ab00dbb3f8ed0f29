import JSON

extension SQLTranslator {
    /// WHERE → query DSL with SQL's three-valued logic: a row whose field is NULL matches neither
    /// `x = 1` nor `NOT x = 1`. Negation is pushed down to the leaves (De Morgan), and every
    /// negated leaf requires its field to exist, which is exact for single-valued fields.
    public func filter(_ e: SQLExpression, negated: Bool = false) throws(SQLError) -> JSONValue {
        switch e.node {
        case .and(let xs), .or(let xs):
            var isAnd = true
            if case .or = e.node { isAnd = false }
            if negated { isAnd.toggle() }
            var parts: [JSONValue] = []
            for x in xs { parts.append(try filter(x, negated: negated)) }
            return isAnd ? bool([("filter", .array(parts))])
                : bool([("should", .array(parts)), ("minimum_should_match", 1)])
        case .not(let x):
            return try filter(x, negated: !negated)
        case .literal(.bool(let b)):
            return b != negated ? ["match_all": .object(JSONObject())] : ["match_none": .object(JSONObject())]
        case .column(let c):
            let (field, f) = try resolve(c, at: e.position)
            guard f.type == "boolean" else { throw SQLError.unsupported("field [\(c)] used as a condition (only boolean fields)", at: e.position) }
            return leaf(field, term(field, .bool(true)), negated)
        case .comparison(let op, let l, let r):
            var (op, l, r) = (op, l, r)
            if column(l) == nil, column(r) != nil { (op, l, r) = (op.flipped, r, l) }
            guard let c = column(l) else {
                if case .aggregate = l.node { throw aggregateInWhere(l) }
                if case .aggregate = r.node { throw aggregateInWhere(r) }
                throw SQLError.unsupported("comparison without a field", at: e.position)
            }
            if column(r) != nil { throw SQLError.unsupported("comparison between two fields", at: r.position) }
            let v = try literal(r)
            if v.isNull { throw SQLError.unsupported("comparison with NULL (use IS NULL)", at: r.position) }
            let (field, f) = try exactField(c, at: l.position, for: "comparison")
            switch op {
            case .eq: return leaf(field, try equals(field, f, v), negated)
            case .ne: return leaf(field, try equals(field, f, v), !negated)
            case .lt: return leaf(field, range(field, [("lt", v)]), negated)
            case .le: return leaf(field, range(field, [("lte", v)]), negated)
            case .gt: return leaf(field, range(field, [("gt", v)]), negated)
            case .ge: return leaf(field, range(field, [("gte", v)]), negated)
            }
        case .inList(let x, let values, let n):
            let (field, f) = try exactFieldOf(x, "IN")
            var vals: [JSONValue] = []
            for v in values {
                let j = try literal(v)
                if j.isNull { throw SQLError.unsupported("NULL in an IN list", at: v.position) }
                vals.append(j)
            }
            let q: JSONValue
            if f.isDate {
                var parts: [JSONValue] = []
                for v in vals { parts.append(try equals(field, f, v)) }
                q = bool([("should", .array(parts)), ("minimum_should_match", 1)])
            } else {
                q = ["terms": .object(JSONObject([(field, .array(vals))]))]
            }
            return leaf(field, q, negated != n)
        case .between(let x, let lo, let hi, let n):
            let (field, _) = try exactFieldOf(x, "BETWEEN")
            let a = try literal(lo), b = try literal(hi)
            if a.isNull || b.isNull { throw SQLError.unsupported("NULL bound in BETWEEN", at: lo.position) }
            return leaf(field, range(field, [("gte", a), ("lte", b)]), negated != n)
        case .isNull(let x, let n):
            guard let c = column(x) else { throw SQLError.unsupported("IS NULL on something other than a field", at: x.position) }
            let (field, _) = try resolve(c, at: x.position)
            let exists: JSONValue = ["exists": .object(JSONObject([("field", .string(field))]))]
            // `x IS NULL` is true exactly when `exists` is false; never unknown.
            return (n != negated) ? exists : bool([("must_not", .array([exists]))])
        case .like(let x, let p, let n):
            let (field, f) = try exactFieldOf(x, "LIKE")
            guard f.type == "keyword" || f.type == "constant_keyword" || f.type == "wildcard" else {
                throw SQLError.semantic("LIKE needs a keyword or text field, [\(field)] is [\(f.type)]", at: x.position)
            }
            guard case .literal(.string(let pattern)) = p.node else { throw SQLError.unsupported("LIKE with a pattern that is not a string literal", at: p.position) }
            let q: JSONValue = ["wildcard": .object(JSONObject([(field, .object(JSONObject([
                ("value", .string(SQLTranslator.wildcard(pattern))), ("case_insensitive", true),
            ])))]))]
            return leaf(field, q, negated != n)
        case .aggregate:
            throw aggregateInWhere(e)
        case .literal:
            throw SQLError.unsupported("literal value as a condition", at: e.position)
        case .star:
            throw SQLError.syntax("[*] is not a condition", at: e.position)
        }
    }

    func aggregateInWhere(_ e: SQLExpression) -> SQLError {
        SQLError.semantic("aggregate functions are not allowed in WHERE (use HAVING)", at: e.position)
    }

    func exactFieldOf(_ x: SQLExpression, _ what: String) throws(SQLError) -> (String, SQLField) {
        guard let c = column(x) else {
            if case .aggregate = x.node { throw aggregateInWhere(x) }
            throw SQLError.unsupported("\(what) on something other than a field", at: x.position)
        }
        return try exactField(c, at: x.position, for: what)
    }

    func literal(_ e: SQLExpression) throws(SQLError) -> JSONValue {
        guard case .literal(let l) = e.node else {
            if case .aggregate = e.node { throw aggregateInWhere(e) }
            throw SQLError.unsupported("non-literal operand", at: e.position)
        }
        switch l {
        case .string(let s): return .string(s)
        case .integer(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }

    /// A positive leaf, or its SQL negation: the field must exist and the leaf must not match.
    func leaf(_ field: String, _ q: JSONValue, _ negated: Bool) -> JSONValue {
        guard negated else { return q }
        return bool([("filter", .array([["exists": .object(JSONObject([("field", .string(field))]))]])), ("must_not", .array([q]))])
    }

    func bool(_ pairs: [(String, JSONValue)]) -> JSONValue { ["bool": .object(JSONObject(pairs))] }

    func term(_ field: String, _ v: JSONValue) -> JSONValue {
        ["term": .object(JSONObject([(field, .object(JSONObject([("value", v)])))]))]
    }

    func range(_ field: String, _ bounds: [(String, JSONValue)]) -> JSONValue {
        ["range": .object(JSONObject([(field, .object(JSONObject(bounds)))]))]
    }

    /// Dates compare as a range, which parses the string with the field's date format (a term query
    /// would need the stored representation).
    func equals(_ field: String, _ f: SQLField, _ v: JSONValue) throws(SQLError) -> JSONValue {
        if f.isDate { return range(field, [("gte", v), ("lte", v)]) }
        return term(field, v)
    }

    /// LIKE pattern → wildcard: `%` → `*`, `_` → `?`, `\%` `\_` `\\` literal, and `*` `?` escaped.
    public static func wildcard(_ like: String) -> String {
        var out = ""
        var escaped = false
        for c in like {
            if escaped {
                if c == "*" || c == "?" || c == "\\" { out.append("\\") }
                out.append(c)
                escaped = false
                continue
            }
            switch c {
            case "\\": escaped = true
            case "%": out.append("*")
            case "_": out.append("?")
            case "*", "?": out.append("\\"); out.append(c)
            default: out.append(c)
            }
        }
        if escaped { out.append("\\\\") }
        return out
    }
}
