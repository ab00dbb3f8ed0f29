import Index

/// A Lucene regular expression (the `regexp` query's syntax), anchored at both ends:
/// `.`, `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`, `|`, `( )`, `[…]` / `[^…]` classes with ranges,
/// `\` escapes, `"…"` literal strings, `\d \s \w` (and negations), and with the optional operators
/// (on by default, `flags`) `@` any string, `#` the empty language, `<n-m>` numeric intervals,
/// `~` complement and `&` intersection.
///
/// Matching computes, for each node and start position, the set of positions where a match can
/// end — polynomial time, no backtracking blow-up, and complement/intersection come for free.
public struct RegexpPattern: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let source: String
    let root: Node
    public let flags: Flags

    /// The optional operators, as the `flags` parameter names them.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let intersection = Flags(rawValue: 1)
        public static let complement = Flags(rawValue: 2)
        public static let empty = Flags(rawValue: 4)
        public static let anyString = Flags(rawValue: 8)
        public static let interval = Flags(rawValue: 32)
        public static let all: Flags = [.intersection, .complement, .empty, .anyString, .interval]

        /// Parses `ALL`, `NONE` or `INTERSECTION|COMPLEMENT|EMPTY|ANYSTRING|INTERVAL` (case-insensitive).
        public static func parse(_ text: String) throws(OpenSearchError) -> Flags {
            if text.isEmpty { return .all }
            var f: Flags = []
            for part in text.split(separator: "|") {
                switch part.uppercased() {
                case "ALL": f.formUnion(.all)
                case "NONE": break
                case "INTERSECTION": f.insert(.intersection)
                case "COMPLEMENT": f.insert(.complement)
                case "EMPTY": f.insert(.empty)
                case "ANYSTRING": f.insert(.anyString)
                case "INTERVAL": f.insert(.interval)
                default:
                    throw OpenSearchError.illegalArgument("Unknown regexp flag [\(part)]")
                }
            }
            return f
        }
    }

    indirect enum Node: Sendable, Equatable, Hashable {
        case empty                       // ""
        case nothing                     // #
        case char(Unicode.Scalar)
        case anyChar                     // .
        case set([ClosedRange<UInt32>], negated: Bool)
        case anyString                   // @
        case concat([Node])
        case union([Node])
        case repeated(Node, min: Int, max: Int?)
        case complement(Node)
        case intersection(Node, Node)
        case interval(min: Int, max: Int, digits: Int)
    }

    /// Parses `source`; malformed patterns fail like Lucene's `RegExp` (an illegal_argument_exception
    /// with its message).
    public init(_ source: String, flags: Flags = .all) throws(OpenSearchError) {
        // OpenSearch's `index.max_regex_length` default, with its message.
        let length = source.utf16.count
        if length > RegexpPattern.maxLength {
            throw OpenSearchError.illegalArgument("The length of regex [\(length)] used in the Regexp Query request has exceeded the allowed maximum of [\(RegexpPattern.maxLength)]. This maximum can be set by changing the [index.max_regex_length] index level setting.")
        }
        var p = Parser(text: Array(source.unicodeScalars), flags: flags)
        let node = try p.parseUnion()
        if p.i < p.text.count {
            throw OpenSearchError.illegalArgument("end-of-string expected at position \(p.i)")
        }
        self.source = source
        self.root = node
        self.flags = flags
    }

    public var description: String { source }

    /// `index.max_regex_length`'s default (the setting itself is not read).
    public static let maxLength = 1000

    public static func == (a: RegexpPattern, b: RegexpPattern) -> Bool { a.source == b.source && a.flags == b.flags }
    public func hash(into h: inout Hasher) { h.combine(source); h.combine(flags.rawValue) }

    /// Whether all of `text` matches; `caseInsensitive` folds ASCII case like Lucene's flag.
    public func matches(_ text: String, caseInsensitive: Bool = false) -> Bool {
        let m = Matcher(s: Array(text.unicodeScalars), fold: caseInsensitive)
        return m.ends(root, 0).contains(m.s.count)
    }

    struct Parser {
        let text: [Unicode.Scalar]
        let flags: Flags
        var i = 0
        var depth = 0
        static let maxGroupDepth = 100

        func error(_ reason: String) -> OpenSearchError { OpenSearchError.illegalArgument(reason) }
        func peek(_ c: Unicode.Scalar) -> Bool { i < text.count && text[i] == c }
        mutating func match(_ c: Unicode.Scalar) -> Bool { if peek(c) { i += 1; return true }; return false }
        func has(_ f: Flags) -> Bool { flags.contains(f) }

        mutating func parseUnion() throws(OpenSearchError) -> Node {
            var alts = [try parseIntersection()]
            while match("|") { alts.append(try parseIntersection()) }
            return alts.count == 1 ? alts[0] : .union(alts)
        }

        mutating func parseIntersection() throws(OpenSearchError) -> Node {
            let left = try parseConcat()
            if has(.intersection) && match("&") { return .intersection(left, try parseIntersection()) }
            return left
        }

        func atConcatEnd() -> Bool {
            i >= text.count || peek(")") || peek("|") || (has(.intersection) && peek("&"))
        }

        mutating func parseConcat() throws(OpenSearchError) -> Node {
            var parts: [Node] = []
            while !atConcatEnd() { parts.append(try parseRepeat()) }
            if parts.isEmpty { return .empty }
            return parts.count == 1 ? parts[0] : .concat(parts)
        }

        mutating func parseRepeat() throws(OpenSearchError) -> Node {
            var e = try parseComplement()
            while i < text.count {
                if match("?") { e = Parser.repeating(e, min: 0, max: 1) }
                else if match("*") { e = Parser.repeating(e, min: 0, max: nil) }
                else if match("+") { e = Parser.repeating(e, min: 1, max: nil) }
                else if match("{") {
                    let start = i
                    while i < text.count, ("0"..."9").contains(text[i]) { i += 1 }
                    guard start != i, let n = Int(String(String.UnicodeScalarView(text[start..<i]))) else {
                        throw error("integer expected at position \(i)")
                    }
                    var m: Int? = n
                    if match(",") {
                        let s2 = i
                        while i < text.count, ("0"..."9").contains(text[i]) { i += 1 }
                        m = s2 != i ? Int(String(String.UnicodeScalarView(text[s2..<i]))) : nil
                    }
                    guard match("}") else { throw error("expected '}' at position \(i)") }
                    if let m, m < n { throw error("invalid repetition range {\(n),\(m)}") }
                    e = Parser.repeating(e, min: n, max: m)
                } else { break }
            }
            return e
        }

        /// `e{min,max}`, folding a repetition of a repetition where both are `?`, `*` or `+`
        /// shaped (min 0 or 1, max 1 or unbounded): `X++` is `X+`, `X+?` and `X*+` are `X*`.
        /// Nested like that they matched in time exponential in the depth (`a.++++…` hung a
        /// search thread; found by the HTTP fuzzer).
        static func repeating(_ e: Node, min lo: Int, max hi: Int?) -> Node {
            func simple(_ lo: Int, _ hi: Int?) -> Bool { lo <= 1 && (hi == nil || hi == 1) }
            if case .repeated(let inner, let lo1, let hi1) = e, simple(lo1, hi1), simple(lo, hi) {
                return .repeated(inner, min: lo1 * lo, max: hi1 == nil || hi == nil ? nil : 1)
            }
            return .repeated(e, min: lo, max: hi)
        }

        mutating func parseComplement() throws(OpenSearchError) -> Node {
            if has(.complement) && match("~") { return .complement(try parseComplement()) }
            return try parseCharClassExp()
        }

        mutating func parseCharClassExp() throws(OpenSearchError) -> Node {
            guard match("[") else { return try parseSimple() }
            let negated = match("^")
            var ranges: [ClosedRange<UInt32>] = []
            repeat {
                if i >= text.count { throw error("expected ']' at position \(i)") }
                if peek("\\"), i + 1 < text.count, let cls = Parser.shorthand(text[i + 1]) {
                    i += 2
                    if case .set(let r, let neg) = cls {
                        ranges += neg ? Parser.invert(r) : r
                    }
                    continue
                }
                let lo = try parseCharExp()
                if peek("-") && i + 1 < text.count && text[i + 1] != "]" {
                    i += 1
                    let hi = try parseCharExp()
                    guard lo.value <= hi.value else { throw error("invalid range: from (\(lo)) cannot be > to (\(hi))") }
                    ranges.append(lo.value...hi.value)
                } else {
                    ranges.append(lo.value...lo.value)
                }
            } while !match("]")
            return .set(ranges, negated: negated)
        }

        static func shorthand(_ c: Unicode.Scalar) -> Node? {
            let digits: [ClosedRange<UInt32>] = [0x30...0x39]
            let space: [ClosedRange<UInt32>] = [0x09...0x0D, 0x20...0x20]
            let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
            switch c {
            case "d": return .set(digits, negated: false)
            case "D": return .set(digits, negated: true)
            case "s": return .set(space, negated: false)
            case "S": return .set(space, negated: true)
            case "w": return .set(word, negated: false)
            case "W": return .set(word, negated: true)
            default: return nil
            }
        }

        static func invert(_ r: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var out: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            for x in r.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if x.lowerBound > next { out.append(next...(x.lowerBound - 1)) }
                next = max(next, x.upperBound + 1)
            }
            if next <= 0x10FFFF { out.append(next...0x10FFFF) }
            return out
        }

        mutating func parseSimple() throws(OpenSearchError) -> Node {
            if match(".") { return .anyChar }
            if has(.empty) && match("#") { return .nothing }
            if has(.anyString) && match("@") { return .anyString }
            if match("\"") {
                let start = i
                while i < text.count && text[i] != "\"" { i += 1 }
                guard match("\"") else { throw error("expected '\"' at position \(i)") }
                return .concat(text[start..<(i - 1)].map { .char($0) })
            }
            if match("(") {
                if match(")") { return .empty }
                // Each group recurses through the whole grammar: bound the depth so that a
                // pattern of parentheses cannot overflow the thread's stack (it took the node
                // down; found by the HTTP fuzzer).
                depth += 1
                defer { depth -= 1 }
                if depth > Parser.maxGroupDepth { throw error("regexp groups nested deeper than \(Parser.maxGroupDepth) at position \(i)") }
                let e = try parseUnion()
                guard match(")") else { throw error("expected ')' at position \(i)") }
                return e
            }
            if has(.interval) && match("<") {
                let start = i
                while i < text.count && text[i] != ">" { i += 1 }
                guard match(">") else { throw error("expected '>' at position \(i)") }
                let body = String(String.UnicodeScalarView(text[start..<(i - 1)]))
                let parts = body.split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else {
                    throw error("interval syntax error at position \(i - 1)")
                }
                let digits = parts[0].count == parts[1].count ? parts[0].count : 0
                return .interval(min: min(a, b), max: max(a, b), digits: digits)
            }
            if peek("\\"), i + 1 < text.count, let cls = Parser.shorthand(text[i + 1]) { i += 2; return cls }
            return .char(try parseCharExp())
        }

        mutating func parseCharExp() throws(OpenSearchError) -> Unicode.Scalar {
            _ = match("\\")
            guard i < text.count else { throw error("unexpected end-of-string") }
            defer { i += 1 }
            return text[i]
        }
    }

    struct Matcher {
        let s: [Unicode.Scalar]
        let fold: Bool

        /// The minimum length of a part that matches any run of characters at least that long.
        static func anyRun(_ node: Node) -> Int? {
            switch node {
            case .anyString: return 0
            case .repeated(.anyChar, let lo, nil): return lo
            default: return nil
            }
        }

        func eq(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
            a == b || (fold && Matcher.asciiLower(a) == Matcher.asciiLower(b))
        }

        static func asciiLower(_ c: Unicode.Scalar) -> UInt32 {
            c.value >= 0x41 && c.value <= 0x5A ? c.value + 32 : c.value
        }

        func inSet(_ ranges: [ClosedRange<UInt32>], _ c: Unicode.Scalar) -> Bool {
            if ranges.contains(where: { $0.contains(c.value) }) { return true }
            guard fold else { return false }
            let v = c.value
            let alt: UInt32 = v >= 0x41 && v <= 0x5A ? v + 32 : (v >= 0x61 && v <= 0x7A ? v - 32 : v)
            return ranges.contains { $0.contains(alt) }
        }

        /// Positions at which a match of `node` starting at `start` can end.
        func ends(_ node: Node, _ start: Int) -> Set<Int> {
            let n = s.count
            switch node {
            case .empty: return [start]
            case .nothing: return []
            case .char(let c): return start < n && eq(s[start], c) ? [start + 1] : []
            case .anyChar: return start < n ? [start + 1] : []
            case .set(let ranges, let negated):
                guard start < n else { return [] }
                return inSet(ranges, s[start]) != negated ? [start + 1] : []
            case .anyString: return Set(start...n)
            case .concat(let parts):
                var cur: Set<Int> = [start]
                for p in parts {
                    if let lo = Matcher.anyRun(p), let first = cur.min() {
                        // `.*`, `.+`, `@`: every position from the earliest start on, without
                        // expanding each start (`a.+.+.+…` was quadratic per part in the text).
                        cur = first + lo <= n ? Set((first + lo)...n) : []
                    } else {
                        var next: Set<Int> = []
                        for j in cur { next.formUnion(ends(p, j)) }
                        cur = next
                    }
                    if cur.isEmpty { break }
                }
                return cur
            case .union(let alts):
                var out: Set<Int> = []
                for a in alts { out.formUnion(ends(a, start)) }
                return out
            case .repeated(.anyChar, let lo, nil):
                return start + lo <= n ? Set((start + lo)...n) : []
            case .repeated(let inner, let lo, let hi):
                var result: Set<Int> = lo == 0 ? [start] : []
                var frontier: Set<Int> = [start]
                var seen: Set<Int> = result
                var k = 0
                while !frontier.isEmpty {
                    k += 1
                    if let hi, k > hi { break }
                    var next: Set<Int> = []
                    for j in frontier { next.formUnion(ends(inner, j)) }
                    if k >= lo {
                        // Filtering `next` costs its own size; `next.subtract(seen)` walked all of
                        // `seen` every step, quadratic in the text (a.+ over a 70,000-char term hung).
                        next = next.filter { !seen.contains($0) }
                        seen.formUnion(next)
                        result.formUnion(next)
                    }
                    frontier = next
                    if k > lo + n + 1 { break }
                }
                return result
            case .complement(let inner):
                let m = ends(inner, start)
                return Set((start...n).filter { !m.contains($0) })
            case .intersection(let a, let b):
                return ends(a, start).intersection(ends(b, start))
            case .interval(let lo, let hi, let digits):
                var out: Set<Int> = []
                var e = start
                var value = 0
                while e < n, ("0"..."9").contains(s[e]) {
                    value = value &* 10 &+ Int(s[e].value - 0x30)
                    e += 1
                    let width = e - start
                    if digits > 0 && width != digits { if width > digits { break } else { continue } }
                    if value >= lo && value <= hi { out.insert(e) }
                    if value > hi { break }
                }
                return out
            }
        }
    }
}
