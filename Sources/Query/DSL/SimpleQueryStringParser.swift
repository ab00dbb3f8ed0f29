import Index

/// `simple_query_string` syntax, after Lucene's `SimpleQueryParser`: `+` AND, `|` OR, `-` NOT,
/// `"phrase"~N`, `prefix*`, `( )`, `term~N`, `\` escapes; whitespace between terms means the
/// default operator. It never fails: unbalanced quotes and parentheses are ignored.
///
/// Like Lucene, operators are applied left to right with a new parent node at each change of
/// operator (`a b +c` is `+(a b) +c`), and a negated term is `(-x *:*)` — so with the default OR,
/// `a -b` matches almost everything.
public struct SimpleQueryStringParser {
    /// The `flags` parameter: which operators are recognised.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let and = Flags(rawValue: 1 << 0)
        public static let not = Flags(rawValue: 1 << 1)
        public static let or = Flags(rawValue: 1 << 2)
        public static let prefix = Flags(rawValue: 1 << 3)
        public static let phrase = Flags(rawValue: 1 << 4)
        public static let precedence = Flags(rawValue: 1 << 5)
        public static let escape = Flags(rawValue: 1 << 6)
        public static let whitespace = Flags(rawValue: 1 << 7)
        public static let fuzzy = Flags(rawValue: 1 << 8)
        public static let near = Flags(rawValue: 1 << 9)
        public static let all = Flags(rawValue: (1 << 10) - 1)

        /// Parses `ALL`, `NONE` or `AND|OR|PREFIX…` (case-insensitive; `SLOP` is `NEAR`).
        public static func parse(_ text: String) throws(OpenSearchError) -> Flags {
            var f: Flags = []
            for part in text.split(separator: "|") {
                switch part.uppercased() {
                case "ALL": f.formUnion(.all)
                case "NONE": break
                case "AND": f.insert(.and)
                case "NOT": f.insert(.not)
                case "OR": f.insert(.or)
                case "PREFIX": f.insert(.prefix)
                case "PHRASE": f.insert(.phrase)
                case "PRECEDENCE": f.insert(.precedence)
                case "ESCAPE": f.insert(.escape)
                case "WHITESPACE": f.insert(.whitespace)
                case "FUZZY": f.insert(.fuzzy)
                case "NEAR", "SLOP": f.insert(.near)
                default:
                    throw OpenSearchError.illegalArgument("Unknown simple_query_string flag [\(part)]")
                }
            }
            return f
        }
    }

    let data: [Character]
    let flags: Flags
    let defaultOperator: QueryStringClause.Occur

    struct State {
        var index: Int
        let end: Int
        var top: QueryStringNode?
        var previous: QueryStringClause.Occur?
        var current: QueryStringClause.Occur?
        var not = 0
    }

    /// The syntax tree of `text`; an empty result is `.bool([])` (matches nothing).
    public static func parse(_ text: String, defaultOperator: QueryOperator = .or, flags: Flags = .all) -> QueryStringNode {
        let p = SimpleQueryStringParser(data: Array(text), flags: flags, defaultOperator: defaultOperator == .and ? .must : .should)
        var state = State(index: 0, end: p.data.count)
        p.parseSubQuery(&state)
        return state.top ?? .bool([])
    }

    func has(_ f: Flags) -> Bool { flags.contains(f) }

    func parseSubQuery(_ state: inout State) {
        while state.index < state.end {
            let c = data[state.index]
            if c == "(" && has(.precedence) { consumeSubQuery(&state) }
            else if c == "\"" && has(.phrase) { consumePhrase(&state) }
            else if c == "+" && has(.and) {
                if state.current == nil && state.top != nil { state.current = .must }
                state.index += 1
            } else if c == "|" && has(.or) {
                if state.current == nil && state.top != nil { state.current = .should }
                state.index += 1
            } else if c == "-" && has(.not) {
                state.not += 1
                state.index += 1
                continue
            } else if isSpace(c) && has(.whitespace) {
                state.index += 1
            } else {
                let before = state.index
                consumeToken(&state)
                // A character that ends a token without starting anything (a stray `)`) is
                // skipped; without this the loop never advanced (found by Scripts/fuzz.sh).
                if state.index == before { state.index += 1 }
            }
            state.not = 0
        }
    }

    func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    func consumeSubQuery(_ state: inout State) {
        state.index += 1
        let start = state.index
        var precedence = 1
        var escaped = false
        while state.index < state.end {
            if !escaped {
                let c = data[state.index]
                if c == "\\" && has(.escape) { escaped = true; state.index += 1; continue }
                if c == "(" { precedence += 1 }
                else if c == ")" {
                    precedence -= 1
                    if precedence == 0 { break }
                }
            }
            escaped = false
            state.index += 1
        }
        if state.index == state.end {
            state.index = start          // never closed: ignore the parenthesis
        } else if state.index == start {
            state.current = nil          // empty group
            state.index += 1
        } else {
            var sub = State(index: start, end: state.index)
            parseSubQuery(&sub)
            buildQueryTree(&state, sub.top)
            state.index += 1
        }
    }

    func consumePhrase(_ state: inout State) {
        state.index += 1
        let start = state.index
        var text = ""
        var escaped = false
        var slop: Int? = nil
        while state.index < state.end {
            if !escaped {
                let c = data[state.index]
                if c == "\\" && has(.escape) { escaped = true; state.index += 1; continue }
                if c == "\"" {
                    if state.index + 1 < state.end && data[state.index + 1] == "~" && has(.near) {
                        state.index += 1
                        var digits = ""
                        while state.index + 1 < state.end, data[state.index + 1].isASCII, data[state.index + 1].isNumber {
                            digits.append(data[state.index + 1]); state.index += 1
                        }
                        slop = Int(digits) ?? 0
                    }
                    break
                }
            }
            escaped = false
            text.append(data[state.index])
            state.index += 1
        }
        if state.index == state.end {
            state.index = start          // never closed: the quote is ignored
        } else if text.isEmpty {
            state.current = nil
            state.index += 1
        } else {
            buildQueryTree(&state, .phrase(field: nil, text: text, slop: slop))
            state.index += 1
        }
    }

    func tokenFinished(_ c: Character) -> Bool {
        (c == "\"" && has(.phrase)) || (c == "|" && has(.or)) || (c == "+" && has(.and))
            || ((c == "(" || c == ")") && has(.precedence)) || (isSpace(c) && has(.whitespace))
    }

    func consumeToken(_ state: inout State) {
        var text = ""
        var escaped = false
        var prefix = false
        var fuzzy = false
        while state.index < state.end {
            let c = data[state.index]
            if c == "\\" && has(.escape) && !escaped {
                escaped = true
                state.index += 1
                continue
            } else if !escaped && tokenFinished(c) {
                break
            } else if !text.isEmpty && c == "~" && has(.fuzzy) && !escaped {
                fuzzy = true
                break
            }
            prefix = !text.isEmpty && !escaped && c == "*" && has(.prefix)
            escaped = false
            text.append(c)
            state.index += 1
        }
        if fuzzy {
            state.index += 1
            var digits = ""
            while state.index < state.end, !tokenFinished(data[state.index]) {
                digits.append(data[state.index]); state.index += 1
            }
            let distance = Int(digits).map { min(max($0, 0), 2) } ?? 2
            buildQueryTree(&state, .term(field: nil, text: text, fuzzy: distance))
        } else if prefix {
            // `*` is the last character; the wildcard pattern escapes everything before it.
            let body = String(text.dropLast())
            var pattern = ""
            for ch in body {
                if ch == "*" || ch == "?" || ch == "\\" { pattern.append("\\") }
                pattern.append(ch)
            }
            buildQueryTree(&state, .wildcard(field: nil, pattern: pattern + "*"))
        } else if !text.isEmpty {
            buildQueryTree(&state, .term(field: nil, text: text))
        }
    }

    func buildQueryTree(_ state: inout State, _ branch: QueryStringNode?) {
        guard var branch else { return }
        if state.not % 2 == 1 {
            branch = .bool([QueryStringClause(.mustNot, branch), QueryStringClause(.should, .matchAll())])
        }
        guard let top = state.top else {
            state.top = branch
            state.current = nil
            return
        }
        let op = state.current ?? defaultOperator
        var clauses: [QueryStringClause]
        if state.previous != op {
            clauses = [QueryStringClause(op, top)]
        } else if case .bool(let c, _) = top {
            clauses = c
        } else {
            clauses = [QueryStringClause(op, top)]
        }
        clauses.append(QueryStringClause(op, branch))
        state.top = .bool(clauses)
        state.previous = op
        state.current = nil
    }
}
