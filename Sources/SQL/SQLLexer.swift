/// Splits a SQL query into tokens. Works on Unicode scalars so positions are stable whatever the
/// input, and every loop advances at least one scalar, so any input ends in linear time.
public struct SQLLexer: Sendable {
    public let scalars: [Unicode.Scalar]

    public init(_ text: String) { scalars = Array(text.unicodeScalars) }

    /// The source text between two offsets (used for column names as written: `COUNT(*)`).
    public func text(_ start: Int, _ end: Int) -> String {
        let lo = max(0, min(start, scalars.count)), hi = max(lo, min(end, scalars.count))
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[lo..<hi])
        return String(s)
    }

    public func tokenize() throws(SQLError) -> [SQLToken] {
        var out: [SQLToken] = []
        var i = 0
        let n = scalars.count
        while i < n {
            let c = scalars[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "-", i + 1 < n, scalars[i + 1] == "-" {
                while i < n, scalars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", i + 1 < n, scalars[i + 1] == "*" {
                let start = i
                i += 2
                while i < n, !(scalars[i] == "*" && i + 1 < n && scalars[i + 1] == "/") { i += 1 }
                guard i < n else { throw SQLError.syntax("unterminated comment", at: start) }
                i += 2
                continue
            }
            let start = i
            if SQLLexer.isWordStart(c) {
                while i < n, SQLLexer.isWordPart(scalars[i]) { i += 1 }
                out.append(SQLToken(.word(text(start, i)), start: start, end: i))
            } else if c.properties.numericType != nil && c.isASCII || (c == "." && i + 1 < n && SQLLexer.isDigit(scalars[i + 1])) {
                out.append(try number(&i))
            } else if c == "'" {
                out.append(SQLToken(.string(try quoted(&i, "'")), start: start, end: i))
            } else if c == "`" || c == "\"" {
                let q = try quoted(&i, c)
                guard !q.isEmpty else { throw SQLError.syntax("empty quoted identifier", at: start) }
                out.append(SQLToken(.quoted(q), start: start, end: i))
            } else {
                let two = i + 1 < n ? text(i, i + 2) : ""
                if ["!=", "<>", "<=", ">=", "||", "=="].contains(two) {
                    i += 2
                    out.append(SQLToken(.symbol(two == "==" ? "=" : two), start: start, end: i))
                } else if "(),.*=<>+-/%;".unicodeScalars.contains(c) {
                    i += 1
                    out.append(SQLToken(.symbol(String(c)), start: start, end: i))
                } else {
                    throw SQLError.syntax("unexpected character [\(String(c))]", at: start)
                }
            }
        }
        out.append(SQLToken(.end, start: n, end: n))
        return out
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    static func isWordStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c == "@" || (c.properties.isAlphabetic && !isDigit(c))
    }
    static func isWordPart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == "@" || isDigit(c) || c.properties.isAlphabetic }

    func number(_ i: inout Int) throws(SQLError) -> SQLToken {
        let start = i, n = scalars.count
        while i < n, SQLLexer.isDigit(scalars[i]) { i += 1 }
        if i < n, scalars[i] == "." { i += 1; while i < n, SQLLexer.isDigit(scalars[i]) { i += 1 } }
        if i < n, scalars[i] == "e" || scalars[i] == "E" {
            var j = i + 1
            if j < n, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
            if j < n, SQLLexer.isDigit(scalars[j]) {
                i = j
                while i < n, SQLLexer.isDigit(scalars[i]) { i += 1 }
            }
        }
        // `2026-11` style words glued to digits are index-name parts; `12abc` is not a number.
        if i < n, SQLLexer.isWordStart(scalars[i]) {
            while i < n, SQLLexer.isWordPart(scalars[i]) { i += 1 }
            return SQLToken(.word(text(start, i)), start: start, end: i)
        }
        return SQLToken(.number(text(start, i)), start: start, end: i)
    }

    /// A quoted run; the quote character doubled inside stands for itself (and `\'` in strings).
    func quoted(_ i: inout Int, _ q: Unicode.Scalar) throws(SQLError) -> String {
        let start = i, n = scalars.count
        i += 1
        var s = String.UnicodeScalarView()
        while true {
            guard i < n else { throw SQLError.syntax(q == "'" ? "unterminated string literal" : "unterminated quoted identifier", at: start) }
            let c = scalars[i]
            if c == q {
                if i + 1 < n, scalars[i + 1] == q { s.append(q); i += 2; continue }
                i += 1
                return String(s)
            }
            if c == "\\", q == "'", i + 1 < n, scalars[i + 1] == "'" || scalars[i + 1] == "\\" {
                // `\'` and `\\` only: other backslashes stay, so LIKE escapes (`\_`) survive.
                s.append(scalars[i + 1]); i += 2; continue
            }
            s.append(c)
            i += 1
        }
    }
}
