/// A Lucene wildcard pattern: `*` matches any run of characters (including none), `?` exactly one
/// character (a Unicode scalar, as Lucene counts code points), `\` makes the next character literal.
/// Matches the whole term.
public struct WildcardPattern: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let source: String
    let tokens: [Token]

    enum Token: Sendable, Equatable, Hashable {
        case literal(Unicode.Scalar)
        case one
        case any
    }

    public init(_ source: String) {
        self.source = source
        var out: [Token] = []
        var escaped = false
        for s in source.unicodeScalars {
            if escaped { out.append(.literal(s)); escaped = false; continue }
            switch s {
            case "\\": escaped = true
            case "*": if out.last != .any { out.append(.any) }
            case "?": out.append(.one)
            default: out.append(.literal(s))
            }
        }
        if escaped { out.append(.literal("\\")) }
        self.tokens = out
    }

    public var description: String { source }

    /// The literal text before the first wildcard (what a term dictionary can seek to).
    public var literalPrefix: String {
        var s = String.UnicodeScalarView()
        for t in tokens {
            guard case .literal(let c) = t else { break }
            s.append(c)
        }
        return String(s)
    }

    /// Whether the pattern has no wildcard at all.
    public var isLiteral: Bool { tokens.allSatisfy { if case .literal = $0 { return true }; return false } }

    /// A copy matching case-insensitively when applied to lowercased text.
    public func lowercased() -> WildcardPattern {
        var escaped = ""
        for t in tokens {
            switch t {
            case .literal(let c):
                let l = String(c).lowercased()
                if l == "*" || l == "?" || l == "\\" { escaped += "\\" }
                escaped += l
            case .one: escaped += "?"
            case .any: escaped += "*"
            }
        }
        return WildcardPattern(escaped)
    }

    /// Whether the whole of `text` matches (greedy `*` with backtracking to the last star: linear
    /// in practice, O(n·m) worst case).
    public func matches(_ text: String) -> Bool {
        let t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < tokens.count {
                switch tokens[pi] {
                case .any: star = pi; mark = ti; pi += 1; continue
                case .one: pi += 1; ti += 1; continue
                case .literal(let c) where c == t[ti]: pi += 1; ti += 1; continue
                default: break
                }
            }
            guard star >= 0 else { return false }
            pi = star + 1; mark += 1; ti = mark
        }
        while pi < tokens.count, tokens[pi] == .any { pi += 1 }
        return pi == tokens.count
    }
}
