/// Recursive-descent parser for the SELECT subset. Everything outside it is recognised far
/// enough to be named in a 400 ("JOIN is not supported") rather than reported as a bare syntax
/// error. Nesting is capped so hostile input cannot exhaust the stack.
public struct SQLParser: Sendable {
    static let maxDepth = 64
    static let maxQueryLength = 1 << 20

    /// Words that end an expression or start a clause; they cannot be bare column names.
    static let reserved: Set<String> = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "AND", "OR", "NOT", "IN",
        "BETWEEN", "IS", "NULL", "LIKE", "AS", "ASC", "DESC", "TRUE", "FALSE", "DISTINCT", "JOIN", "INNER", "LEFT",
        "RIGHT", "FULL", "OUTER", "CROSS", "ON", "UNION", "INTERSECT", "EXCEPT", "MINUS", "CASE", "WHEN", "THEN",
        "ELSE", "END", "OVER", "PARTITION", "WINDOW", "ALL", "EXISTS", "NULLS", "FIRST", "LAST", "ILIKE", "RLIKE",
        "REGEXP", "USING", "NATURAL", "WITH", "INTO", "VALUES", "SET", "FOR", "FETCH", "ESCAPE",
    ]
    static let otherStatements: Set<String> = [
        "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "TRUNCATE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN",
        "WITH", "MERGE", "REPLACE", "GRANT", "REVOKE", "USE", "SET", "CALL", "VALUES", "UPSERT",
    ]
    static let joinWords: Set<String> = ["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL"]
    static let setOperators: Set<String> = ["UNION", "INTERSECT", "EXCEPT", "MINUS"]

    let lexer: SQLLexer
    let tokens: [SQLToken]
    var i = 0
    var depth = 0

    public init(_ query: String) throws(SQLError) {
        guard query.utf8.count <= SQLParser.maxQueryLength else {
            throw SQLError.syntax("query is longer than \(SQLParser.maxQueryLength) bytes", at: nil)
        }
        lexer = SQLLexer(query)
        tokens = try lexer.tokenize()
    }

    /// Parses one statement (a trailing `;` allowed).
    public static func parse(_ query: String) throws(SQLError) -> SQLSelect {
        var p = try SQLParser(query)
        return try p.statement()
    }

    // MARK: tokens

    var current: SQLToken { tokens[min(i, tokens.count - 1)] }
    func peek(_ k: Int = 1) -> SQLToken { tokens[min(i + k, tokens.count - 1)] }
    mutating func advance() -> SQLToken { let t = current; if i < tokens.count - 1 { i += 1 }; return t }

    func at(_ keyword: String) -> Bool { current.keyword == keyword }
    mutating func accept(_ keyword: String) -> Bool {
        if at(keyword) { i += 1; return true }
        return false
    }
    mutating func acceptSymbol(_ s: String) -> Bool {
        if current.isSymbol(s) { i += 1; return true }
        return false
    }
    mutating func expect(_ keyword: String) throws(SQLError) {
        guard accept(keyword) else { throw unexpected("expecting \(keyword)") }
    }
    mutating func expectSymbol(_ s: String) throws(SQLError) {
        guard acceptSymbol(s) else { throw unexpected("expecting [\(s)]") }
    }
    func unexpected(_ hint: String) -> SQLError {
        if current.kind == .end { return SQLError.syntax("unexpected end of query, \(hint)", at: current.start) }
        return SQLError.syntax("unexpected [\(current.display)], \(hint)", at: current.start)
    }

    // MARK: statement

    mutating func statement() throws(SQLError) -> SQLSelect {
        guard at("SELECT") else {
            if let k = current.keyword, SQLParser.otherStatements.contains(k) {
                throw SQLError.unsupported("\(k) statement", at: current.start)
            }
            if current.isSymbol("(") { throw SQLError.unsupported("parenthesised query", at: current.start) }
            throw unexpected("expecting SELECT")
        }
        i += 1
        var s = SQLSelect()
        if at("DISTINCT") { throw SQLError.unsupported("SELECT DISTINCT", at: current.start) }
        _ = accept("ALL")
        repeat { s.items.append(try selectItem()) } while acceptSymbol(",")
        try expect("FROM")
        try table(&s)
        if accept("WHERE") { s.whereClause = try expression() }
        if at("GROUP") {
            i += 1
            try expect("BY")
            repeat { s.groupBy.append(try expression()) } while acceptSymbol(",")
        }
        if accept("HAVING") { s.having = try expression() }
        if at("ORDER") {
            i += 1
            try expect("BY")
            repeat { s.orderBy.append(try orderItem()) } while acceptSymbol(",")
        }
        if accept("LIMIT") {
            let first = try count("LIMIT")
            if acceptSymbol(",") {
                s.offset = first
                s.limit = try count("LIMIT")
            } else {
                s.limit = first
            }
        }
        if accept("OFFSET") { s.offset = try count("OFFSET") }
        if acceptSymbol(";"), current.kind != .end { throw SQLError.unsupported("multiple statements", at: current.start) }
        guard current.kind == .end else {
            if let k = current.keyword {
                if SQLParser.setOperators.contains(k) { throw SQLError.unsupported(k, at: current.start) }
                if k == "WINDOW" { throw SQLError.unsupported("window functions", at: current.start) }
                if k == "FOR" || k == "FETCH" { throw SQLError.unsupported(k, at: current.start) }
            }
            throw unexpected("expecting end of query")
        }
        return s
    }

    mutating func count(_ clause: String) throws(SQLError) -> Int {
        guard case .number(let text) = current.kind, let n = Int(text), n >= 0, n <= Int(Int32.max) else {
            throw unexpected("\(clause) takes a non-negative integer")
        }
        i += 1
        return n
    }

    mutating func selectItem() throws(SQLError) -> SQLSelect.Item {
        let start = current.start
        if current.isSymbol("*") {
            i += 1
            return SQLSelect.Item(expression: nil, alias: nil, text: "*", position: start)
        }
        let e = try expression()
        let text = lexer.text(start, tokens[max(0, i - 1)].end)
        var alias: String?
        if accept("AS") {
            alias = try identifier("alias")
        } else if case .quoted(let q) = current.kind {
            alias = q; i += 1
        } else if case .word(let w) = current.kind, !SQLParser.reserved.contains(w.uppercased()) {
            alias = w; i += 1
        }
        return SQLSelect.Item(expression: e, alias: alias, text: text, position: start)
    }

    mutating func identifier(_ what: String) throws(SQLError) -> String {
        switch current.kind {
        case .quoted(let q): i += 1; return q
        case .word(let w) where !SQLParser.reserved.contains(w.uppercased()): i += 1; return w
        default: throw unexpected("expecting \(what)")
        }
    }

    /// `FROM` target: a quoted name, or an unquoted index pattern made of adjacent tokens
    /// (`request-events-2026.11.*`), optionally aliased; several, comma-separated, is a join.
    mutating func table(_ s: inout SQLSelect) throws(SQLError) {
        s.indexPosition = current.start
        if current.isSymbol("(") { throw SQLError.unsupported("subquery in FROM", at: current.start) }
        if case .quoted(let q) = current.kind {
            i += 1
            s.index = q
        } else {
            guard isPatternPart(current), current.keyword.map({ !SQLParser.reserved.contains($0) }) ?? true else {
                throw unexpected("expecting an index name")
            }
            let start = current.start
            var end = advance().end
            while isPatternPart(current), current.start == end { end = advance().end }
            s.index = lexer.text(start, end)
        }
        if accept("AS") {
            s.tableAlias = try identifier("table alias")
        } else if case .word(let w) = current.kind, !SQLParser.reserved.contains(w.uppercased()) {
            s.tableAlias = w; i += 1
        }
        if current.isSymbol(",") { throw SQLError.unsupported("JOIN (several tables in FROM)", at: current.start) }
        if let k = current.keyword, SQLParser.joinWords.contains(k) { throw SQLError.unsupported("JOIN", at: current.start) }
    }

    func isPatternPart(_ t: SQLToken) -> Bool {
        switch t.kind {
        case .word, .number: return true
        case .symbol(let s): return s == "-" || s == "*" || s == "." || s == ":"
        default: return false
        }
    }

    mutating func orderItem() throws(SQLError) -> SQLSelect.OrderItem {
        let e = try expression()
        var desc = false
        if accept("DESC") { desc = true } else { _ = accept("ASC") }
        var nullsFirst: Bool?
        if accept("NULLS") {
            if accept("FIRST") { nullsFirst = true } else if accept("LAST") { nullsFirst = false } else { throw unexpected("expecting FIRST or LAST") }
        }
        return SQLSelect.OrderItem(expression: e, descending: desc, nullsFirst: nullsFirst)
    }

    // MARK: expressions

    mutating func nested<T>(_ body: (inout SQLParser) throws(SQLError) -> T) throws(SQLError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= SQLParser.maxDepth else { throw SQLError.syntax("expression nested deeper than \(SQLParser.maxDepth) levels", at: current.start) }
        return try body(&self)
    }

    public mutating func expression() throws(SQLError) -> SQLExpression {
        try nested { (p: inout SQLParser) throws(SQLError) in try p.orExpression() }
    }

    mutating func orExpression() throws(SQLError) -> SQLExpression {
        var terms = [try andExpression()]
        while at("OR") || current.isSymbol("||") {
            if current.isSymbol("||") { throw SQLError.unsupported("operator [||]", at: current.start) }
            i += 1
            terms.append(try andExpression())
        }
        return terms.count == 1 ? terms[0] : SQLExpression(.or(terms), at: terms[0].position)
    }

    mutating func andExpression() throws(SQLError) -> SQLExpression {
        var terms = [try notExpression()]
        while accept("AND") { terms.append(try notExpression()) }
        return terms.count == 1 ? terms[0] : SQLExpression(.and(terms), at: terms[0].position)
    }

    mutating func notExpression() throws(SQLError) -> SQLExpression {
        if at("NOT") {
            let pos = advance().start
            let e = try nested { (p: inout SQLParser) throws(SQLError) in try p.notExpression() }
            return SQLExpression(.not(e), at: pos)
        }
        return try predicate()
    }

    mutating func predicate() throws(SQLError) -> SQLExpression {
        let l = try operand()
        if case .symbol(let s) = current.kind, let op = SQLParser.comparison(s) {
            i += 1
            if at("ANY") || at("ALL") || at("SOME") { throw SQLError.unsupported("\(current.keyword ?? "") subquery comparison", at: current.start) }
            let r = try operand()
            return SQLExpression(.comparison(op, l, r), at: l.position)
        }
        if at("IS") {
            i += 1
            let negated = accept("NOT")
            guard accept("NULL") else {
                if at("TRUE") || at("FALSE") || at("UNKNOWN") { throw SQLError.unsupported("IS \(current.keyword ?? "")", at: current.start) }
                throw unexpected("expecting NULL")
            }
            return SQLExpression(.isNull(l, negated: negated), at: l.position)
        }
        let negated = at("NOT") && ["IN", "BETWEEN", "LIKE", "ILIKE", "RLIKE", "REGEXP"].contains(peek().keyword ?? "")
        if negated { i += 1 }
        if accept("IN") {
            try expectSymbol("(")
            if at("SELECT") { throw SQLError.unsupported("subquery", at: current.start) }
            var values: [SQLExpression] = []
            repeat { values.append(try operand()) } while acceptSymbol(",")
            try expectSymbol(")")
            return SQLExpression(.inList(l, values, negated: negated), at: l.position)
        }
        if accept("BETWEEN") {
            let lo = try operand()
            try expect("AND")
            let hi = try operand()
            return SQLExpression(.between(l, lo, hi, negated: negated), at: l.position)
        }
        if accept("LIKE") {
            let pattern = try operand()
            if at("ESCAPE") { throw SQLError.unsupported("LIKE … ESCAPE", at: current.start) }
            return SQLExpression(.like(l, pattern, negated: negated), at: l.position)
        }
        if let k = current.keyword, ["ILIKE", "RLIKE", "REGEXP", "SIMILAR", "MATCH"].contains(k) {
            throw SQLError.unsupported("operator [\(k)]", at: current.start)
        }
        return l
    }

    static func comparison(_ s: String) -> SQLComparison? {
        switch s {
        case "=": return .eq
        case "!=", "<>": return .ne
        case "<": return .lt
        case "<=": return .le
        case ">": return .gt
        case ">=": return .ge
        default: return nil
        }
    }

    /// A primary followed by no arithmetic: `+ - * / %` are named and rejected.
    mutating func operand() throws(SQLError) -> SQLExpression {
        let e = try primary()
        if case .symbol(let s) = current.kind, ["+", "-", "*", "/", "%"].contains(s) {
            throw SQLError.unsupported("arithmetic operator [\(s)]", at: current.start)
        }
        return e
    }

    mutating func primary() throws(SQLError) -> SQLExpression {
        let t = current
        switch t.kind {
        case .end:
            throw unexpected("expecting an expression")
        case .string(let s):
            i += 1
            return SQLExpression(.literal(.string(s)), at: t.start)
        case .number(let text):
            i += 1
            return SQLExpression(.literal(try SQLParser.number(text, negative: false, at: t.start)), at: t.start)
        case .symbol("-"), .symbol("+"):
            i += 1
            guard case .number(let text) = current.kind else { throw SQLError.unsupported("unary operator [\(t.display)] on a non-literal", at: t.start) }
            i += 1
            return SQLExpression(.literal(try SQLParser.number(text, negative: t.isSymbol("-"), at: t.start)), at: t.start)
        case .symbol("("):
            i += 1
            if at("SELECT") { throw SQLError.unsupported("subquery", at: current.start) }
            let e = try expression()
            if current.isSymbol(",") { throw SQLError.unsupported("row value", at: current.start) }
            try expectSymbol(")")
            return e
        case .symbol("*"):
            throw SQLError.syntax("[*] is only allowed as the whole SELECT list or in COUNT(*)", at: t.start)
        case .quoted:
            return SQLExpression(.column(try path()), at: t.start)
        case .word(let w):
            let k = w.uppercased()
            switch k {
            case "TRUE", "FALSE":
                i += 1
                return SQLExpression(.literal(.bool(k == "TRUE")), at: t.start)
            case "NULL":
                i += 1
                return SQLExpression(.literal(.null), at: t.start)
            case "CASE": throw SQLError.unsupported("CASE expression", at: t.start)
            case "EXISTS": throw SQLError.unsupported("EXISTS subquery", at: t.start)
            case "SELECT": throw SQLError.unsupported("subquery", at: t.start)
            case "INTERVAL", "DATE", "TIMESTAMP", "TIME":
                if case .string = peek().kind { throw SQLError.unsupported("\(k) literal", at: t.start) }
            default: break
            }
            if peek().isSymbol("(") { return try function() }
            if SQLParser.reserved.contains(k) { throw unexpected("expecting an expression") }
            return SQLExpression(.column(try path()), at: t.start)
        default:
            throw unexpected("expecting an expression")
        }
    }

    static func number(_ text: String, negative: Bool, at position: Int) throws(SQLError) -> SQLLiteral {
        let signed = negative ? "-" + text : text
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            guard let v = Int64(signed) else { throw SQLError.syntax("integer literal [\(signed)] out of range", at: position) }
            return .integer(v)
        }
        guard let d = Double(signed), d.isFinite else { throw SQLError.syntax("invalid number [\(signed)]", at: position) }
        return .double(d)
    }

    /// A field path: identifiers joined by `.` without spaces in between.
    mutating func path() throws(SQLError) -> String {
        var parts: [String] = []
        repeat {
            switch current.kind {
            case .quoted(let q): parts.append(q); i += 1
            case .word(let w) where !SQLParser.reserved.contains(w.uppercased()) || !parts.isEmpty: parts.append(w); i += 1
            case .number(let n) where !parts.isEmpty && n.allSatisfy(\.isNumber): parts.append(n); i += 1
            default: throw unexpected("expecting a field name")
            }
        } while current.isSymbol(".") && advance().end > 0
        return parts.joined(separator: ".")
    }

    mutating func function() throws(SQLError) -> SQLExpression {
        let name = advance()
        let upper = name.keyword ?? ""
        i += 1 // (
        guard let f = SQLAggregate.Function(rawValue: upper) else {
            throw SQLError.unsupported("function [\(upper)]", at: name.start)
        }
        let distinct = accept("DISTINCT")
        if !distinct { _ = accept("ALL") }
        var field: String?
        if current.isSymbol("*") {
            guard f == .count, !distinct else { throw SQLError.unsupported("\(upper)(\(distinct ? "DISTINCT " : "")*)", at: current.start) }
            i += 1
        } else {
            let arg = try operand()
            guard case .column(let c) = arg.node else {
                if case .aggregate = arg.node { throw SQLError.unsupported("nested aggregate function", at: arg.position) }
                throw SQLError.unsupported("\(upper) of an expression other than a field", at: arg.position)
            }
            field = c
        }
        if current.isSymbol(",") { throw SQLError.unsupported("\(upper) with several arguments", at: current.start) }
        try expectSymbol(")")
        if distinct && f != .count { throw SQLError.unsupported("\(upper)(DISTINCT …)", at: name.start) }
        if at("OVER") { throw SQLError.unsupported("window functions (OVER)", at: current.start) }
        if at("FILTER") { throw SQLError.unsupported("aggregate FILTER clause", at: current.start) }
        return SQLExpression(.aggregate(SQLAggregate(f, field: field, distinct: distinct)), at: name.start)
    }
}
