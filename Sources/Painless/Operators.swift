import Foundation

/// Painless's dynamic (`def`) semantics for operators, member access and conversions: Java
/// numeric promotion, string concatenation, map/list shortcuts, null-pointer and cast errors.
enum Operators {
    // MARK: Arithmetic

    /// `x + y` for strings, refused past `Value.maxStringLength` (where Java would run out of heap).
    static func concat(_ x: String, _ y: String, at off: Int) throws(PainlessError) -> Value {
        let n = x.utf8.count + y.utf8.count
        if n > Value.maxStringLength {
            throw PainlessError(.runtime, "painless_error", "string of [\(n)] bytes exceeds the script limit of [\(Value.maxStringLength)]", at: off)
        }
        return .string(x + y)
    }

    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, at off: Int) throws(PainlessError) -> Value {
        switch op {
        case .add:
            switch (a, b) {
            case (.int(let x), .int(let y)): return .int(x &+ y)
            case (.string(let x), _): return try concat(x, b.javaString, at: off)
            case (_, .string(let y)): return try concat(a.javaString, y, at: off)
            default:
                let (x, y) = try doubles(a, b, op, off)
                return .double(x + y)
            }
        case .sub:
            if case .int(let x) = a, case .int(let y) = b { return .int(x &- y) }
            let (x, y) = try doubles(a, b, op, off)
            return .double(x - y)
        case .mul:
            if case .int(let x) = a, case .int(let y) = b { return .int(x &* y) }
            let (x, y) = try doubles(a, b, op, off)
            return .double(x * y)
        case .div:
            if case .int(let x) = a, case .int(let y) = b {
                if y == 0 { throw PainlessError(.runtime, "arithmetic_exception", "/ by zero", at: off) }
                return .int(x.dividedReportingOverflow(by: y).partialValue)
            }
            let (x, y) = try doubles(a, b, op, off)
            return .double(x / y)
        case .rem:
            if case .int(let x) = a, case .int(let y) = b {
                if y == 0 { throw PainlessError(.runtime, "arithmetic_exception", "/ by zero", at: off) }
                return .int(x.remainderReportingOverflow(dividingBy: y).partialValue)
            }
            let (x, y) = try doubles(a, b, op, off)
            return .double(fmod(x, y))
        case .eq: return .bool(Value.equal(a, b))
        case .ne: return .bool(!Value.equal(a, b))
        case .refEq: return .bool(identical(a, b))
        case .refNe: return .bool(!identical(a, b))
        case .lt, .le, .gt, .ge:
            let c: Bool
            if case .int(let x) = a, case .int(let y) = b {
                switch op { case .lt: c = x < y; case .le: c = x <= y; case .gt: c = x > y; default: c = x >= y }
            } else {
                let (x, y) = try doubles(a, b, op, off)
                switch op { case .lt: c = x < y; case .le: c = x <= y; case .gt: c = x > y; default: c = x >= y }
            }
            return .bool(c)
        case .bitAnd, .bitOr, .bitXor:
            if case .bool(let x) = a, case .bool(let y) = b {
                return .bool(op == .bitAnd ? x && y : op == .bitOr ? x || y : x != y)
            }
            let x = try integer(a, off), y = try integer(b, off)
            return .int(op == .bitAnd ? x & y : op == .bitOr ? x | y : x ^ y)
        case .shl, .shr, .ushr:
            let x = try integer(a, off), y = try integer(b, off) & 63
            switch op {
            case .shl: return .int(x << y)
            case .shr: return .int(x >> y)
            default: return .int(Int64(bitPattern: UInt64(bitPattern: x) >> UInt64(y)))
            }
        }
    }

    static func doubles(_ a: Value, _ b: Value, _ op: BinaryOp, _ off: Int) throws(PainlessError) -> (Double, Double) {
        guard let x = number(a), let y = number(b) else {
            let bad = number(a) == nil ? a : b
            if bad.isNull { throw PainlessError.nullPointer("cannot apply [\(op.rawValue)] to a null value", at: off) }
            throw PainlessError(.runtime, "class_cast_exception",
                                "Cannot apply [\(op.rawValue)] operation to types [\(a.javaClass)] and [\(b.javaClass)].", at: off)
        }
        return (x, y)
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    static func integer(_ v: Value, _ off: Int) throws(PainlessError) -> Int64 {
        if case .int(let i) = v { return i }
        if v.isNull { throw PainlessError.nullPointer("cannot unbox a null value", at: off) }
        throw PainlessError.cast(v, "java.lang.Long", at: off)
    }

    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)): return x === y
        case (.map(let x), .map(let y)): return x === y
        case (.list, _), (.map, _), (_, .list), (_, .map): return false
        default: return Value.equal(a, b)
        }
    }

    static func unary(_ op: UnaryOp, _ v: Value, at off: Int) throws(PainlessError) -> Value {
        switch (op, v) {
        case (.not, .bool(let b)): return .bool(!b)
        case (.negate, .int(let i)): return .int(0 &- i)
        case (.negate, .double(let d)): return .double(-d)
        case (.plus, .int), (.plus, .double): return v
        case (.bitNot, .int(let i)): return .int(~i)
        default:
            if v.isNull { throw PainlessError.nullPointer("cannot apply a unary operator to a null value", at: off) }
            throw PainlessError.cast(v, op == .not ? "boolean" : "java.lang.Number", at: off)
        }
    }

    static func truth(_ v: Value, at off: Int) throws(PainlessError) -> Bool {
        if case .bool(let b) = v { return b }
        if v.isNull { throw PainlessError.nullPointer("cannot unbox a null value to boolean", at: off) }
        throw PainlessError.cast(v, "boolean", at: off)
    }

    // MARK: Member access

    static func getField(_ o: Value, _ name: String, nullSafe: Bool, at off: Int) throws(PainlessError) -> Value {
        switch o {
        case .map(let m): return m[name] ?? .null
        case .null:
            if nullSafe { return .null }
            throw PainlessError.nullPointer("cannot access field [\(name)] of a null value", at: off)
        case .list(let l):
            if let i = Int64(name) { return try listGet(l, i, at: off) }
            if name == "length" || name == "size" { break }
        default: break
        }
        throw PainlessError.illegalArgument("dynamic getter [\(o.javaClass), \(name)] not found", at: off)
    }

    static func setField(_ o: Value, _ name: String, _ v: Value, at off: Int) throws(PainlessError) {
        switch o {
        case .map(let m): m.put(name, v)
        case .null: throw PainlessError.nullPointer("cannot set field [\(name)] of a null value", at: off)
        case .list(let l) where Int64(name) != nil: try listSet(l, Int64(name)!, v, at: off)
        default: throw PainlessError.illegalArgument("dynamic setter [\(o.javaClass), \(name)] not found", at: off)
        }
    }

    static func getIndex(_ o: Value, _ k: Value, at off: Int) throws(PainlessError) -> Value {
        switch o {
        case .map(let m): return m[k.mapKey] ?? .null
        case .list(let l) where !l.isSet: return try listGet(l, try integer(k, off), at: off)
        case .null: throw PainlessError.nullPointer("cannot index into a null value", at: off)
        default: throw PainlessError.illegalArgument("Attempting to address a non-array type [\(o.javaClass)] as an array.", at: off)
        }
    }

    static func setIndex(_ o: Value, _ k: Value, _ v: Value, at off: Int) throws(PainlessError) {
        switch o {
        case .map(let m): m.put(k.mapKey, v)
        case .list(let l) where !l.isSet: try listSet(l, try integer(k, off), v, at: off)
        case .null: throw PainlessError.nullPointer("cannot index into a null value", at: off)
        default: throw PainlessError.illegalArgument("Attempting to address a non-array type [\(o.javaClass)] as an array.", at: off)
        }
    }

    /// Painless lets a negative index count from the end of a list.
    static func listGet(_ l: PainlessList, _ i: Int64, at off: Int) throws(PainlessError) -> Value {
        let n = Int64(l.items.count)
        let j = i < 0 ? i + n : i
        guard j >= 0 && j < n else { throw PainlessError.outOfBounds(i, l.items.count, at: off) }
        return l.items[Int(j)]
    }

    static func listSet(_ l: PainlessList, _ i: Int64, _ v: Value, at off: Int) throws(PainlessError) {
        let n = Int64(l.items.count)
        let j = i < 0 ? i + n : i
        guard j >= 0 && j < n else { throw PainlessError.outOfBounds(i, l.items.count, at: off) }
        l.items[Int(j)] = v
    }

    // MARK: Conversions

    /// Implicit conversion on assignment to a declared variable (`int x = …`, `String s = …`).
    static func coerce(_ v: Value, to t: TypeName, at off: Int) throws(PainlessError) -> Value {
        switch t {
        case .def, .object: return v
        case .int, .short, .byte, .char, .long, .integerBox, .longBox:
            switch v {
            case .int(let i):
                switch t {
                case .int, .integerBox: return .int(Int64(Int32(truncatingIfNeeded: i)))
                case .short: return .int(Int64(Int16(truncatingIfNeeded: i)))
                case .byte: return .int(Int64(Int8(truncatingIfNeeded: i)))
                default: return v
                }
            case .null where t == .integerBox || t == .longBox: return v
            case .null: throw PainlessError.nullPointer("cannot assign null to a variable of type [\(t.rawValue)]", at: off)
            default: throw PainlessError.cast(v, t.rawValue, at: off)
            }
        case .double, .float, .doubleBox, .floatBox:
            switch v {
            case .int(let i): return .double(Double(i))
            case .double: return v
            case .null where t == .doubleBox || t == .floatBox: return v
            case .null: throw PainlessError.nullPointer("cannot assign null to a variable of type [\(t.rawValue)]", at: off)
            default: throw PainlessError.cast(v, t.rawValue, at: off)
            }
        case .number:
            switch v { case .int, .double, .null: return v; default: throw PainlessError.cast(v, "java.lang.Number", at: off) }
        case .boolean, .booleanBox:
            switch v {
            case .bool: return v
            case .null where t == .booleanBox: return v
            case .null: throw PainlessError.nullPointer("cannot assign null to a variable of type [boolean]", at: off)
            default: throw PainlessError.cast(v, t.rawValue, at: off)
            }
        case .string:
            switch v { case .string, .null: return v; default: throw PainlessError.cast(v, "java.lang.String", at: off) }
        case .list, .arrayList:
            switch v { case .list(let l) where !l.isSet: return v; case .null: return v; default: throw PainlessError.cast(v, "java.util.List", at: off) }
        case .set, .hashSet, .linkedHashSet:
            switch v { case .list(let l) where l.isSet: return v; case .null: return v; default: throw PainlessError.cast(v, "java.util.Set", at: off) }
        case .collection:
            switch v { case .list, .null: return v; default: throw PainlessError.cast(v, "java.util.Collection", at: off) }
        case .map, .hashMap, .linkedHashMap:
            switch v { case .map, .null: return v; default: throw PainlessError.cast(v, "java.util.Map", at: off) }
        }
    }

    /// An explicit cast `(T) x`: numeric casts may narrow and truncate.
    static func cast(_ v: Value, to t: TypeName, at off: Int) throws(PainlessError) -> Value {
        switch t {
        case .int, .short, .byte, .char, .long, .integerBox, .longBox:
            if case .double(let d) = v {
                let i: Int64 = d.isNaN ? 0 : d >= 9.2e18 ? Int64.max : d <= -9.2e18 ? Int64.min : Int64(d)
                return try coerce(.int(i), to: t, at: off)
            }
            return try coerce(v, to: t, at: off)
        case .double, .float, .doubleBox, .floatBox:
            return try coerce(v, to: t, at: off)
        default:
            return try coerce(v, to: t, at: off)
        }
    }

    static func isInstance(_ v: Value, _ t: TypeName) -> Bool {
        switch (t, v) {
        case (_, .null): return false
        case (.def, _), (.object, _): return true
        case (.integerBox, .int(let i)), (.int, .int(let i)): return Int64(Int32(truncatingIfNeeded: i)) == i
        case (.longBox, .int), (.long, .int): return true
        case (.number, .int), (.number, .double): return true
        case (.doubleBox, .double), (.double, .double): return true
        case (.string, .string): return true
        case (.boolean, .bool), (.booleanBox, .bool): return true
        case (.list, .list(let l)), (.arrayList, .list(let l)): return !l.isSet
        case (.set, .list(let l)), (.hashSet, .list(let l)), (.linkedHashSet, .list(let l)): return l.isSet
        case (.collection, .list): return true
        case (.map, .map), (.hashMap, .map), (.linkedHashMap, .map): return true
        default: return false
        }
    }

    /// Default value of a declared variable without an initialiser.
    static func zero(_ t: TypeName) -> Value {
        switch t {
        case .int, .long, .short, .byte, .char: return .int(0)
        case .double, .float: return .double(0)
        case .boolean: return .bool(false)
        default: return .null
        }
    }
}
