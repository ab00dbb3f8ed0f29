import Foundation
import Index
import JSON

/// The small expression language pipeline aggregations accept in place of Painless: what
/// dashboards write in `bucket_script`, `bucket_selector` and `moving_fn`.
///
/// `params.x` / `params['x']` variables, numbers, `true`/`false`/`null`, `+ - * / %`, comparisons,
/// `&& || !`, `?:`, parentheses, an optional `return` and `;`, `Math.*` (abs, sqrt, pow, log, log10,
/// exp, min, max, floor, ceil, round, signum) and `MovingFunctions.*` (max, min, sum, unweightedAvg,
/// linearWeightedAvg, ewma, holt, stdDev, windowMax, windowMin) over `values`.
struct ScriptExpression: Sendable {
    indirect enum Node: Sendable {
        case number(Double)
        case bool(Bool)
        case null
        case variable(String)      // params.x
        case values                // moving_fn's window
        case unary(String, Node)
        case binary(String, Node, Node)
        case ternary(Node, Node, Node)
        case call(String, [Node])
    }

    enum Value: Equatable {
        case number(Double), bool(Bool), array([Double]), null
        var number: Double? {
            switch self {
            case .number(let d): return d
            case .bool(let b): return b ? 1 : 0
            default: return nil
            }
        }
    }

    let source: String
    let root: Node
    /// `params` given with the script object.
    let params: [String: Double]

    static func failure(_ source: String, _ why: String) -> OpenSearchError {
        OpenSearchError("script_exception", "compile error", status: 400,
                        metadata: JSONObject([("script_stack", .array([.string(source)])), ("script", .string(source)), ("lang", "painless")]),
                        causedBy: .illegalArgument(why))
    }

    /// Parses `script`: a string or `{"source"|"inline": …, "lang": "painless", "params": {…}}`.
    static func parse(_ json: JSONValue) throws(OpenSearchError) -> ScriptExpression {
        var text: String
        var params: [String: Double] = [:]
        switch json {
        case .string(let s): text = s
        case .object(let o):
            guard let s = (o["source"] ?? o["inline"])?.stringValue else {
                throw OpenSearchError.parsing("must specify either [source] for an inline script or [id] for a stored script")
            }
            text = s
            if let lang = o["lang"]?.stringValue, lang != "painless", lang != "expression" {
                throw .illegalArgument("script_lang not supported [\(lang)]")
            }
            if case .object(let p)? = o["params"] {
                for (k, v) in p { if let d = v.doubleValue { params[k] = d } }
            }
        default:
            throw OpenSearchError.parsing("[script] must be a string or an object")
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var p = Parser(Array(text.utf8), text)
        let root = try p.script()
        return ScriptExpression(source: text, root: root, params: params)
    }

    /// Evaluates with bucket variables (nil = missing, as Painless sees a null).
    func evaluate(_ vars: [String: Double?], values: [Double] = []) throws(OpenSearchError) -> Value {
        try eval(root, vars, values)
    }

    private func eval(_ n: Node, _ vars: [String: Double?], _ values: [Double]) throws(OpenSearchError) -> Value {
        switch n {
        case .number(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .values: return .array(values)
        case .variable(let name):
            if let v = vars[name] { return v.map { .number($0) } ?? .null }
            if let p = params[name] { return .number(p) }
            return .null
        case .unary(let op, let x):
            let v = try eval(x, vars, values)
            if op == "!" {
                guard case .bool(let b) = v else { throw failure("cannot apply [!] to a non-boolean") }
                return .bool(!b)
            }
            guard let d = v.number else { throw nullFailure() }
            return .number(-d)
        case .ternary(let c, let a, let b):
            guard case .bool(let cond) = try eval(c, vars, values) else { throw failure("condition is not a boolean") }
            return try eval(cond ? a : b, vars, values)
        case .binary(let op, let l, let r):
            if op == "&&" || op == "||" {
                guard case .bool(let a) = try eval(l, vars, values) else { throw failure("[\(op)] needs booleans") }
                if op == "&&" && !a { return .bool(false) }
                if op == "||" && a { return .bool(true) }
                guard case .bool(let b) = try eval(r, vars, values) else { throw failure("[\(op)] needs booleans") }
                return .bool(b)
            }
            let a = try eval(l, vars, values), b = try eval(r, vars, values)
            if op == "==" { return .bool(a == b) }
            if op == "!=" { return .bool(a != b) }
            guard let x = a.number, let y = b.number else { throw nullFailure() }
            switch op {
            case "+": return .number(x + y)
            case "-": return .number(x - y)
            case "*": return .number(x * y)
            case "/": return .number(x / y)
            case "%": return .number(x.truncatingRemainder(dividingBy: y))
            case ">": return .bool(x > y)
            case "<": return .bool(x < y)
            case ">=": return .bool(x >= y)
            case "<=": return .bool(x <= y)
            default: throw failure("unknown operator [\(op)]")
            }
        case .call(let name, let args):
            var vals: [Value] = []
            for a in args { vals.append(try eval(a, vars, values)) }
            return try call(name, vals)
        }
    }

    private func failure(_ why: String) -> OpenSearchError {
        OpenSearchError("script_exception", "runtime error", status: 400,
                        metadata: JSONObject([("script", .string(source)), ("lang", "painless")]), causedBy: .illegalArgument(why))
    }

    private func nullFailure() -> OpenSearchError {
        OpenSearchError("script_exception", "runtime error", status: 400,
                        metadata: JSONObject([("script", .string(source)), ("lang", "painless")]),
                        causedBy: OpenSearchError("null_pointer_exception", "Cannot invoke \"Object.getClass()\" because \"value\" is null", status: 400))
    }

    private func call(_ name: String, _ args: [Value]) throws(OpenSearchError) -> Value {
        func num(_ i: Int) throws(OpenSearchError) -> Double {
            guard i < args.count, let d = args[i].number else { throw failure("[\(name)] expects a number as argument \(i + 1)") }
            return d
        }
        func arr() throws(OpenSearchError) -> [Double] {
            guard case .array(let a)? = args.first else { throw failure("[\(name)] expects [values]") }
            return a
        }
        switch name {
        case "Math.abs": return .number(abs(try num(0)))
        case "Math.sqrt": return .number(try num(0).squareRoot())
        case "Math.pow": return .number(pow(try num(0), try num(1)))
        case "Math.log": return .number(log(try num(0)))
        case "Math.log10": return .number(log10(try num(0)))
        case "Math.exp": return .number(exp(try num(0)))
        case "Math.min": return .number(min(try num(0), try num(1)))
        case "Math.max": return .number(max(try num(0), try num(1)))
        case "Math.floor": return .number((try num(0)).rounded(.down))
        case "Math.ceil": return .number((try num(0)).rounded(.up))
        case "Math.round": return .number((try num(0) + 0.5).rounded(.down))
        case "Math.signum": let d = try num(0); return .number(d > 0 ? 1 : d < 0 ? -1 : 0)
        case "MovingFunctions.max", "MovingFunctions.windowMax": return .number(MovingFunctions.max(try arr()))
        case "MovingFunctions.min", "MovingFunctions.windowMin": return .number(MovingFunctions.min(try arr()))
        case "MovingFunctions.sum": return .number(MovingFunctions.sum(try arr()))
        case "MovingFunctions.unweightedAvg": return .number(MovingFunctions.unweightedAvg(try arr()))
        case "MovingFunctions.linearWeightedAvg": return .number(MovingFunctions.linearWeightedAvg(try arr()))
        case "MovingFunctions.stdDev": return .number(MovingFunctions.stdDev(try arr(), try num(1)))
        case "MovingFunctions.ewma": return .number(MovingFunctions.ewma(try arr(), try num(1)))
        case "MovingFunctions.holt": return .number(MovingFunctions.holt(try arr(), try num(1), try num(2)))
        default: throw failure("Unknown call [\(name)] with [\(args.count)] arguments.")
        }
    }

    // MARK: parsing

    struct Parser {
        let b: [UInt8]
        let text: String
        var i = 0

        init(_ b: [UInt8], _ text: String) { self.b = b; self.text = text }

        func fail(_ why: String) -> OpenSearchError { ScriptExpression.failure(text, why) }

        mutating func skip() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x09 || b[i] == 0x0D { i += 1 } }

        mutating func peek(_ s: String) -> Bool {
            skip()
            let u = Array(s.utf8)
            return i + u.count <= b.count && Array(b[i..<(i + u.count)]) == u
        }

        mutating func eat(_ s: String) -> Bool {
            if peek(s) { i += s.utf8.count; return true }
            return false
        }

        mutating func script() throws(OpenSearchError) -> Node {
            skip()
            if peekWord("return") { i += 6 }
            let n = try expr()
            _ = eat(";")
            skip()
            if i != b.count { throw fail("unexpected character [\(Character(Unicode.Scalar(b[i])))] at offset \(i)") }
            return n
        }

        mutating func peekWord(_ w: String) -> Bool {
            guard peek(w) else { return false }
            let end = i + w.utf8.count
            return end >= b.count || !isIdent(b[end])
        }

        func isIdent(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x24
        }

        mutating func expr() throws(OpenSearchError) -> Node {
            let c = try or()
            if eat("?") {
                let a = try expr()
                guard eat(":") else { throw fail("expected [:]") }
                let e = try expr()
                return .ternary(c, a, e)
            }
            return c
        }

        mutating func or() throws(OpenSearchError) -> Node {
            var l = try and()
            while eat("||") { l = .binary("||", l, try and()) }
            return l
        }

        mutating func and() throws(OpenSearchError) -> Node {
            var l = try cmp()
            while eat("&&") { l = .binary("&&", l, try cmp()) }
            return l
        }

        mutating func cmp() throws(OpenSearchError) -> Node {
            let l = try add()
            for op in [">=", "<=", "==", "!=", ">", "<"] where eat(op) {
                if op == "==" || op == "!=" { _ = eat("=") }  // === / !==
                return .binary(op, l, try add())
            }
            return l
        }

        mutating func add() throws(OpenSearchError) -> Node {
            var l = try mul()
            while true {
                if eat("+") { l = .binary("+", l, try mul()) } else if eat("-") { l = .binary("-", l, try mul()) } else { return l }
            }
        }

        mutating func mul() throws(OpenSearchError) -> Node {
            var l = try unary()
            while true {
                if eat("*") { l = .binary("*", l, try unary()) } else if eat("/") { l = .binary("/", l, try unary()) }
                else if eat("%") { l = .binary("%", l, try unary()) } else { return l }
            }
        }

        mutating func unary() throws(OpenSearchError) -> Node {
            if eat("-") { return .unary("-", try unary()) }
            if eat("!") { return .unary("!", try unary()) }
            if eat("+") { return try unary() }
            return try primary()
        }

        mutating func primary() throws(OpenSearchError) -> Node {
            skip()
            guard i < b.count else { throw fail("unexpected end of script") }
            if eat("(") {
                // A cast like `(double)` is accepted and ignored.
                for t in ["double", "float", "long", "int", "Double"] where peekWord(t) {
                    let save = i
                    i += t.utf8.count
                    if eat(")") { return try unary() }
                    i = save
                }
                let e = try expr()
                guard eat(")") else { throw fail("expected [)]") }
                return e
            }
            let c = b[i]
            if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: ".") {
                let start = i
                while i < b.count, (b[i] >= 0x30 && b[i] <= 0x39) || b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")
                    || ((b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) && (b[i - 1] == UInt8(ascii: "e") || b[i - 1] == UInt8(ascii: "E"))) { i += 1 }
                var s = String(decoding: b[start..<i], as: UTF8.self)
                if i < b.count, [UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "L"), UInt8(ascii: "l")].contains(b[i]) { i += 1 }
                if s.hasSuffix(".") { s += "0" }
                guard let d = Double(s) else { throw fail("bad number [\(s)]") }
                return .number(d)
            }
            guard isIdent(c) else { throw fail("unexpected character [\(Character(Unicode.Scalar(c)))] at offset \(i)") }
            var name = ident()
            while peek("."), i + 1 < b.count, isIdent(b[i + 1]) {
                i += 1
                name += "." + ident()
            }
            switch name {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            case "values": return .values
            default: break
            }
            if name == "params" && eat("[") {
                skip()
                guard i < b.count, b[i] == UInt8(ascii: "'") || b[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted name") }
                let q = b[i]
                i += 1
                let start = i
                while i < b.count, b[i] != q { i += 1 }
                let key = String(decoding: b[start..<i], as: UTF8.self)
                i += 1
                guard eat("]") else { throw fail("expected []]") }
                return .variable(key)
            }
            if eat("(") {
                var args: [Node] = []
                if !eat(")") {
                    repeat { args.append(try expr()) } while eat(",")
                    guard eat(")") else { throw fail("expected [)]") }
                }
                if name == "params.get", let first = args.first, case .variable = first { return first }
                return .call(name, args)
            }
            if name.hasPrefix("params.") { return .variable(String(name.dropFirst(7))) }
            throw fail("Variable [\(name)] is not defined.")
        }

        mutating func ident() -> String {
            let start = i
            while i < b.count, isIdent(b[i]) { i += 1 }
            return String(decoding: b[start..<i], as: UTF8.self)
        }
    }
}

/// OpenSearch's `MovingFunctions`, NaN-skipping as they are.
enum MovingFunctions {
    static func max(_ v: [Double]) -> Double { v.filter { !$0.isNaN }.max() ?? .nan }
    static func min(_ v: [Double]) -> Double { v.filter { !$0.isNaN }.min() ?? .nan }
    static func sum(_ v: [Double]) -> Double { v.filter { !$0.isNaN }.reduce(0, +) }

    static func unweightedAvg(_ v: [Double]) -> Double {
        let x = v.filter { !$0.isNaN }
        return x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
    }

    static func stdDev(_ v: [Double], _ avg: Double) -> Double {
        if avg.isNaN { return .nan }
        let x = v.filter { !$0.isNaN }
        if x.isEmpty { return .nan }
        return (x.reduce(0) { $0 + ($1 - avg) * ($1 - avg) } / Double(x.count)).squareRoot()
    }

    static func linearWeightedAvg(_ v: [Double]) -> Double {
        var avg = 0.0, total = 1.0, current = 1.0
        for x in v where !x.isNaN {
            avg += x * current
            total += current
            current += 1
        }
        return total == 1 ? .nan : avg / total
    }

    static func ewma(_ v: [Double], _ alpha: Double) -> Double {
        var avg = Double.nan
        var first = true
        for x in v where !x.isNaN {
            if first { avg = x; first = false } else { avg = x * alpha + avg * (1 - alpha) }
        }
        return avg
    }

    static func holt(_ v: [Double], _ alpha: Double, _ beta: Double) -> Double {
        var s = 0.0, lastS = 0.0, bt = 0.0, lastB = 0.0
        var counter = 0
        for x in v where !x.isNaN {
            if counter == 0 {
                s = x
                bt = 0
            } else {
                s = alpha * x + (1 - alpha) * (lastS + lastB)
                bt = beta * (s - lastS) + (1 - beta) * lastB
            }
            counter += 1
            lastS = s
            lastB = bt
        }
        return counter == 0 ? .nan : s
    }
}
