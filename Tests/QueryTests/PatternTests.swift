import Testing
import Index
@testable import Query

@Suite struct WildcardPatternTests {
    @Test(arguments: [
        ("*", "", true), ("*", "anything", true), ("?", "", false), ("?", "a", true), ("?", "ab", false),
        ("ki*y", "kimchy", true), ("ki*y", "kimch", false), ("k?m*", "kimchy", true), ("k?m*", "km", false),
        ("*chy", "kimchy", true), ("*c*h*", "kimchy", true), ("a*b*c", "abbbc", true), ("a*b*c", "acb", false),
        ("a**b", "ab", true), ("a\\*b", "a*b", true), ("a\\*b", "axb", false), ("a\\?", "a?", true),
        ("é?", "éa", true), ("?", "é", true), ("??", "日本", true), ("*.log", "app.log", true), ("*.log", "app.log.1", false),
        ("", "", true), ("", "a", false), ("abc", "abc", true), ("abc", "ABC", false),
    ])
    func matches(pattern: String, text: String, expected: Bool) {
        #expect(WildcardPattern(pattern).matches(text) == expected)
    }

    @Test func helpers() {
        #expect(WildcardPattern("foo*bar").literalPrefix == "foo")
        #expect(WildcardPattern("foo\\*bar").isLiteral)
        #expect(WildcardPattern("Ki*Y").lowercased().matches("kimchy"))
        #expect(WildcardPattern("A\\*").lowercased().matches("a*"))
        #expect(!WildcardPattern("A\\*").lowercased().matches("ab"))
    }
}

@Suite struct RegexpPatternTests {
    @Test(arguments: [
        ("abc", "abc", true), ("abc", "abcd", false), ("a.c", "abc", true), ("a.c", "ac", false),
        ("ab*c", "ac", true), ("ab*c", "abbbc", true), ("ab+c", "ac", false), ("ab+c", "abbc", true),
        ("ab?c", "ac", true), ("ab?c", "abbc", false), ("a|b", "b", true), ("a|b", "ab", false),
        ("(ab)+", "ababab", true), ("(ab)+", "aba", false), ("(a|b)*c", "abbac", true), ("()", "", true),
        ("[abc]+", "cab", true), ("[abc]+", "cad", false), ("[a-z]{3}", "xyz", true), ("[a-z]{3}", "xy", false),
        ("[^a-z]+", "123", true), ("[^a-z]+", "1a", false), ("a{2,3}", "a", false), ("a{2,3}", "aa", true),
        ("a{2,3}", "aaaa", false), ("a{2,}", "aaaaa", true), ("a{0}", "", true), ("[-a]", "-", true), ("[a-]", "-", true),
        ("\\.", ".", true), ("\\.", "a", false), ("\"a.b\"", "a.b", true), ("\"a.b\"", "axb", false),
        ("\\d+", "2024", true), ("\\d+", "20x4", false), ("\\w+\\s\\w+", "hello world", true), ("[\\d-]+", "12-34", true),
        ("@", "whatever", true), ("a@", "abc", true), ("#", "", false), ("#|a", "a", true),
        ("<1-100>", "42", true), ("<1-100>", "101", false), ("<1-100>", "007", true), ("<01-10>", "05", true), ("<01-10>", "5", false),
        ("~(ab)", "ab", false), ("~(ab)", "abc", true), ("~(ab)", "", true), ("a~b", "ac", true), ("a~b", "ab", false),
        ("[a-z]+&~(foo)", "bar", true), ("[a-z]+&~(foo)", "foo", false), (".*&.*x.*", "axb", true), (".*&.*x.*", "ab", false),
        ("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false), ("(a|aa)*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", true),
        ("joh?n(ath[oa]n)", "jonathan", true), ("joh?n(ath[oa]n)", "johnathon", true), ("日.", "日本", true),
        ("get_.*|post_.*", "post_asset", true), ("[0-9]{3}\\.[0-9]+", "404.1", true),
    ])
    func matches(pattern: String, text: String, expected: Bool) throws {
        #expect(try RegexpPattern(pattern).matches(text) == expected)
    }

    /// Stacked repetition operators fold into one (`X++` is `X+`, `X+?` is `X*`): 300 of them
    /// used to take seconds per term. Each case also matches like the folded form.
    @Test func stackedRepetitionsMatchQuicklyAndCorrectly() throws {
        let deep = try RegexpPattern("a." + String(repeating: "+", count: 300))
        let clock = ContinuousClock()
        let took = clock.measure {
            for _ in 0..<50 {
                #expect(deep.matches("abcdefghijklmnopqrstuvwxyz0123456789"))
                #expect(!deep.matches("a"))
            }
        }
        #expect(took < .seconds(2), "took \(took)")
        // Many `.+` in a row over a long term: linear per part, not quadratic.
        let row = try RegexpPattern("a" + String(repeating: ".+", count: 150))
        let long = "a" + String(repeating: "x", count: 2_000)
        let rowTook = clock.measure {
            #expect(row.matches(long))
            #expect(!row.matches("a" + String(repeating: "x", count: 149)))
            #expect(row.matches("a" + String(repeating: "x", count: 150)))
        }
        #expect(rowTook < .seconds(2), "took \(rowTook)")
        for (pattern, text, expected) in [("a.*b", "axxb", true), ("a.*b", "axx", false), ("a.+b", "ab", false), ("a.+b", "axb", true),
                                          ("a@b", "azzb", true), (".*", "", true), (".+", "", false), ("x.{0,}y.+", "xyz", true)] {
            #expect(try RegexpPattern(pattern).matches(text) == expected, "\(pattern) on \(text)")
        }
        for (stacked, folded) in [("ab++", "ab+"), ("ab+?", "ab*"), ("ab?+", "ab*"), ("ab??", "ab?"), ("ab*+", "ab*"),
                                  ("(ab)++c", "(ab)+c"), ("ab{1}?", "ab?"), ("ab{2,3}+", "ab{2,3}+")] {
            for text in ["a", "ab", "abb", "abbbb", "ababc", "abc", "c", "abab", "ac"] {
                #expect(try RegexpPattern(stacked).matches(text) == RegexpPattern(folded).matches(text), "\(stacked) vs \(folded) on \(text)")
            }
        }
    }

    /// Parentheses nested past 100 levels, or a pattern over 1,000 characters (OpenSearch's
    /// `index.max_regex_length`), are a 400: the recursive parser overflowed its stack on them.
    @Test func deepGroupsAndLongPatternsAreRejected() throws {
        let ok = String(repeating: "(", count: 99) + "a" + String(repeating: ")", count: 99)
        #expect(try RegexpPattern(ok).matches("a"))
        let deep = String(repeating: "(", count: 400) + "a" + String(repeating: ")", count: 400)
        #expect(throws: OpenSearchError.self) { try RegexpPattern(deep) }
        let unclosed = String(repeating: "(", count: 999)
        #expect(throws: OpenSearchError.self) { try RegexpPattern(unclosed) }
        do {
            _ = try RegexpPattern(String(repeating: "a", count: 1001))
            Issue.record("a 1,001-character pattern was accepted")
        } catch {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason.contains("index.max_regex_length"))
        }
    }

    @Test func flagsTurnOperatorsIntoLiterals() throws {
        let none = try RegexpPattern.Flags.parse("NONE")
        #expect(try RegexpPattern("a@", flags: none).matches("a@"))
        #expect(try !RegexpPattern("a@", flags: none).matches("abc"))
        #expect(try RegexpPattern("<1-2>", flags: none).matches("<1-2>"))
        #expect(try RegexpPattern("a&b", flags: none).matches("a&b"))
        #expect(try RegexpPattern.Flags.parse("INTERVAL|anystring") == [.interval, .anyString])
        #expect(try RegexpPattern.Flags.parse("ALL") == .all)
    }

    @Test func caseInsensitive() throws {
        #expect(try RegexpPattern("ki.*Y").matches("KIMCHY", caseInsensitive: true))
        #expect(try RegexpPattern("[a-c]+").matches("ABC", caseInsensitive: true))
        #expect(try !RegexpPattern("[a-c]+").matches("ABC"))
    }

    @Test(arguments: [
        ("ab(c", "expected ')' at position 4"),
        ("[abc", "expected ']' at position 4"),
        ("a{2", "expected '}' at position 3"),
        ("a{x}", "integer expected at position 2"),
        ("a)", "end-of-string expected at position 1"),
        ("\\", "unexpected end-of-string"),
        ("\"abc", "expected '\"' at position 4"),
        ("[z-a]", "invalid range: from (z) cannot be > to (a)"),
        ("<1-x>", "interval syntax error at position 4"),
    ])
    func rejects(pattern: String, reason: String) {
        do {
            _ = try RegexpPattern(pattern)
            Issue.record("expected an error for \(pattern)")
        } catch {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason == reason)
        }
    }

    /// The position-set matcher against a naive backtracking reference over random patterns.
    @Test func agreesWithBacktrackingOnRandomPatterns() throws {
        var rng = SplitMix(seed: 42)
        let atoms = ["a", "b", ".", "[ab]", "(a|b)", "(ab)", "[^a]"]
        let ops = ["", "", "*", "+", "?", "{1,2}"]
        for _ in 0..<300 {
            var p = ""
            for _ in 0..<Int(rng.next() % 4 + 1) {
                p += atoms[Int(rng.next() % UInt64(atoms.count))] + ops[Int(rng.next() % UInt64(ops.count))]
            }
            let re = try RegexpPattern(p)
            for _ in 0..<10 {
                let text = String((0..<Int(rng.next() % 6)).map { _ in ["a", "b", "c"][Int(rng.next() % 3)] })
                #expect(re.matches(text) == Backtrack.matches(p, text), "pattern \(p) on \(text)")
            }
        }
    }
}

/// A tiny backtracking matcher for the subset used by the random test (atoms: literal, `.`,
/// `[..]`, `[^..]`, groups of alternatives of literals; quantifiers `* + ? {m,n}`).
enum Backtrack {
    indirect enum Node { case set(Set<Character>, negated: Bool), any, seq([Node]), alt([Node]), rep(Node, Int, Int?) }

    static func parse(_ p: String) -> Node {
        var chars = Array(p)[...]
        func atom() -> Node {
            let c = chars.removeFirst()
            switch c {
            case ".": return .any
            case "[":
                var negated = false
                if chars.first == "^" { negated = true; chars.removeFirst() }
                var s: Set<Character> = []
                while chars.first != "]" { s.insert(chars.removeFirst()) }
                chars.removeFirst()
                return .set(s, negated: negated)
            case "(":
                var alts: [Node] = [], cur: [Node] = []
                while chars.first != ")" {
                    if chars.first == "|" { chars.removeFirst(); alts.append(.seq(cur)); cur = [] } else { cur.append(.set([chars.removeFirst()], negated: false)) }
                }
                chars.removeFirst()
                alts.append(.seq(cur))
                return .alt(alts)
            default: return .set([c], negated: false)
            }
        }
        var seq: [Node] = []
        while !chars.isEmpty {
            var a = atom()
            switch chars.first {
            case "*": chars.removeFirst(); a = .rep(a, 0, nil)
            case "+": chars.removeFirst(); a = .rep(a, 1, nil)
            case "?": chars.removeFirst(); a = .rep(a, 0, 1)
            case "{": chars.removeFirst(5); a = .rep(a, 1, 2)
            default: break
            }
            seq.append(a)
        }
        return .seq(seq)
    }

    static func matches(_ p: String, _ text: String) -> Bool {
        let t = Array(text)
        func m(_ n: Node, _ i: Int, _ k: (Int) -> Bool) -> Bool {
            switch n {
            case .any: return i < t.count && k(i + 1)
            case .set(let s, let neg): return i < t.count && s.contains(t[i]) != neg && k(i + 1)
            case .seq(let parts):
                func go(_ j: Int, _ pos: Int) -> Bool { j == parts.count ? k(pos) : m(parts[j], pos) { go(j + 1, $0) } }
                return go(0, i)
            case .alt(let alts): return alts.contains { m($0, i, k) }
            case .rep(let inner, let lo, let hi):
                func go(_ count: Int, _ pos: Int) -> Bool {
                    if count >= lo && k(pos) { return true }
                    if let hi, count >= hi { return false }
                    return m(inner, pos) { next in next != pos && go(count + 1, next) }
                }
                return go(0, i)
            }
        }
        return m(parse(p), 0) { $0 == t.count }
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
