import JSON

/// A Painless runtime value. Lists and maps are references, as in Java: `def l = ctx._source.tags;
/// l.add(x)` changes the document. Integers are one 64-bit case (Java's int and long differ only on
/// overflow here); a variable declared `int` truncates to 32 bits on assignment.
public enum Value {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list(PainlessList)
    case map(PainlessMap)

    /// The Java class name OpenSearch would report for this value in errors.
    public var javaClass: String {
        switch self {
        case .null: return "null"
        case .bool: return "java.lang.Boolean"
        case .int(let i): return Int64(Int32(truncatingIfNeeded: i)) == i ? "java.lang.Integer" : "java.lang.Long"
        case .double: return "java.lang.Double"
        case .string: return "java.lang.String"
        case .list(let l): return l.isSet ? "java.util.HashSet" : "java.util.ArrayList"
        case .map: return "java.util.HashMap"
        }
    }

    public var isNull: Bool { if case .null = self { return true }; return false }

    /// `String.valueOf(x)` as Java prints it (string concatenation, `toString()`).
    public var javaString: String { javaString(depth: 0) }

    func javaString(depth: Int) -> String {
        var out = ""
        appendJava(to: &out, depth: depth)
        return out
    }

    /// Longest string a script can build (concatenation, `toString()`): hostile scripts double a
    /// string in a loop, or print a list that holds itself twice (2^512 elements at the depth cap).
    static let maxStringLength = 4 * 1024 * 1024

    /// Appends Java's rendering; past `maxStringLength` bytes the rest is cut short as `...`.
    func appendJava(to out: inout String, depth: Int) {
        if depth > Value.maxDepth || out.utf8.count > Value.maxStringLength { out += "..."; return }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += Value.javaDouble(d)
        case .string(let s): out += s
        case .list(let l):
            out += "["
            for (i, e) in l.items.enumerated() {
                if i > 0 { out += ", " }
                if out.utf8.count > Value.maxStringLength { out += "..."; break }
                e.appendJava(to: &out, depth: depth + 1)
            }
            out += "]"
        case .map(let m):
            out += "{"
            for (i, (k, v)) in zip(m.keys, m.values).enumerated() {
                if i > 0 { out += ", " }
                if out.utf8.count > Value.maxStringLength { out += "..."; break }
                out += "\(k)="
                v.appendJava(to: &out, depth: depth + 1)
            }
            out += "}"
        }
    }

    /// `Double.toString`: plain decimals in [1e-3, 1e7), otherwise `1.0E7` notation.
    static func javaDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        let m = abs(d)
        if m == 0 || (m >= 1e-3 && m < 1e7) {
            if d == d.rounded() { return String(Int64(d)) + ".0" }
            return "\(d)"
        }
        var exp = Int((m).log10Floor)
        // Two steps: 10^exp alone underflows to 0 for subnormals (5e-324) and would make the
        // mantissa infinite.
        var mant = d / pow10(exp / 2) / pow10(exp - exp / 2)
        if abs(mant) >= 10 { mant /= 10; exp += 1 }
        guard mant.isFinite else { return "\(d)" }
        let ms = mant == mant.rounded() ? String(Int64(mant)) + ".0" : "\(mant)"
        return "\(ms)E\(exp)"
    }

    static func pow10(_ e: Int) -> Double {
        var r = 1.0
        if e >= 0 { for _ in 0..<e { r *= 10 } } else { for _ in 0..<(-e) { r /= 10 } }
        return r
    }

    /// Converts a parsed JSON document into fresh script values (maps and lists are new objects).
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .uint(let u): self = .double(Double(u))  // above Int64.max (unsigned_long): no Java long holds it
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(PainlessList(a.map(Value.init)))
        case .object(let o):
            let m = PainlessMap(capacity: o.count)
            for (k, v) in o { m.appendNew(k, Value(v)) }
            self = .map(m)
        }
    }

    /// Converts back to JSON; a map or list that contains itself is OpenSearch's
    /// "Iterable object is self-referencing itself".
    public func json() throws(PainlessError) -> JSONValue {
        var path: [ObjectIdentifier] = []
        return try toJSON(&path)
    }

    /// Nesting bound for conversions, printing and equality (all recursive).
    static let maxDepth = 512

    func toJSON(_ path: inout [ObjectIdentifier]) throws(PainlessError) -> JSONValue {
        if path.count > Value.maxDepth {
            throw PainlessError(.runtime, "illegal_argument_exception", "script output is nested more than \(Value.maxDepth) levels deep", at: -1)
        }
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let l):
            let id = ObjectIdentifier(l)
            if path.contains(id) { throw PainlessError.selfReference }
            path.append(id)
            defer { path.removeLast() }
            var out: [JSONValue] = []
            out.reserveCapacity(l.items.count)
            for v in l.items { out.append(try v.toJSON(&path)) }
            return .array(out)
        case .map(let m):
            let id = ObjectIdentifier(m)
            if path.contains(id) { throw PainlessError.selfReference }
            path.append(id)
            defer { path.removeLast() }
            var values: [JSONValue] = []
            values.reserveCapacity(m.count)
            for v in m.values { values.append(try v.toJSON(&path)) }
            return .object(JSONObject(uniqueKeys: m.keys, values: values))
        }
    }
}

extension Double {
    fileprivate var log10Floor: Double {
        var e = 0.0, m = self
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        return e
    }
}

extension Value {
    /// `Object.equals` as Painless's `==` uses it: numbers compare by value across int/double.
    public static func equal(_ a: Value, _ b: Value) -> Bool { equal(a, b, depth: 0) }

    static func equal(_ a: Value, _ b: Value, depth: Int) -> Bool {
        if depth > maxDepth { return false }
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int(let x), .double(let y)): return Double(x) == y
        case (.double(let x), .int(let y)): return x == Double(y)
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)):
            if x === y { return true }
            if x.isSet != y.isSet || x.items.count != y.items.count { return false }
            if x.isSet { return x.items.allSatisfy { y.contains($0) } }
            for i in x.items.indices where !equal(x.items[i], y.items[i], depth: depth + 1) { return false }
            return true
        case (.map(let x), .map(let y)):
            if x === y { return true }
            if x.count != y.count { return false }
            for i in x.keys.indices {
                guard let v = y[x.keys[i]], equal(x.values[i], v, depth: depth + 1) else { return false }
            }
            return true
        default: return false
        }
    }

    /// Map keys are strings here; other keys use their Java string form.
    var mapKey: String {
        if case .string(let s) = self { return s }
        return javaString
    }
}

extension Value {
    var isContainer: Bool {
        switch self { case .list, .map: return true; default: return false }
    }

    /// Releases nested lists and maps iteratively: a script can build a chain a million levels
    /// deep (`m = ['x': m]` in a loop), and freeing it recursively would overflow the stack.
    static func release(_ values: inout [Value]) {
        guard values.contains(where: \.isContainer) else { return }
        var pending: [Value] = []
        swap(&pending, &values)
        while !pending.isEmpty {
            // Hold the popped container in exactly one reference, so uniqueness can be checked.
            var list: PainlessList? = nil
            var map: PainlessMap? = nil
            switch pending.removeLast() {
            case .list(let l): list = l
            case .map(let m): map = m
            default: break
            }
            if list != nil, isKnownUniquelyReferenced(&list!) {
                pending.append(contentsOf: list!.items)
                list!.items = []
            }
            if map != nil, isKnownUniquelyReferenced(&map!) {
                pending.append(contentsOf: map!.values)
                map!.clearForRelease()
            }
        }
    }

    /// Empties every list and map reachable from `roots`, after a script's result has been read:
    /// this breaks reference cycles a script may have built (`ctx._source.ctx = ctx`), which
    /// would otherwise leak.
    static func teardown(_ roots: [Value]) {
        var pending = roots.filter(\.isContainer)
        while let v = pending.popLast() {
            switch v {
            case .list(let l):
                for e in l.items where e.isContainer { pending.append(e) }
                l.items = []
            case .map(let m):
                for e in m.values where e.isContainer { pending.append(e) }
                m.clearForRelease()
            default: break
            }
        }
    }
}
