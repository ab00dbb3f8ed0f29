/// Evaluates one expression against a frame.
typealias Eval = @Sendable (Frame) throws(PainlessError) -> Value
/// Runs one statement; says how control leaves it.
typealias Exec = @Sendable (Frame) throws(PainlessError) -> Flow

enum Flow { case normal, breakLoop, continueLoop, returned }

/// Resolves names to slots and turns the AST into a tree of closures, so execution does no name
/// lookups, string switches on method names or AST walking.
struct Compiler {
    struct Local { var slot: Int; var type: TypeName }

    var scopes: [[String: Local]] = [["ctx": Local(slot: 0, type: .map), "params": Local(slot: 1, type: .map)]]
    var slotCount = 2

    mutating func compileScript(_ stmts: [Stmt]) throws(PainlessError) -> Exec {
        var body: [Exec] = []
        for (i, s) in stmts.enumerated() {
            // The last statement's value is the script's result, as in Painless.
            if i == stmts.count - 1, case .expr(let e) = s {
                let ev = try expr(e)
                body.append(exec { f throws(PainlessError) in f.returnValue = try ev(f); return .returned })
            } else {
                body.append(try stmt(s))
            }
        }
        return Compiler.sequence(body)
    }

    /// Pins a closure literal to `Exec` (inferring it through `Array.append` crashes SILGen in 6.3).
    @inline(__always)
    func exec(_ e: @escaping Exec) -> Exec { e }

    static func sequence(_ body: [Exec]) -> Exec {
        switch body.count {
        case 0: return { _ in .normal }
        case 1: return body[0]
        case 2:
            let a = body[0], b = body[1]
            return { f throws(PainlessError) in
                let r = try a(f)
                if r != .normal { return r }
                return try b(f)
            }
        default:
            return { f throws(PainlessError) in
                for s in body {
                    let r = try s(f)
                    if r != .normal { return r }
                }
                return .normal
            }
        }
    }

    func lookup(_ name: String) -> Local? {
        for scope in scopes.reversed() { if let l = scope[name] { return l } }
        return nil
    }

    mutating func declare(_ name: String, _ type: TypeName, at off: Int) throws(PainlessError) -> Int {
        if lookup(name) != nil { throw .syntax("variable [\(name)] is already defined", at: off) }
        let slot = slotCount
        slotCount += 1
        scopes[scopes.count - 1][name] = Local(slot: slot, type: type)
        return slot
    }

    // MARK: Statements

    mutating func stmt(_ s: Stmt) throws(PainlessError) -> Exec {
        switch s {
        case .empty:
            return { _ in .normal }
        case .block(let items):
            scopes.append([:])
            defer { scopes.removeLast() }
            var body: [Exec] = []
            for i in items { body.append(try stmt(i)) }
            return Compiler.sequence(body)
        case .declare(let type, let vars):
            var body: [Exec] = []
            for v in vars {
                var value: Eval? = nil
                if let e = v.value { value = try expr(e) }
                let slot = try declare(v.name, type, at: v.offset)
                let off = v.offset
                if let value {
                    if type == .def || type == .object {
                        body.append(exec { f throws(PainlessError) in f.slots[slot] = try value(f); return .normal })
                    } else {
                        body.append(exec { f throws(PainlessError) in f.slots[slot] = try Operators.coerce(try value(f), to: type, at: off); return .normal })
                    }
                } else {
                    let zero = Operators.zero(type)
                    switch zero {
                    case .int(let i): body.append(exec { f in f.slots[slot] = .int(i); return .normal })
                    case .double(let d): body.append(exec { f in f.slots[slot] = .double(d); return .normal })
                    case .bool(let b): body.append(exec { f in f.slots[slot] = .bool(b); return .normal })
                    default: body.append(exec { f in f.slots[slot] = .null; return .normal })
                    }
                }
            }
            return Compiler.sequence(body)
        case .expr(let e):
            let ev = try expr(e)
            return { f throws(PainlessError) in _ = try ev(f); return .normal }
        case .ifElse(let c, let a, let b):
            let cond = try condition(c)
            let then = try scoped(a)
            if let b {
                let other = try scoped(b)
                return { f throws(PainlessError) in try cond(f) ? try then(f) : try other(f) }
            }
            return { f throws(PainlessError) in try cond(f) ? try then(f) : .normal }
        case .whileLoop(let c, let body, let off):
            let cond = try condition(c)
            let run = try scoped(body)
            return { f throws(PainlessError) in
                while try cond(f) {
                    try f.countLoop(at: off)
                    switch try run(f) {
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    default: continue
                    }
                }
                return .normal
            }
        case .doWhile(let body, let c, let off):
            let run = try scoped(body)
            let cond = try condition(c)
            return { f throws(PainlessError) in
                repeat {
                    try f.countLoop(at: off)
                    switch try run(f) {
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    default: break
                    }
                } while try cond(f)
                return .normal
            }
        case .forLoop(let initial, let c, let step, let body, let off):
            scopes.append([:])
            defer { scopes.removeLast() }
            var inits: [Exec] = []
            for i in initial { inits.append(try stmt(i)) }
            let start = Compiler.sequence(inits)
            var condition: (@Sendable (Frame) throws(PainlessError) -> Bool)? = nil
            if let c { condition = try self.condition(c) }
            var built: [Eval] = []
            for e in step { built.append(try expr(e)) }
            let cond = condition, steps = built
            let run = try scoped(body)
            return { f throws(PainlessError) in
                _ = try start(f)
                while try cond?(f) ?? true {
                    try f.countLoop(at: off)
                    switch try run(f) {
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    default: break
                    }
                    for s in steps { _ = try s(f) }
                }
                return .normal
            }
        case .forEach(let type, let name, let iterable, let body, let off):
            let source = try expr(iterable)
            scopes.append([:])
            defer { scopes.removeLast() }
            let slot = try declare(name, type, at: off)
            let run = try scoped(body)
            let typed = type != .def && type != .object
            return { f throws(PainlessError) in
                let items: [Value]
                switch try source(f) {
                case .list(let l): items = l.items
                case .map(let m): items = m.keys.map { .string($0) }
                case .null: throw PainlessError.nullPointer("cannot iterate over a null value", at: off)
                case let other: throw PainlessError.illegalArgument("Cannot iterate over [\(other.javaClass)]", at: off)
                }
                for v in items {
                    try f.countLoop(at: off)
                    f.slots[slot] = typed ? try Operators.coerce(v, to: type, at: off) : v
                    switch try run(f) {
                    case .breakLoop: return .normal
                    case .returned: return .returned
                    default: break
                    }
                }
                return .normal
            }
        case .breakLoop:
            return { _ in .breakLoop }
        case .continueLoop:
            return { _ in .continueLoop }
        case .returnValue(let e, _):
            guard let e else { return { f in f.returnValue = .null; return .returned } }
            let ev = try expr(e)
            return { f throws(PainlessError) in f.returnValue = try ev(f); return .returned }
        case .throwException(let cls, let message, let off):
            // IllegalArgumentException → illegal_argument_exception, as OpenSearch names causes.
            var type = ""
            for (i, ch) in cls.enumerated() {
                if ch.isUppercase && i > 0 { type += "_" }
                type += ch.lowercased()
            }
            let name = type
            var ev: Eval? = nil
            if let message { ev = try expr(message) }
            let msg = ev
            return { f throws(PainlessError) in
                let text = try msg.map { m throws(PainlessError) in try m(f) }?.javaString ?? ""
                throw PainlessError(.runtime, name, text, at: off)
            }
        }
    }

    /// A statement in its own scope (loop and branch bodies).
    mutating func scoped(_ s: Stmt) throws(PainlessError) -> Exec {
        scopes.append([:])
        defer { scopes.removeLast() }
        return try stmt(s)
    }

    mutating func condition(_ e: Expr) throws(PainlessError) -> @Sendable (Frame) throws(PainlessError) -> Bool {
        let ev = try expr(e)
        let off = e.offset
        return { f throws(PainlessError) in
            let v = try ev(f)
            if case .bool(let b) = v { return b }
            return try Operators.truth(v, at: off)
        }
    }
}
