/// One lexical token with its character offset in the script.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case int(Int64)
        case double(Double)
        case string(String)
        case symbol(String)
        case end
    }
    var kind: Kind
    var offset: Int

    var text: String {
        switch kind {
        case .identifier(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return "'\(s)'"
        case .symbol(let s): return s
        case .end: return "<EOF>"
        }
    }

    func isSymbol(_ s: String) -> Bool { if case .symbol(s) = kind { return true }; return false }
    func isWord(_ s: String) -> Bool { if case .identifier(s) = kind { return true }; return false }
}

/// Splits Painless source into tokens: identifiers, numbers (`1`, `1L`, `0x1F`, `1.5`, `2e3`, `1f`),
/// single- or double-quoted strings, operators; skips `//` and `/* */` comments.
enum Lexer {
    /// Longest first, so `===` wins over `==`.
    static let symbols: [String] = [
        ">>>=", "===", "!==", "==~", ">>>", "<<=", ">>=",
        "?.", "?:", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
        "->", "::", "=~", "<<", ">>",
        "+", "-", "*", "/", "%", "<", ">", "=", "!", "?", ":", ";", ",", ".", "(", ")", "[", "]", "{", "}", "&", "|", "^", "~", "@", "#",
    ]
    /// The symbols as scalar arrays, grouped by first scalar, longest first within a group.
    static let symbolsByFirst: [Unicode.Scalar: [[Unicode.Scalar]]] = {
        var d: [Unicode.Scalar: [[Unicode.Scalar]]] = [:]
        for sym in symbols { let u = Array(sym.unicodeScalars); d[u[0], default: []].append(u) }
        return d
    }()

    static func tokenize(_ source: String) throws(PainlessError) -> [Token] {
        let c = Array(source.unicodeScalars)
        var out: [Token] = []
        var i = 0
        func isIdentStart(_ u: Unicode.Scalar) -> Bool { u == "_" || u == "$" || (u.properties.isAlphabetic && u.isASCII) || (u.value > 127 && u.properties.isAlphabetic) }
        func isDigit(_ u: Unicode.Scalar) -> Bool { u >= "0" && u <= "9" }
        while i < c.count {
            let u = c[i]
            if u == " " || u == "\t" || u == "\n" || u == "\r" || u == "\u{0C}" { i += 1; continue }
            if u == "/" && i + 1 < c.count && c[i + 1] == "/" {
                while i < c.count && c[i] != "\n" { i += 1 }
                continue
            }
            if u == "/" && i + 1 < c.count && c[i + 1] == "*" {
                let start = i
                i += 2
                while i + 1 < c.count && !(c[i] == "*" && c[i + 1] == "/") { i += 1 }
                if i + 1 >= c.count { throw .syntax("unterminated comment", at: start) }
                i += 2
                continue
            }
            let start = i
            if isIdentStart(u) {
                while i < c.count && (isIdentStart(c[i]) || isDigit(c[i])) { i += 1 }
                out.append(Token(kind: .identifier(String(String.UnicodeScalarView(c[start..<i]))), offset: start))
                continue
            }
            if isDigit(u) || (u == "." && i + 1 < c.count && isDigit(c[i + 1])) {
                out.append(try number(c, &i))
                continue
            }
            if u == "'" || u == "\"" {
                i += 1
                var s = String.UnicodeScalarView()
                while true {
                    guard i < c.count else { throw .syntax("unexpected end of script.", at: start) }
                    let ch = c[i]
                    if ch == u { i += 1; break }
                    if ch == "\\" && i + 1 < c.count {
                        let e = c[i + 1]
                        switch e {
                        case "n": s.append("\n")
                        case "t": s.append("\t")
                        case "r": s.append("\r")
                        default: s.append(e)
                        }
                        i += 2
                        continue
                    }
                    s.append(ch)
                    i += 1
                }
                out.append(Token(kind: .string(String(s)), offset: start))
                continue
            }
            var matched: [Unicode.Scalar]? = nil
            for su in symbolsByFirst[u] ?? [] where i + su.count <= c.count && c[i..<(i + su.count)].elementsEqual(su) {
                matched = su
                break
            }
            guard let sym = matched else { throw .syntax("unexpected character [\(String(u))].", at: start) }
            i += sym.count
            out.append(Token(kind: .symbol(String(String.UnicodeScalarView(sym))), offset: start))
        }
        out.append(Token(kind: .end, offset: c.count))
        return out
    }

    static func number(_ c: [Unicode.Scalar], _ i: inout Int) throws(PainlessError) -> Token {
        let start = i
        func digit(_ u: Unicode.Scalar) -> Bool { u >= "0" && u <= "9" }
        if c[i] == "0" && i + 1 < c.count && (c[i + 1] == "x" || c[i + 1] == "X") {
            i += 2
            let ds = i
            while i < c.count && c[i].properties.isASCIIHexDigit { i += 1 }
            guard let v = Int64(String(String.UnicodeScalarView(c[ds..<i])), radix: 16) else { throw .syntax("invalid hex constant", at: start) }
            if i < c.count && (c[i] == "L" || c[i] == "l") { i += 1 }
            return Token(kind: .int(v), offset: start)
        }
        var isDouble = false
        while i < c.count && digit(c[i]) { i += 1 }
        if i + 1 < c.count && c[i] == "." && digit(c[i + 1]) {
            isDouble = true
            i += 1
            while i < c.count && digit(c[i]) { i += 1 }
        }
        if i < c.count && (c[i] == "e" || c[i] == "E") {
            var j = i + 1
            if j < c.count && (c[j] == "+" || c[j] == "-") { j += 1 }
            if j < c.count && digit(c[j]) {
                isDouble = true
                i = j
                while i < c.count && digit(c[i]) { i += 1 }
            }
        }
        let text = String(String.UnicodeScalarView(c[start..<i]))
        if i < c.count {
            switch c[i] {
            case "d", "D", "f", "F":
                i += 1
                return Token(kind: .double(Double(text) ?? 0), offset: start)
            case "l", "L":
                i += 1
                guard !isDouble, let v = Int64(text) else { throw .syntax("invalid long constant [\(text)]", at: start) }
                return Token(kind: .int(v), offset: start)
            default: break
            }
        }
        if isDouble { return Token(kind: .double(Double(text) ?? 0), offset: start) }
        guard let v = Int64(text), v <= Int64(Int32.max) + 1 else { throw .syntax("invalid int constant [\(text)]", at: start) }
        return Token(kind: .int(v), offset: start)
    }
}
