/// Recursive-descent parser for the Painless subset, producing `Stmt`s with offsets. Anything
/// outside the subset (lambdas, regexes, arrays, functions, try/catch) fails here with the
/// offending token's position, as Painless's own "invalid sequence of tokens" errors do.
struct Parser {
    var tokens: [Token]
    var pos = 0
    /// Nesting of statements and unary expressions; bounded so a hostile script cannot exhaust
    /// the stack of the parser, the compiler or the evaluator (all recursive).
    var depth = 0
    static let maxDepth = 256

    mutating func enter(_ offset: Int) throws(PainlessError) {
        depth += 1
        if depth > Parser.maxDepth { throw .syntax("script is nested too deeply (more than \(Parser.maxDepth) levels)", at: offset) }
    }

    /// Classes whose static members are callable (`Math.max`, `Integer.parseInt`, …).
    static let staticClasses: Set<String> = ["Math", "Integer", "Long", "Double", "Float", "String", "Boolean", "Objects", "Collections", "Debug"]

    init(_ source: String) throws(PainlessError) {
        tokens = try Lexer.tokenize(source)
    }

    static func parse(_ source: String) throws(PainlessError) -> [Stmt] {
        var p = try Parser(source)
        var out: [Stmt] = []
        while !p.atEnd {
            out.append(try p.statement())
        }
        if out.isEmpty { throw .syntax("cannot generate empty script", at: 0) }
        return out
    }

    var atEnd: Bool { if case .end = tokens[pos].kind { return true }; return false }
    var peek: Token { tokens[pos] }
    func peek(_ n: Int) -> Token { tokens[min(pos + n, tokens.count - 1)] }

    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func unexpected(_ t: Token? = nil) -> PainlessError {
        let t = t ?? peek
        if case .end = t.kind { return .syntax("unexpected end of script.", at: t.offset) }
        return .syntax("invalid sequence of tokens near ['\(t.text)'].", at: t.offset)
    }

    mutating func expect(_ s: String) throws(PainlessError) {
        guard peek.isSymbol(s) else { throw unexpected() }
        pos += 1
    }

    mutating func accept(_ s: String) -> Bool {
        if peek.isSymbol(s) { pos += 1; return true }
        return false
    }

    /// `;` ends a statement; it may be left out before `}` and at the end of the script.
    mutating func endStatement() throws(PainlessError) {
        if accept(";") { return }
        if peek.isSymbol("}") || atEnd { return }
        throw unexpected()
    }

    mutating func identifier() throws(PainlessError) -> String {
        guard case .identifier(let s) = peek.kind, !Parser.keywords.contains(s) else { throw unexpected() }
        pos += 1
        return s
    }

    static let keywords: Set<String> = ["if", "else", "while", "do", "for", "in", "continue", "break", "return", "new", "try", "catch",
                                        "throw", "this", "instanceof", "true", "false", "null"]

    /// A type name followed by an identifier starts a declaration.
    func declarationType() -> TypeName? {
        // `var` is an extension (Painless proper has only `def`): it declares a dynamic variable.
        guard case .identifier(let s) = peek.kind, let t = s == "var" ? .def : TypeName(rawValue: s) else { return nil }
        guard case .identifier(let n) = peek(1).kind, !Parser.keywords.contains(n) else { return nil }
        return t
    }

    mutating func statement() throws(PainlessError) -> Stmt {
        let t = peek
        try enter(t.offset)
        defer { depth -= 1 }
        if t.isSymbol("{") { return try block() }
        if t.isSymbol(";") { pos += 1; return .empty }
        if case .identifier(let word) = t.kind {
            switch word {
            case "if":
                pos += 1
                try expect("(")
                let c = try expression()
                try expect(")")
                let then = try statement()
                if peek.isWord("else") {
                    pos += 1
                    return .ifElse(c, then, try statement())
                }
                return .ifElse(c, then, nil)
            case "while":
                pos += 1
                try expect("(")
                let c = try expression()
                try expect(")")
                return .whileLoop(c, try statement(), t.offset)
            case "do":
                pos += 1
                let body = try statement()
                guard peek.isWord("while") else { throw unexpected() }
                pos += 1
                try expect("(")
                let c = try expression()
                try expect(")")
                try endStatement()
                return .doWhile(body, c, t.offset)
            case "for": return try forStatement()
            case "break": pos += 1; try endStatement(); return .breakLoop(t.offset)
            case "continue": pos += 1; try endStatement(); return .continueLoop(t.offset)
            case "return":
                pos += 1
                if accept(";") || peek.isSymbol("}") || atEnd { return .returnValue(nil, t.offset) }
                let e = try expression()
                try endStatement()
                return .returnValue(e, t.offset)
            case "throw":
                pos += 1
                guard peek.isWord("new"), case .identifier(let cls) = peek(1).kind,
                      cls.hasSuffix("Exception") || cls.hasSuffix("Error") else { throw unexpected() }
                pos += 2
                let args = try arguments()
                guard args.count <= 1 else { throw unexpected() }
                try endStatement()
                return .throwException(type: cls, message: args.first, t.offset)
            case "try", "catch", "else": throw unexpected()
            default: break
            }
        }
        if let type = declarationType() {
            let d = try declaration(type)
            try endStatement()
            return d
        }
        let e = try expression()
        try endStatement()
        return .expr(e)
    }

    mutating func block() throws(PainlessError) -> Stmt {
        try expect("{")
        var body: [Stmt] = []
        while !peek.isSymbol("}") {
            if atEnd { throw unexpected() }
            body.append(try statement())
        }
        pos += 1
        return .block(body)
    }

    mutating func declaration(_ type: TypeName) throws(PainlessError) -> Stmt {
        pos += 1
        if peek.isSymbol("[") { throw unexpected() }
        var vars: [(name: String, value: Expr?, offset: Int)] = []
        repeat {
            let off = peek.offset
            let name = try identifier()
            var value: Expr? = nil
            if accept("=") { value = try expression() }
            vars.append((name, value, off))
        } while accept(",")
        return .declare(type, vars)
    }

    mutating func forStatement() throws(PainlessError) -> Stmt {
        let start = advance().offset
        try expect("(")
        // for (Type x : list)
        if let type = declarationType(), peek(2).isSymbol(":") {
            pos += 1
            let name = try identifier()
            pos += 1
            let iterable = try expression()
            try expect(")")
            return .forEach(type, name, iterable, try statement(), start)
        }
        // for (x in list)
        if case .identifier = peek.kind, peek(1).isWord("in") {
            let name = try identifier()
            pos += 1
            let iterable = try expression()
            try expect(")")
            return .forEach(.def, name, iterable, try statement(), start)
        }
        var initial: [Stmt] = []
        if !peek.isSymbol(";") {
            if let type = declarationType() {
                initial.append(try declaration(type))
            } else {
                repeat { initial.append(.expr(try expression())) } while accept(",")
            }
        }
        try expect(";")
        let cond = peek.isSymbol(";") ? nil : try expression()
        try expect(";")
        var step: [Expr] = []
        if !peek.isSymbol(")") {
            repeat { step.append(try expression()) } while accept(",")
        }
        try expect(")")
        return .forLoop(initial: initial, condition: cond, step: step, body: try statement(), start)
    }

    // MARK: Expressions, lowest precedence first

    mutating func expression() throws(PainlessError) -> Expr {
        try enter(peek.offset)
        defer { depth -= 1 }
        let lhs = try conditional()
        let t = peek
        if case .symbol(let s) = t.kind {
            let compound: [String: BinaryOp] = ["+=": .add, "-=": .sub, "*=": .mul, "/=": .div, "%=": .rem,
                                                "&=": .bitAnd, "|=": .bitOr, "^=": .bitXor, "<<=": .shl, ">>=": .shr, ">>>=": .ushr]
            if s == "=" || compound[s] != nil {
                guard Parser.isAssignable(lhs) else { throw .syntax("invalid assignment: cannot assign a value to this expression", at: t.offset) }
                pos += 1
                let rhs = try expression()
                return .assign(lhs, compound[s], rhs, t.offset)
            }
        }
        return lhs
    }

    static func isAssignable(_ e: Expr) -> Bool {
        switch e {
        case .variable, .index: return true
        case .field(_, _, let nullSafe, _): return !nullSafe
        default: return false
        }
    }

    mutating func conditional() throws(PainlessError) -> Expr {
        let c = try elvis()
        if peek.isSymbol("?") {
            let off = advance().offset
            let a = try expression()
            try expect(":")
            let b = try expression()
            return .conditional(c, a, b, off)
        }
        return c
    }

    mutating func elvis() throws(PainlessError) -> Expr {
        let lhs = try orExpr()
        if peek.isSymbol("?:") {
            let off = advance().offset
            try enter(off)
            defer { depth -= 1 }
            return .elvis(lhs, try elvis(), off)
        }
        return lhs
    }

    mutating func orExpr() throws(PainlessError) -> Expr {
        var lhs = try andExpr()
        var added = 0
        defer { depth -= added }
        while peek.isSymbol("||") {
            let off = advance().offset
            try enter(off); added += 1
            lhs = .or(lhs, try andExpr(), off)
        }
        return lhs
    }

    mutating func andExpr() throws(PainlessError) -> Expr {
        var lhs = try binary(0)
        var added = 0
        defer { depth -= added }
        while peek.isSymbol("&&") {
            let off = advance().offset
            try enter(off); added += 1
            lhs = .and(lhs, try binary(0), off)
        }
        return lhs
    }

    /// Binary operator levels from `|` up to `* / %`.
    static let levels: [[String]] = [["|"], ["^"], ["&"], ["==", "!=", "===", "!=="], ["<", "<=", ">", ">="], ["<<", ">>", ">>>"],
                                     ["+", "-"], ["*", "/", "%"]]

    mutating func binary(_ level: Int) throws(PainlessError) -> Expr {
        if level == Parser.levels.count { return try unary() }
        var lhs = try binary(level + 1)
        var added = 0
        defer { depth -= added }
        while true {
            let t = peek
            // Left-deep chains (`1 + 1 + …`) nest as deeply as parentheses do.
            if case .symbol(let s) = t.kind, Parser.levels[level].contains(s) { try enter(t.offset); added += 1 }
            if level == 4, t.isWord("instanceof") {
                pos += 1
                guard case .identifier(let n) = peek.kind, let type = TypeName(rawValue: n) else { throw unexpected() }
                pos += 1
                lhs = .instanceOf(lhs, type, t.offset)
                continue
            }
            guard case .symbol(let s) = t.kind, Parser.levels[level].contains(s), let op = BinaryOp(rawValue: s) else { return lhs }
            pos += 1
            lhs = .binary(op, lhs, try binary(level + 1), t.offset)
        }
    }

    mutating func unary() throws(PainlessError) -> Expr {
        let t = peek
        try enter(t.offset)
        defer { depth -= 1 }
        if case .symbol(let s) = t.kind {
            switch s {
            case "!": pos += 1; return .unary(.not, try unary(), t.offset)
            case "-":
                pos += 1
                // Fold literals so `-2147483648` and `-9223372036854775808L` are representable.
                if case .int(let i) = peek.kind { pos += 1; return try postfix(.int(-i, t.offset)) }
                if case .double(let d) = peek.kind { pos += 1; return try postfix(.double(-d, t.offset)) }
                return .unary(.negate, try unary(), t.offset)
            case "+": pos += 1; return .unary(.plus, try unary(), t.offset)
            case "~": pos += 1; return .unary(.bitNot, try unary(), t.offset)
            case "++", "--":
                pos += 1
                let target = try unary()
                guard Parser.isAssignable(target) else { throw .syntax("invalid assignment: cannot increment this expression", at: t.offset) }
                return .increment(target, delta: s == "++" ? 1 : -1, prefix: true, t.offset)
            case "(":
                // A cast: `(int) x`.
                if case .identifier(let n) = peek(1).kind, let type = TypeName(rawValue: n), peek(2).isSymbol(")") {
                    pos += 3
                    return .cast(type, try unary(), t.offset)
                }
            default: break
            }
        }
        return try postfix(try primary())
    }

    mutating func postfix(_ base: Expr) throws(PainlessError) -> Expr {
        var e = base
        var added = 0
        defer { depth -= added }
        while true {
            let t = peek
            try enter(t.offset); added += 1
            if t.isSymbol(".") || t.isSymbol("?.") {
                pos += 1
                let nullSafe = t.isSymbol("?.")
                let nameTok = peek
                let name: String
                switch nameTok.kind {
                case .identifier(let s): name = s
                case .int(let i): name = String(i)
                default: throw unexpected()
                }
                pos += 1
                if peek.isSymbol("(") {
                    let args = try arguments()
                    if case .variable(let cls, let off) = e, Parser.staticClasses.contains(cls), !nullSafe {
                        e = .staticCall(cls, name, args, off)
                    } else {
                        e = .call(e, name, args, nullSafe: nullSafe, nameTok.offset)
                    }
                } else if case .variable(let cls, let off) = e, Parser.staticClasses.contains(cls), !nullSafe {
                    e = .staticField(cls, name, off)
                } else {
                    e = .field(e, name, nullSafe: nullSafe, nameTok.offset)
                }
            } else if t.isSymbol("[") {
                pos += 1
                let i = try expression()
                try expect("]")
                e = .index(e, i, t.offset)
            } else if t.isSymbol("++") || t.isSymbol("--") {
                guard Parser.isAssignable(e) else { return e }
                pos += 1
                e = .increment(e, delta: t.isSymbol("++") ? 1 : -1, prefix: false, t.offset)
            } else {
                return e
            }
        }
    }

    mutating func arguments() throws(PainlessError) -> [Expr] {
        try expect("(")
        var args: [Expr] = []
        if accept(")") { return args }
        repeat {
            if let l = try lambda() { args.append(l) } else { args.append(try expression()) }
        } while accept(",")
        try expect(")")
        return args
    }

    /// A lambda argument, if one starts here: `x ->`, `(x) ->`, `(def a, def b) ->`, `() ->`.
    mutating func lambda() throws(PainlessError) -> Expr? {
        let start = pos
        var names: [String] = []
        if case .identifier(let n) = peek.kind, peek(1).isSymbol("->") {
            names = [n]
            pos += 1
        } else if peek.isSymbol("(") {
            pos += 1
            while !peek.isSymbol(")") {
                if case .identifier(let t) = peek.kind, TypeName(rawValue: t) != nil, case .identifier = peek(1).kind { pos += 1 }
                guard case .identifier(let n) = peek.kind, !Parser.keywords.contains(n) else { pos = start; return nil }
                names.append(n)
                pos += 1
                if !accept(",") { break }
            }
            guard accept(")"), peek.isSymbol("->") else { pos = start; return nil }
        } else {
            return nil
        }
        let arrow = advance().offset
        if peek.isSymbol("{") { return .lambda(names, try block(), arrow) }
        let body = try expression()
        return .lambda(names, .returnValue(body, body.offset), arrow)
    }

    mutating func primary() throws(PainlessError) -> Expr {
        let t = advance()
        switch t.kind {
        case .int(let i):
            return .int(i, t.offset)
        case .double(let d): return .double(d, t.offset)
        case .string(let s): return .string(s, t.offset)
        case .identifier(let s):
            switch s {
            case "true": return .bool(true, t.offset)
            case "false": return .bool(false, t.offset)
            case "null": return .null(t.offset)
            case "new":
                guard case .identifier(let n) = peek.kind, let type = TypeName(rawValue: n),
                      [.arrayList, .hashMap, .linkedHashMap, .hashSet, .linkedHashSet].contains(type) else { throw unexpected() }
                pos += 1
                if peek.isSymbol("[") { throw unexpected() }
                return .new(type, try arguments(), t.offset)
            default:
                if Parser.keywords.contains(s) { throw unexpected(t) }
                return .variable(s, t.offset)
            }
        case .symbol("("):
            let e = try expression()
            try expect(")")
            return e
        case .symbol("["):
            // [] list, [:] map, [a, b], ['k': v]
            if accept("]") { return .list([], t.offset) }
            if peek.isSymbol(":") && peek(1).isSymbol("]") { pos += 2; return .map([], t.offset) }
            let first = try expression()
            if accept(":") {
                var pairs = [(first, try expression())]
                while accept(",") {
                    let k = try expression()
                    try expect(":")
                    pairs.append((k, try expression()))
                }
                try expect("]")
                return .map(pairs, t.offset)
            }
            var items = [first]
            while accept(",") { items.append(try expression()) }
            try expect("]")
            return .list(items, t.offset)
        default:
            throw unexpected(t)
        }
    }
}
