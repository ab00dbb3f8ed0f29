import Index

/// Lucene's classic query syntax as `query_string` accepts it: `field:value`, `field:"a phrase"~2`,
/// `AND`/`&&`, `OR`/`||`, `NOT`/`!`, `+`/`-`, `( )` groups (also `field:(a b)`), `[a TO b]`,
/// `{a TO b}` (mixed brackets too, `*` for open ends), `field:>5` / `>=` / `<` / `<=`, `*` and `?`
/// wildcards, `/regexp/`, `term~2` (fuzzy), `^boost`, `_exists_:field`, `*:*`, `\` escapes.
///
/// Clause occurrence follows Lucene's `QueryParserBase.addClause`: with default operator OR a clause
/// is SHOULD unless `+`/`AND` make it MUST or `-`/`NOT` MUST_NOT; `a AND b` turns `a` MUST too; with
/// default operator AND every unmarked clause is MUST and `OR` turns its neighbours SHOULD.
public struct QueryStringParser {
    let chars: [Character]
    let text: String
    let defaultOperator: QueryOperator
    var i = 0
    /// Parentheses open around the clause being parsed: bounded, so `((((…` cannot exhaust the stack.
    var depth = 0
    static let maxDepth = 256

    /// Parses `text`; a syntax error is OpenSearch's `query_shard_exception` ("Failed to parse query
    /// [...]") caused by Lucene's `parse_exception`.
    public static func parse(_ text: String, defaultOperator: QueryOperator = .or) throws(OpenSearchError) -> QueryStringNode {
        var p = QueryStringParser(chars: Array(text), text: text, defaultOperator: defaultOperator)
        let node = try p.parseQuery(field: nil, nested: false)
        p.skipSpace()
        if p.i < p.chars.count { throw p.error("Encountered \" \")\" \") \"\" at column \(p.i + 1).") }
        return node
    }

    func error(_ detail: String) -> OpenSearchError {
        OpenSearchError("query_shard_exception", "Failed to parse query [\(text)]", status: 400,
                        causedBy: OpenSearchError("parse_exception", "Cannot parse '\(text)': \(detail)", status: 400))
    }

    var atEnd: Bool { i >= chars.count }
    func peek(_ offset: Int = 0) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }

    mutating func skipSpace() {
        while let c = peek(), c.isWhitespace { i += 1 }
    }

    static let specials: Set<Character> = ["+", "-", "!", "(", ")", ":", "^", "[", "]", "\"", "{", "}", "~", "*", "?", "\\", "/"]

    static func isTermStart(_ c: Character) -> Bool { !c.isWhitespace && !specials.contains(c) }
    static func isTermChar(_ c: Character) -> Bool { isTermStart(c) || c == "-" || c == "+" }

    /// Whether the next characters are the keyword `word` standing alone (not the start of a term).
    func atKeyword(_ word: String) -> Bool {
        let w = Array(word)
        for (k, c) in w.enumerated() where peek(k) != c { return false }
        guard let next = peek(w.count) else { return true }
        return !(QueryStringParser.isTermChar(next) || next == "*" || next == "?")
    }

    enum Conj { case none, and, or }
    enum Mods { case none, not, req }

    mutating func parseConj() -> Conj {
        skipSpace()
        if atKeyword("AND") { i += 3; return .and }
        if atKeyword("&&") { i += 2; return .and }
        if atKeyword("OR") { i += 2; return .or }
        if atKeyword("||") { i += 2; return .or }
        return .none
    }

    mutating func parseMods() -> Mods {
        skipSpace()
        if peek() == "+" { i += 1; return .req }
        if peek() == "-" { i += 1; return .not }
        if peek() == "!" { i += 1; return .not }
        if atKeyword("NOT") { i += 3; return .not }
        return .none
    }

    mutating func parseQuery(field: String?, nested: Bool) throws(OpenSearchError) -> QueryStringNode {
        var clauses: [QueryStringClause] = []
        var firstQuery: QueryStringNode?
        var first = true
        while true {
            skipSpace()
            if atEnd || peek() == ")" { break }
            let conj = first ? .none : parseConj()
            let mods = parseMods()
            skipSpace()
            if atEnd || peek() == ")" {
                if conj != .none || mods != .none { throw error("Encountered \"<EOF>\" at line 1, column \(i).") }
                break
            }
            let q = try parseClause(field: field)
            addClause(&clauses, conj, mods, q)
            if first && mods == .none { firstQuery = q }
            first = false
        }
        if clauses.count == 1, let q = firstQuery { return q }
        return .bool(clauses)
    }

    func addClause(_ clauses: inout [QueryStringClause], _ conj: Conj, _ mods: Mods, _ q: QueryStringNode) {
        if !clauses.isEmpty && conj == .and, clauses[clauses.count - 1].occur != .mustNot {
            clauses[clauses.count - 1].occur = .must
        }
        if !clauses.isEmpty && defaultOperator == .and && conj == .or, clauses[clauses.count - 1].occur != .mustNot {
            clauses[clauses.count - 1].occur = .should
        }
        // An empty group contributes nothing (Lucene drops null clauses).
        if case .bool(let c, _) = q, c.isEmpty { return }
        let prohibited = mods == .not
        let required: Bool
        if defaultOperator == .or {
            required = mods == .req || (conj == .and && !prohibited)
        } else {
            required = !prohibited && conj != .or
        }
        clauses.append(QueryStringClause(required ? .must : (prohibited ? .mustNot : .should), q))
    }

    mutating func parseClause(field: String?) throws(OpenSearchError) -> QueryStringNode {
        var field = field
        // `name:` or `*:` prefix.
        let save = i
        if let c = peek(), QueryStringParser.isTermStart(c) || c == "*" || c == "?" {
            let (raw, _) = readTerm()
            skipSpace()
            if peek() == ":" {
                i += 1
                field = QueryStringParser.unescape(raw)
                skipSpace()
            } else {
                i = save
            }
        }
        if peek() == "(" {
            depth += 1
            defer { depth -= 1 }
            if depth > QueryStringParser.maxDepth {
                throw error("Encountered \"(\" at column \(i + 1): more than \(QueryStringParser.maxDepth) levels of parentheses")
            }
            i += 1
            let inner = try parseQuery(field: field, nested: true)
            skipSpace()
            guard peek() == ")" else { throw error("Encountered \"<EOF>\" at line 1, column \(i). Was expecting \")\"") }
            i += 1
            return inner.boosted(try parseBoost())
        }
        return try parseTerm(field: field)
    }

    /// Reads a term token: returns its raw text (escapes kept) and whether it has unescaped wildcards.
    mutating func readTerm() -> (String, Bool) {
        var raw = ""
        var wild = false
        var start = true
        while let c = peek() {
            if c == "\\" {
                guard let n = peek(1) else { raw.append(c); i += 1; break }
                raw.append(c); raw.append(n); i += 2; start = false
                continue
            }
            if c == "*" || c == "?" { wild = true; raw.append(c); i += 1; start = false; continue }
            guard start ? QueryStringParser.isTermStart(c) : QueryStringParser.isTermChar(c) else { break }
            raw.append(c); i += 1; start = false
        }
        return (raw, wild)
    }

    static func unescape(_ raw: String) -> String {
        var out = ""
        var escaped = false
        for c in raw {
            if escaped { out.append(c); escaped = false }
            else if c == "\\" { escaped = true }
            else { out.append(c) }
        }
        return out
    }

    /// Lucene's `(int) Float.parseFloat(…)` for slops and edit distances: out-of-range values
    /// saturate (Swift's `Int(_:)` traps on them: `"a b"~1e99` crashed the parser).
    static func javaInt(_ d: Double) -> Int {
        if d.isNaN { return 0 }
        if d >= Double(Int32.max) { return Int(Int32.max) }
        if d <= Double(Int32.min) { return Int(Int32.min) }
        return Int(d)
    }

    mutating func parseNumber() -> String? {
        var s = ""
        while let c = peek(), c.isNumber || c == "." { s.append(c); i += 1 }
        return s.isEmpty ? nil : s
    }

    mutating func parseBoost() throws(OpenSearchError) -> Double? {
        guard peek() == "^" else { return nil }
        i += 1
        guard let n = parseNumber(), let b = Double(n) else { throw error("Encountered \"^\" at column \(i).") }
        return b
    }

    mutating func parseTerm(field: String?) throws(OpenSearchError) -> QueryStringNode {
        guard let c = peek() else { throw error("Encountered \"<EOF>\" at line 1, column \(i).") }
        switch c {
        case "\"":
            i += 1
            var s = ""
            var closed = false
            while let d = peek() {
                i += 1
                if d == "\\", let n = peek() { s.append(n); i += 1; continue }
                if d == "\"" { closed = true; break }
                s.append(d)
            }
            guard closed else { throw error("Lexical error at line 1, column \(i + 1).  Encountered: <EOF> after : \"\\\"\(s)\"") }
            var slop: Int? = nil
            if peek() == "~" {
                i += 1
                slop = parseNumber().flatMap { Double($0) }.map(QueryStringParser.javaInt) ?? 0
            }
            let boost = try parseBoost()
            return .phrase(field: field, text: s, slop: slop, boost: boost)
        case "[", "{":
            i += 1
            let includeLower = c == "["
            skipSpace()
            let lower = try readRangeBound()
            skipSpace()
            guard atKeyword("TO") || (peek() == "T" && peek(1) == "O") else { throw error("Encountered \" <RANGE_GOOP> \" at column \(i + 1). Was expecting \"TO\"") }
            i += 2
            skipSpace()
            let upper = try readRangeBound()
            skipSpace()
            guard let close = peek(), close == "]" || close == "}" else { throw error("Encountered \"<EOF>\" at column \(i + 1). Was expecting \"]\" or \"}\"") }
            i += 1
            let boost = try parseBoost()
            return .range(field: field, lower: lower == "*" ? nil : lower, upper: upper == "*" ? nil : upper,
                          includeLower: includeLower, includeUpper: close == "]", boost: boost)
        case "/":
            i += 1
            var s = ""
            var closed = false
            while let d = peek() {
                i += 1
                if d == "\\", let n = peek() {
                    if n == "/" { s.append(n) } else { s.append(d); s.append(n) }
                    i += 1; continue
                }
                if d == "/" { closed = true; break }
                s.append(d)
            }
            guard closed else { throw error("Lexical error at line 1, column \(i + 1).  Encountered: <EOF> after : \"/\(s)\"") }
            return .regexp(field: field, pattern: s, boost: try parseBoost())
        default:
            guard QueryStringParser.isTermStart(c) || c == "*" || c == "?" else {
                throw error("Encountered \" \"\(c)\" \"\(c) \"\" at line 1, column \(i).")
            }
            let (raw, wild) = readTerm()
            var fuzzy: Int? = nil
            if peek() == "~" {
                i += 1
                fuzzy = parseNumber().flatMap { Double($0) }.map(QueryStringParser.javaInt) ?? 2
            }
            let boost = try parseBoost()
            if fuzzy == nil, peek() == "~" { i += 1; fuzzy = parseNumber().flatMap { Double($0) }.map(QueryStringParser.javaInt) ?? 2 }
            if field == "_exists_" { return .exists(field: QueryStringParser.unescape(raw), boost: boost) }
            if wild {
                if raw == "*" && field == "*" { return .matchAll(boost: boost) }
                return .wildcard(field: field, pattern: raw, boost: boost)
            }
            let text = QueryStringParser.unescape(raw)
            // OpenSearch's `field:>5`, `>=`, `<`, `<=` shorthands.
            if text.count > 1, let first = text.first, first == ">" || first == "<" {
                let inclusive = text.dropFirst().first == "=" && text.count > 2
                let bound = String(text.dropFirst(inclusive ? 2 : 1))
                if first == ">" {
                    return .range(field: field, lower: bound, upper: nil, includeLower: inclusive, includeUpper: true, boost: boost)
                }
                return .range(field: field, lower: nil, upper: bound, includeLower: true, includeUpper: inclusive, boost: boost)
            }
            return .term(field: field, text: text, fuzzy: fuzzy, boost: boost)
        }
    }

    /// A range bound: a quoted string or a run of characters up to whitespace, `]` or `}`.
    mutating func readRangeBound() throws(OpenSearchError) -> String {
        if peek() == "\"" {
            i += 1
            var s = ""
            while let d = peek() {
                i += 1
                if d == "\\", let n = peek() { s.append(n); i += 1; continue }
                if d == "\"" { return s }
                s.append(d)
            }
            throw error("Lexical error at line 1, column \(i + 1).  Encountered: <EOF>")
        }
        var s = ""
        while let d = peek(), !d.isWhitespace, d != "]", d != "}" { s.append(d); i += 1 }
        guard !s.isEmpty else { throw error("Encountered \"<EOF>\" at column \(i + 1). Was expecting one of: <RANGE_QUOTED> <RANGE_GOOP>") }
        return s
    }
}
