/// One lexical token with the span it came from, so errors can point at it and the parser can
/// glue adjacent tokens of an unquoted index pattern (`request-events-*`) back together.
public struct SQLToken: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A bare word: identifier or keyword (keywords are matched case-insensitively by the parser).
        case word(String)
        /// A backquoted or double-quoted identifier, never a keyword.
        case quoted(String)
        /// A single-quoted string literal, quotes removed and `''` unescaped.
        case string(String)
        /// A numeric literal as written.
        case number(String)
        /// Punctuation or an operator: `( ) , . * = != <> < <= > >= + - / % ;`.
        case symbol(String)
        case end
    }

    public var kind: Kind
    /// Offset of the first scalar of the token.
    public var start: Int
    /// Offset just past the last scalar of the token.
    public var end: Int

    public init(_ kind: Kind, start: Int, end: Int) {
        self.kind = kind
        self.start = start
        self.end = end
    }

    /// The upper-cased word when the token is a bare word.
    public var keyword: String? { if case .word(let w) = kind { return w.uppercased() }; return nil }

    public func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }

    /// How the token reads in an error message.
    public var display: String {
        switch kind {
        case .word(let w): return w
        case .quoted(let q): return "`\(q)`"
        case .string(let s): return "'\(s)'"
        case .number(let n): return n
        case .symbol(let s): return s
        case .end: return "<EOF>"
        }
    }
}
