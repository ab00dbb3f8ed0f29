import JSON

/// Evaluates HAVING over aggregated rows with SQL's three-valued logic (nil is UNKNOWN) and
/// orders row values for ORDER BY on aggregates: numbers numerically, then strings, NULLs placed
/// as asked.
public enum SQLRowEvaluator {
    public static func evaluate(_ e: SQLExpression, _ row: [String: JSONValue]) -> Bool? {
        switch e.node {
        case .and(let xs):
            let vs = xs.map { evaluate($0, row) }
            if vs.contains(false) { return false }
            return vs.allSatisfy { $0 == true } ? true : nil
        case .or(let xs):
            let vs = xs.map { evaluate($0, row) }
            if vs.contains(true) { return true }
            return vs.allSatisfy { $0 == false } ? false : nil
        case .not(let x): return evaluate(x, row).map { !$0 }
        case .literal(.bool(let b)): return b
        case .comparison(let op, let l, let r):
            let a = operand(l, row), b = operand(r, row)
            guard let c = compare(a, b) else { return nil }
            switch op {
            case .eq: return c == 0
            case .ne: return c != 0
            case .lt: return c < 0
            case .le: return c <= 0
            case .gt: return c > 0
            case .ge: return c >= 0
            }
        case .isNull(let x, let negated):
            return operand(x, row).isNull != negated
        case .between(let x, let lo, let hi, let negated):
            let v = operand(x, row)
            guard let a = compare(v, operand(lo, row)), let b = compare(v, operand(hi, row)) else { return nil }
            return (a >= 0 && b <= 0) != negated
        case .inList(let x, let xs, let negated):
            let v = operand(x, row)
            if v.isNull { return nil }
            var unknown = false
            for y in xs {
                guard let c = compare(v, operand(y, row)) else { unknown = true; continue }
                if c == 0 { return !negated }
            }
            return unknown ? nil : negated
        default: return nil
        }
    }

    static func operand(_ e: SQLExpression, _ row: [String: JSONValue]) -> JSONValue {
        switch e.node {
        case .column(let k): return row[k] ?? .null
        case .literal(.string(let s)): return .string(s)
        case .literal(.integer(let i)): return .int(i)
        case .literal(.double(let d)): return .double(d)
        case .literal(.bool(let b)): return .bool(b)
        default: return .null
        }
    }

    /// -1/0/1, nil when either side is NULL or the two are not comparable.
    public static func compare(_ a: JSONValue, _ b: JSONValue) -> Int? {
        if a.isNull || b.isNull { return nil }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default:
            if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
            guard let x = a.numeric, let y = b.numeric else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
    }

    /// Total order for sorting: NULLs first or last, then by value; incomparable kinds by kind.
    public static func compareForSort(_ a: JSONValue, _ b: JSONValue, nullsFirst: Bool, descending: Bool) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): return 0
        case (true, false): return nullsFirst ? -1 : 1
        case (false, true): return nullsFirst ? 1 : -1
        default: break
        }
        let c = compare(a, b) ?? (rank(a) < rank(b) ? -1 : (rank(a) == rank(b) ? 0 : 1))
        return descending ? -c : c
    }

    static func rank(_ v: JSONValue) -> Int {
        switch v {
        case .bool: return 0
        case .int, .uint, .double: return 1
        case .string: return 2
        default: return 3
        }
    }
}

extension JSONValue {
    /// Numbers only (no string coercion), for comparisons.
    var numeric: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }
}
