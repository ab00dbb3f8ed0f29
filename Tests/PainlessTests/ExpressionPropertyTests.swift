import JSON
import Painless
import Testing

/// Random arithmetic/boolean expression trees printed with as few parentheses as precedence
/// allows, evaluated by Painless and by a direct Swift evaluation of the tree: checks the parser's
/// precedence and associativity and the evaluator's Java integer semantics.
@Suite struct ExpressionPropertyTests {
    indirect enum E {
        case num(Int64)
        case bin(String, E, E)
        case not(E)
        case neg(E)
        case cond(E, E, E)
    }

    /// Binding strength as Painless parses it (higher binds tighter).
    static func prec(_ op: String) -> Int {
        switch op {
        case "||": return 1
        case "&&": return 2
        case "==", "!=": return 3
        case "<", "<=", ">", ">=": return 4
        case "+", "-": return 5
        default: return 6  // * / %
        }
    }

    static func render(_ e: E, _ parent: Int = 0, rightOperand: Bool = false) -> String {
        switch e {
        case .num(let n): return n < 0 ? "(\(n))" : "\(n)"
        case .not(let x): return "!" + render(x, 7)
        case .neg(let x): return "- " + render(x, 7)
        case .cond(let c, let a, let b):
            let s = "\(render(c, 1)) ? \(render(a, 0)) : \(render(b, 0))"
            return parent > 0 ? "(\(s))" : s
        case .bin(let op, let a, let b):
            let p = prec(op)
            // Left-associative: a right operand of equal strength needs parentheses.
            let s = "\(render(a, p)) \(op) \(render(b, p, rightOperand: true))"
            return p < parent || (p == parent && rightOperand) || (p == 3 && parent == 3) || (p == 4 && parent == 4) ? "(\(s))" : s
        }
    }

    enum R: Equatable { case int(Int64), bool(Bool) }

    /// nil: a runtime error (division by zero or a type error) is expected.
    static func eval(_ e: E) -> R? {
        switch e {
        case .num(let n): return .int(n)
        case .not(let x): if case .bool(let b)? = eval(x) { return .bool(!b) }; return nil
        case .neg(let x): if case .int(let i)? = eval(x) { return .int(-i) }; return nil
        case .cond(let c, let a, let b):
            guard case .bool(let t)? = eval(c) else { return nil }
            return t ? eval(a) : eval(b)
        case .bin(let op, let a, let b):
            if op == "&&" || op == "||" {
                guard case .bool(let x)? = eval(a) else { return nil }
                if op == "&&" && !x { return .bool(false) }
                if op == "||" && x { return .bool(true) }
                guard case .bool(let y)? = eval(b) else { return nil }
                return .bool(y)
            }
            guard let l = eval(a), let r = eval(b) else { return nil }
            if op == "==" { return .bool(l == r) }
            if op == "!=" { return .bool(l != r) }
            guard case .int(let x) = l, case .int(let y) = r else { return nil }
            switch op {
            case "+": return .int(x + y)
            case "-": return .int(x - y)
            case "*": return .int(x * y)
            case "/": return y == 0 ? nil : .int(x / y)
            case "%": return y == 0 ? nil : .int(x % y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            default: return .bool(x >= y)
            }
        }
    }

    static func random(_ rng: inout SessionSummaryTests.RNG, depth: Int) -> E {
        if depth == 0 || Int.random(in: 0..<4, using: &rng) == 0 { return .num(Int64.random(in: -9...9, using: &rng)) }
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .not(random(&rng, depth: depth - 1))
        case 1: return .neg(random(&rng, depth: depth - 1))
        case 2: return .cond(random(&rng, depth: depth - 1), random(&rng, depth: depth - 1), random(&rng, depth: depth - 1))
        default:
            let op = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||"].randomElement(using: &rng)!
            return .bin(op, random(&rng, depth: depth - 1), random(&rng, depth: depth - 1))
        }
    }

    @Test(arguments: 0..<20)
    func matchesTheReference(seed: Int) throws {
        var rng = SessionSummaryTests.RNG(state: UInt64(seed) &+ 99)
        var checked = 0
        while checked < 50 {
            let e = Self.random(&rng, depth: 4)
            let src = Self.render(e)
            let expected = Self.eval(e)
            do {
                let v = try PainlessScript(src).evaluate()
                switch expected {
                case .int(let i)?: #expect(v == .int(i), "\(src)")
                case .bool(let b)?: #expect(v == .bool(b), "\(src)")
                case nil: Issue.record("expected a runtime error: \(src) gave \(v)")
                }
            } catch {
                #expect(expected == nil && error.phase == .runtime, "\(src): \(error)")
            }
            checked += 1
        }
    }
}
