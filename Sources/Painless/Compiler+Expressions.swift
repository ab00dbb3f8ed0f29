extension Compiler {
    /// Where an assignment writes.
    enum Target {
        case local(Int, TypeName)
        case field(Eval, String, Int)
        case index(Eval, Eval, Int)
    }

    mutating func target(_ e: Expr) throws(PainlessError) -> Target {
        switch e {
        case .variable(let name, let off):
            guard let l = lookup(name) else { throw .syntax("cannot resolve symbol [\(name)]", at: off) }
            if l.slot <= 1 { throw .syntax("cannot assign a value to read-only variable [\(name)]", at: off) }
            return .local(l.slot, l.type)
        case .field(let base, let name, _, let off):
            return .field(try expr(base), name, off)
        case .index(let base, let key, let off):
            return .index(try expr(base), try expr(key), off)
        default:
            throw .syntax("invalid assignment: cannot assign a value to this expression", at: e.offset)
        }
    }

    /// Reads a target, computes the new value, writes it back; evaluates the base only once.
    func update(_ t: Target, returnOld: Bool,
                _ next: @escaping @Sendable (Value, Frame) throws(PainlessError) -> Value) -> Eval {
        switch t {
        case .local(let slot, let type):
            let typed = type != .def && type != .object
            return { f throws(PainlessError) in
                let old = f.slots[slot]
                var v = try next(old, f)
                if typed { v = try Operators.cast(v, to: type, at: -1) }
                f.slots[slot] = v
                return returnOld ? old : v
            }
        case .field(let base, let name, let off):
            return { f throws(PainlessError) in
                let o = try base(f)
                let old = try Operators.getField(o, name, nullSafe: false, at: off)
                let v = try next(old, f)
                try Operators.setField(o, name, v, at: off)
                return returnOld ? old : v
            }
        case .index(let base, let key, let off):
            return { f throws(PainlessError) in
                let o = try base(f)
                let k = try key(f)
                let old = try Operators.getIndex(o, k, at: off)
                let v = try next(old, f)
                try Operators.setIndex(o, k, v, at: off)
                return returnOld ? old : v
            }
        }
    }

    mutating func expr(_ e: Expr) throws(PainlessError) -> Eval {
        switch e {
        case .null: return { _ in .null }
        case .bool(let b, _): return { _ in .bool(b) }
        case .int(let i, _): return { _ in .int(i) }
        case .double(let d, _): return { _ in .double(d) }
        case .string(let s, _): return { _ in .string(s) }
        case .variable(let name, let off):
            guard let l = lookup(name) else {
                if Parser.staticClasses.contains(name) || TypeName(rawValue: name) != nil {
                    throw .syntax("invalid sequence of tokens near ['\(name)'].", at: off)
                }
                throw .syntax("cannot resolve symbol [\(name)]", at: off)
            }
            let slot = l.slot
            return { f in f.slots[slot] }
        case .field(let base, let name, let nullSafe, let off):
            let b = try expr(base)
            return { f throws(PainlessError) in
                let o = try b(f)
                if case .map(let m) = o { return m[name] ?? .null }
                return try Operators.getField(o, name, nullSafe: nullSafe, at: off)
            }
        case .index(let base, let key, let off):
            let b = try expr(base), k = try expr(key)
            return { f throws(PainlessError) in try Operators.getIndex(try b(f), try k(f), at: off) }
        case .call(let base, let name, let args, let nullSafe, let off)
            where args.count == 1 && { if case .lambda = args[0] { return true }; return false }():
            guard case .lambda(let params, let body, let loff) = args[0] else { fatalError("checked above") }
            let recv = try expr(base)
            let fn = try lambda(params, body, at: loff)
            return { f throws(PainlessError) in
                let r = try recv(f)
                if nullSafe && r.isNull { return .null }
                return try Methods.invokeLambda(r, name, fn, arity: params.count, frame: f, at: off)
            }
        case .lambda(_, _, let off):
            throw .syntax("a lambda is only supported as the argument of removeIf, sort or forEach", at: off)
        case .call(let base, let name, let args, let nullSafe, let off):
            let recv = try expr(base)
            let method = Method(rawValue: name) ?? .unknown
            var evals: [Eval] = []
            for a in args { evals.append(try expr(a)) }
            return Compiler.call(evals) { r, a, b, rest throws(PainlessError) in
                if nullSafe && r.isNull { return .null }
                return try Methods.invoke(r, method, name, a, b, rest, count: args.count, at: off)
            } receiver: { f throws(PainlessError) in try recv(f) }
        case .staticCall(let cls, let name, let args, let off):
            guard let fn = StaticMethod(cls, name, args.count) else {
                throw .syntax("cannot resolve static method [\(cls), \(name)/\(args.count)]", at: off)
            }
            var evals: [Eval] = []
            for a in args { evals.append(try expr(a)) }
            return Compiler.call(evals) { _, a, b, rest throws(PainlessError) in
                try Methods.invokeStatic(fn, a, b, rest, at: off)
            } receiver: { _ in .null }
        case .staticField(let cls, let name, let off):
            guard let v = Methods.staticField(cls, name) else {
                throw .syntax("cannot resolve symbol [\(cls).\(name)]", at: off)
            }
            switch v {
            case .int(let i): return { _ in .int(i) }
            case .double(let d): return { _ in .double(d) }
            default: return { _ in .null }
            }
        case .new(let type, let args, let off):
            guard args.count <= 1 else { throw .syntax("constructor [\(type.rawValue), <init>/\(args.count)] not found", at: off) }
            let arg = try args.first.map { a throws(PainlessError) in try expr(a) }
            return { f throws(PainlessError) in try Methods.construct(type, try arg?(f), at: off) }
        case .list(let items, _):
            var built: [Eval] = []
            for i in items { built.append(try expr(i)) }
            let evals = built
            return { f throws(PainlessError) in
                var out: [Value] = []
                out.reserveCapacity(evals.count)
                for e in evals { out.append(try e(f)) }
                return .list(PainlessList(out))
            }
        case .map(let pairs, _):
            var built: [(Eval, Eval)] = []
            for (k, v) in pairs { built.append((try expr(k), try expr(v))) }
            let evals = built
            return { f throws(PainlessError) in
                let m = PainlessMap(capacity: evals.count)
                for (k, v) in evals { m.put(try k(f).mapKey, try v(f)) }
                return .map(m)
            }
        case .unary(let op, let operand, let off):
            let v = try expr(operand)
            if op == .not {
                return { f throws(PainlessError) in
                    let x = try v(f)
                    if case .bool(let b) = x { return .bool(!b) }
                    return try Operators.unary(.not, x, at: off)
                }
            }
            return { f throws(PainlessError) in try Operators.unary(op, try v(f), at: off) }
        case .binary(let op, let lhs, let rhs, let off):
            let a = try expr(lhs), b = try expr(rhs)
            switch op {
            case .eq: return { f throws(PainlessError) in .bool(Value.equal(try a(f), try b(f))) }
            case .ne: return { f throws(PainlessError) in .bool(!Value.equal(try a(f), try b(f))) }
            default: return { f throws(PainlessError) in try Operators.binary(op, try a(f), try b(f), at: off) }
            }
        case .and(let lhs, let rhs, _):
            let a = try condition(lhs), b = try condition(rhs)
            return { f throws(PainlessError) in
                if try !a(f) { return .bool(false) }
                return .bool(try b(f))
            }
        case .or(let lhs, let rhs, _):
            let a = try condition(lhs), b = try condition(rhs)
            return { f throws(PainlessError) in
                if try a(f) { return .bool(true) }
                return .bool(try b(f))
            }
        case .conditional(let c, let x, let y, _):
            let cond = try condition(c), a = try expr(x), b = try expr(y)
            return { f throws(PainlessError) in try cond(f) ? try a(f) : try b(f) }
        case .elvis(let x, let y, _):
            let a = try expr(x), b = try expr(y)
            return { f throws(PainlessError) in
                let v = try a(f)
                return v.isNull ? try b(f) : v
            }
        case .assign(let lhs, let op, let rhs, let off):
            let t = try target(lhs)
            let value = try expr(rhs)
            if let op {
                return update(t, returnOld: false) { old, f throws(PainlessError) in try Operators.binary(op, old, try value(f), at: off) }
            }
            switch t {
            case .local(let slot, let type):
                if type == .def || type == .object {
                    return { f throws(PainlessError) in
                        let v = try value(f)
                        f.slots[slot] = v
                        return v
                    }
                }
                return { f throws(PainlessError) in
                    let v = try Operators.coerce(try value(f), to: type, at: off)
                    f.slots[slot] = v
                    return v
                }
            case .field(let base, let name, let foff):
                return { f throws(PainlessError) in
                    let o = try base(f)
                    let v = try value(f)
                    if case .map(let m) = o { m.put(name, v); return v }
                    try Operators.setField(o, name, v, at: foff)
                    return v
                }
            case .index(let base, let key, let ioff):
                return { f throws(PainlessError) in
                    let o = try base(f)
                    let k = try key(f)
                    let v = try value(f)
                    try Operators.setIndex(o, k, v, at: ioff)
                    return v
                }
            }
        case .increment(let operand, let delta, let prefix, let off):
            let t = try target(operand)
            return update(t, returnOld: !prefix) { old, _ throws(PainlessError) in
                switch old {
                case .int(let i): return .int(i &+ delta)
                case .double(let d): return .double(d + Double(delta))
                default: return try Operators.binary(.add, old, .int(delta), at: off)
                }
            }
        case .cast(let type, let operand, let off):
            let v = try expr(operand)
            return { f throws(PainlessError) in try Operators.cast(try v(f), to: type, at: off) }
        case .instanceOf(let operand, let type, _):
            let v = try expr(operand)
            return { f throws(PainlessError) in .bool(Operators.isInstance(try v(f), type)) }
        }
    }

    /// A call with its arguments evaluated left to right after the receiver, without allocating
    /// an argument array for up to two arguments.
    static func call(_ args: [Eval],
                     _ body: @escaping @Sendable (Value, Value, Value, [Value]) throws(PainlessError) -> Value,
                     receiver: @escaping Eval) -> Eval {
        switch args.count {
        case 0:
            return { f throws(PainlessError) in try body(try receiver(f), .null, .null, []) }
        case 1:
            let a = args[0]
            return { f throws(PainlessError) in
                let r = try receiver(f)
                return try body(r, try a(f), .null, [])
            }
        case 2:
            let a = args[0], b = args[1]
            return { f throws(PainlessError) in
                let r = try receiver(f)
                let x = try a(f)
                return try body(r, x, try b(f), [])
            }
        default:
            return { f throws(PainlessError) in
                let r = try receiver(f)
                var all: [Value] = []
                for a in args { all.append(try a(f)) }
                return try body(r, all[0], all[1], all)
            }
        }
    }

    /// Compiles a lambda body over slots of the enclosing frame (it may read and write the
    /// enclosing locals, as Painless lambdas capture them). A `return` inside ends the lambda.
    mutating func lambda(_ params: [String], _ body: Stmt, at off: Int) throws(PainlessError) -> Lambda {
        guard params.count <= 2 else { throw .syntax("lambdas take at most two parameters here", at: off) }
        scopes.append([:])
        defer { scopes.removeLast() }
        var slots: [Int] = []
        for p in params { slots.append(try declare(p, .def, at: off)) }
        let run = try stmt(body)
        let a = slots.first ?? -1, b = slots.count > 1 ? slots[1] : -1
        return { f, x, y throws(PainlessError) in
            if a >= 0 { f.slots[a] = x }
            if b >= 0 { f.slots[b] = y }
            let saved = f.returnValue
            defer { f.returnValue = saved }
            f.returnValue = .null
            _ = try run(f)
            return f.returnValue
        }
    }
}

/// A compiled lambda: frame, first and second argument → result.
typealias Lambda = @Sendable (Frame, Value, Value) throws(PainlessError) -> Value
