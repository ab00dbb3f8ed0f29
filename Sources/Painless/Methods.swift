import Foundation

/// Instance method names the subset knows, resolved once at compile time.
enum Method: String, Sendable {
    // Collections
    case add, addAll, contains, containsAll, size, isEmpty, get, set, remove, indexOf, lastIndexOf, clear, subList, sort
    case containsKey, containsValue, put, putAll, putIfAbsent, keySet, values, getOrDefault, entrySet, getKey, getValue
    // Strings
    case compareTo, equals, length, startsWith, endsWith, substring, toLowerCase, toUpperCase, trim, replace
    case equalsIgnoreCase, concat, splitOnToken, charAt
    // Numbers, any
    case intValue, longValue, doubleValue, floatValue, toString, hashCode
    case unknown
}

/// Static methods the subset knows (`Math.max`, `Integer.parseInt`, …).
enum StaticMethod: Sendable {
    case mathMax, mathMin, mathAbs, mathFloor, mathCeil, mathRound, mathSqrt, mathPow, mathLog, mathLog10, mathExp, mathSignum
    case parseInt, parseLong, parseDouble, parseBoolean, valueOfString, toStringStatic, objectsEquals, objectsIsNull, objectsNonNull
    case sort, reverse, join, debugExplain

    init?(_ cls: String, _ name: String, _ arity: Int) {
        switch (cls, name, arity) {
        case ("Math", "max", 2): self = .mathMax
        case ("Math", "min", 2): self = .mathMin
        case ("Math", "abs", 1): self = .mathAbs
        case ("Math", "floor", 1): self = .mathFloor
        case ("Math", "ceil", 1): self = .mathCeil
        case ("Math", "round", 1): self = .mathRound
        case ("Math", "sqrt", 1): self = .mathSqrt
        case ("Math", "pow", 2): self = .mathPow
        case ("Math", "log", 1): self = .mathLog
        case ("Math", "log10", 1): self = .mathLog10
        case ("Math", "exp", 1): self = .mathExp
        case ("Math", "signum", 1): self = .mathSignum
        case ("Integer", "parseInt", 1), ("Integer", "valueOf", 1): self = .parseInt
        case ("Long", "parseLong", 1), ("Long", "valueOf", 1): self = .parseLong
        case ("Double", "parseDouble", 1), ("Double", "valueOf", 1), ("Float", "parseFloat", 1): self = .parseDouble
        case ("Boolean", "parseBoolean", 1): self = .parseBoolean
        case ("String", "valueOf", 1): self = .valueOfString
        case ("Integer", "toString", 1), ("Long", "toString", 1), ("Double", "toString", 1): self = .toStringStatic
        case ("Objects", "equals", 2): self = .objectsEquals
        case ("Objects", "isNull", 1): self = .objectsIsNull
        case ("Objects", "nonNull", 1): self = .objectsNonNull
        case ("Collections", "sort", 1): self = .sort
        case ("Collections", "reverse", 1): self = .reverse
        case ("String", "join", 2): self = .join
        case ("Debug", "explain", 1): self = .debugExplain
        default: return nil
        }
    }
}

enum Methods {
    static func notFound(_ r: Value, _ name: String, _ count: Int, at off: Int) -> PainlessError {
        .illegalArgument("dynamic method [\(r.javaClass), \(name)/\(count)] not found", at: off)
    }

    static func invoke(_ r: Value, _ m: Method, _ name: String, _ a: Value, _ b: Value, _ rest: [Value], count: Int,
                       at off: Int) throws(PainlessError) -> Value {
        switch r {
        case .null:
            throw PainlessError.nullPointer("cannot invoke method [\(name)] on a null value", at: off)
        case .list(let l):
            switch (m, count) {
            case (.add, 1): return .bool(l.add(a))
            case (.add, 2) where !l.isSet:
                let i = try Operators.integer(a, off)
                guard i >= 0 && i <= Int64(l.items.count) else { throw PainlessError.outOfBounds(i, l.items.count, at: off) }
                l.items.insert(b, at: Int(i))
                return .null
            case (.addAll, 1):
                guard case .list(let other) = a else { throw a.isNull ? .nullPointer("addAll of a null collection", at: off) : .cast(a, "java.util.Collection", at: off) }
                var changed = false
                for v in other.items where l.add(v) { changed = true }
                return .bool(changed)
            case (.contains, 1): return .bool(l.contains(a))
            case (.containsAll, 1):
                guard case .list(let other) = a else { throw .cast(a, "java.util.Collection", at: off) }
                return .bool(other.items.allSatisfy { l.contains($0) })
            case (.size, 0): return .int(Int64(l.items.count))
            case (.isEmpty, 0): return .bool(l.items.isEmpty)
            case (.get, 1) where !l.isSet: return try Operators.listGet(l, try Operators.integer(a, off), at: off)
            case (.set, 2) where !l.isSet:
                let old = try Operators.listGet(l, try Operators.integer(a, off), at: off)
                try Operators.listSet(l, try Operators.integer(a, off), b, at: off)
                return old
            case (.remove, 1):
                if !l.isSet, case .int(let i) = a {
                    guard i >= 0 && i < Int64(l.items.count) else { throw PainlessError.outOfBounds(i, l.items.count, at: off) }
                    return l.items.remove(at: Int(i))
                }
                let i = l.indexOf(a)
                if i >= 0 { l.items.remove(at: i) }
                return .bool(i >= 0)
            case (.indexOf, 1): return .int(Int64(l.indexOf(a)))
            case (.lastIndexOf, 1):
                return .int(Int64(l.items.lastIndex { Value.equal($0, a) } ?? -1))
            case (.clear, 0): l.items.removeAll(); return .null
            case (.subList, 2):
                let x = try Operators.integer(a, off), y = try Operators.integer(b, off)
                guard x >= 0, y <= Int64(l.items.count), x <= y else { throw PainlessError.outOfBounds(x < 0 ? x : y, l.items.count, at: off) }
                return .list(PainlessList(Array(l.items[Int(x)..<Int(y)])))
            case (.sort, 1):
                guard a.isNull else { throw PainlessError.illegalArgument("only natural ordering (sort(null)) is supported", at: off) }
                try sortList(l, at: off)
                return .null
            case (.equals, 1): return .bool(Value.equal(r, a))
            case (.toString, 0): return .string(r.javaString)
            default: throw notFound(r, name, count, at: off)
            }
        case .map(let mp):
            switch (m, count) {
            case (.containsKey, 1): return .bool(mp.slot(a.mapKey) != nil)
            case (.containsValue, 1): return .bool(mp.values.contains { Value.equal($0, a) })
            case (.get, 1): return mp[a.mapKey] ?? .null
            case (.getOrDefault, 2): return mp[a.mapKey] ?? b
            case (.put, 2): return mp.put(a.mapKey, b)
            case (.putIfAbsent, 2):
                if let v = mp[a.mapKey], !v.isNull { return v }
                mp.put(a.mapKey, b)
                return .null
            case (.putAll, 1):
                guard case .map(let other) = a else { throw .cast(a, "java.util.Map", at: off) }
                for i in other.keys.indices { mp.put(other.keys[i], other.values[i]) }
                return .null
            case (.remove, 1): return mp.remove(a.mapKey)
            case (.keySet, 0): return .list(PainlessList(mp.keys.map { .string($0) }, isSet: true))
            case (.entrySet, 0):
                // Entries are small maps; `getKey()`/`getValue()` read them (no `setValue`).
                var entries: [Value] = []
                for i in mp.keys.indices {
                    let e = PainlessMap(capacity: 2)
                    e.put("key", .string(mp.keys[i]))
                    e.put("value", mp.values[i])
                    entries.append(.map(e))
                }
                return .list(PainlessList(entries))
            case (.getKey, 0): return mp["key"] ?? .null
            case (.getValue, 0): return mp["value"] ?? .null
            case (.values, 0): return .list(PainlessList(mp.values))
            case (.size, 0): return .int(Int64(mp.count))
            case (.isEmpty, 0): return .bool(mp.count == 0)
            case (.clear, 0): mp.removeAll(); return .null
            case (.equals, 1): return .bool(Value.equal(r, a))
            case (.toString, 0): return .string(r.javaString)
            default: throw notFound(r, name, count, at: off)
            }
        case .string(let s):
            return try stringMethod(s, m, name, a, b, count: count, at: off)
        case .int, .double:
            switch (m, count) {
            case (.intValue, 0):
                if case .double(let d) = r { return try Operators.cast(.double(d), to: .int, at: off) }
                return try Operators.coerce(r, to: .int, at: off)
            case (.longValue, 0): return try Operators.cast(r, to: .long, at: off)
            case (.doubleValue, 0), (.floatValue, 0): return try Operators.cast(r, to: .double, at: off)
            case (.compareTo, 1):
                let (x, y) = try Operators.doubles(r, a, .lt, off)
                return .int(x < y ? -1 : x > y ? 1 : 0)
            case (.equals, 1):
                // Java: Integer.equals(Long) is false; here both are integers.
                switch (r, a) {
                case (.int(let x), .int(let y)): return .bool(x == y)
                case (.double(let x), .double(let y)): return .bool(x == y)
                default: return .bool(false)
                }
            case (.toString, 0): return .string(r.javaString)
            default: throw notFound(r, name, count, at: off)
            }
        case .bool:
            switch (m, count) {
            case (.equals, 1): return .bool(Value.equal(r, a))
            case (.toString, 0): return .string(r.javaString)
            default: throw notFound(r, name, count, at: off)
            }
        }
    }

    static func stringMethod(_ s: String, _ m: Method, _ name: String, _ a: Value, _ b: Value, count: Int,
                             at off: Int) throws(PainlessError) -> Value {
        func str(_ v: Value) throws(PainlessError) -> String {
            if case .string(let x) = v { return x }
            if v.isNull { throw PainlessError.nullPointer("argument of [\(name)] is null", at: off) }
            throw PainlessError.cast(v, "java.lang.String", at: off)
        }
        switch (m, count) {
        case (.length, 0): return .int(Int64(s.utf16.count))
        case (.isEmpty, 0): return .bool(s.isEmpty)
        case (.compareTo, 1): return .int(Int64(compareUTF16(s, try str(a))))
        case (.equals, 1): return .bool(Value.equal(.string(s), a))
        case (.equalsIgnoreCase, 1):
            if case .string(let x) = a { return .bool(x.lowercased() == s.lowercased()) }
            return .bool(false)
        case (.contains, 1): let x = try str(a); return .bool(x.isEmpty || s.contains(x))
        case (.startsWith, 1): return .bool(s.hasPrefix(try str(a)))
        case (.endsWith, 1): return .bool(s.hasSuffix(try str(a)))
        case (.indexOf, 1):
            let x = Array(try str(a).utf16), u = Array(s.utf16)
            if x.isEmpty { return .int(0) }
            if x.count <= u.count {
                for i in 0...(u.count - x.count) where u[i] == x[0] && Array(u[i..<(i + x.count)]) == x { return .int(Int64(i)) }
            }
            return .int(-1)
        case (.substring, 1), (.substring, 2):
            let u = Array(s.utf16)
            let x = try Operators.integer(a, off)
            let y = count == 2 ? try Operators.integer(b, off) : Int64(u.count)
            guard x >= 0, y <= Int64(u.count), x <= y else {
                throw PainlessError(.runtime, "string_index_out_of_bounds_exception",
                                    "begin \(x), end \(y), length \(u.count)", at: off)
            }
            return .string(String(decoding: u[Int(x)..<Int(y)], as: UTF16.self))
        case (.charAt, 1):
            let u = Array(s.utf16)
            let i = try Operators.integer(a, off)
            guard i >= 0 && i < Int64(u.count) else {
                throw PainlessError(.runtime, "string_index_out_of_bounds_exception", "index \(i), length \(u.count)", at: off)
            }
            return .string(String(decoding: [u[Int(i)]], as: UTF16.self))
        case (.toLowerCase, 0): return .string(s.lowercased())
        case (.toUpperCase, 0): return .string(s.uppercased())
        case (.trim, 0): return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
        case (.replace, 2):
            let x = try str(a)
            return .string(x.isEmpty ? s : s.replacingOccurrences(of: x, with: try str(b)))
        case (.concat, 1): return .string(s + (try str(a)))
        case (.splitOnToken, 1):
            let x = try str(a)
            guard !x.isEmpty else { return .list(PainlessList([.string(s)])) }
            return .list(PainlessList(s.components(separatedBy: x).map { .string($0) }))
        case (.toString, 0): return .string(s)
        case (.hashCode, 0):
            var h: Int32 = 0
            for c in s.utf16 { h = h &* 31 &+ Int32(c) }
            return .int(Int64(h))
        default: throw notFound(.string(s), name, count, at: off)
        }
    }

    /// `String.compareTo`: UTF-16 code unit order, difference of the first differing units.
    static func compareUTF16(_ a: String, _ b: String) -> Int {
        // Fast path over UTF-8: up to the first difference the strings are equal, and if the
        // differing bytes are ASCII they are the differing UTF-16 units too.
        var x = a.utf8.makeIterator(), y = b.utf8.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return 0
            case (nil, _), (_, nil): return a.utf16.count - b.utf16.count
            case (let p?, let q?):
                if p == q { continue }
                if p < 0x80 && q < 0x80 { return Int(p) - Int(q) }
                return compareUTF16Slow(a, b)
            }
        }
    }

    static func compareUTF16Slow(_ a: String, _ b: String) -> Int {
        var i = a.utf16.makeIterator(), j = b.utf16.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1 - remaining(&j)
            case (_, nil): return 1 + remaining(&i)
            case (let x?, let y?): if x != y { return Int(x) - Int(y) }
            }
        }
    }

    private static func remaining(_ it: inout String.UTF16View.Iterator) -> Int {
        var n = 0
        while it.next() != nil { n += 1 }
        return n
    }

    /// Natural ordering: all numbers or all strings.
    static func sortList(_ l: PainlessList, at off: Int) throws(PainlessError) {
        if l.items.allSatisfy({ if case .string = $0 { return true }; return false }) {
            l.items.sort { x, y in
                if case .string(let a) = x, case .string(let b) = y { return compareUTF16(a, b) < 0 }
                return false
            }
        } else if l.items.allSatisfy({ Operators.number($0) != nil }) {
            l.items.sort { Operators.number($0)! < Operators.number($1)! }
        } else if l.items.contains(where: \.isNull) {
            throw PainlessError.nullPointer("cannot sort a list containing null", at: off)
        } else {
            throw PainlessError(.runtime, "class_cast_exception", "cannot compare the elements of this list", at: off)
        }
    }

    static func staticField(_ cls: String, _ name: String) -> Value? {
        switch (cls, name) {
        case ("Integer", "MAX_VALUE"): return .int(Int64(Int32.max))
        case ("Integer", "MIN_VALUE"): return .int(Int64(Int32.min))
        case ("Long", "MAX_VALUE"): return .int(Int64.max)
        case ("Long", "MIN_VALUE"): return .int(Int64.min)
        case ("Double", "MAX_VALUE"): return .double(Double.greatestFiniteMagnitude)
        case ("Math", "PI"): return .double(Double.pi)
        case ("Math", "E"): return .double(M_E)
        default: return nil
        }
    }

    static func invokeStatic(_ fn: StaticMethod, _ a: Value, _ b: Value, _ rest: [Value], at off: Int) throws(PainlessError) -> Value {
        func num(_ v: Value) throws(PainlessError) -> Double {
            if let d = Operators.number(v) { return d }
            if v.isNull { throw PainlessError.nullPointer("cannot unbox a null value", at: off) }
            throw PainlessError.cast(v, "java.lang.Number", at: off)
        }
        func parse(_ v: Value) throws(PainlessError) -> String {
            if case .string(let s) = v { return s }
            if v.isNull { throw PainlessError(.runtime, "number_format_exception", "Cannot parse null string: null", at: off) }
            throw PainlessError.cast(v, "java.lang.String", at: off)
        }
        switch fn {
        case .mathMax, .mathMin:
            if case .int(let x) = a, case .int(let y) = b { return .int(fn == .mathMax ? max(x, y) : min(x, y)) }
            let x = try num(a), y = try num(b)
            if x.isNaN || y.isNaN { return .double(.nan) }
            return .double(fn == .mathMax ? max(x, y) : min(x, y))
        case .mathAbs:
            if case .int(let x) = a { return .int(x == .min ? x : abs(x)) }
            return .double(abs(try num(a)))
        case .mathFloor: return .double((try num(a)).rounded(.down))
        case .mathCeil: return .double((try num(a)).rounded(.up))
        case .mathRound:
            if case .int = a { return a }
            return try Operators.cast(.double((try num(a) + 0.5).rounded(.down)), to: .long, at: off)
        case .mathSqrt: return .double((try num(a)).squareRoot())
        case .mathPow: return .double(pow(try num(a), try num(b)))
        case .mathLog: return .double(log(try num(a)))
        case .mathLog10: return .double(log10(try num(a)))
        case .mathExp: return .double(exp(try num(a)))
        case .mathSignum: let x = try num(a); return .double(x > 0 ? 1 : x < 0 ? -1 : x)
        case .parseInt, .parseLong:
            let s = try parse(a)
            guard let v = Int64(s), fn == .parseLong || Int64(Int32(truncatingIfNeeded: v)) == v else {
                throw PainlessError(.runtime, "number_format_exception", "For input string: \"\(s)\"", at: off)
            }
            return .int(v)
        case .parseDouble:
            let s = try parse(a)
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)) else {
                throw PainlessError(.runtime, "number_format_exception", "For input string: \"\(s)\"", at: off)
            }
            return .double(v)
        case .parseBoolean:
            if case .string(let s) = a { return .bool(s.lowercased() == "true") }
            return .bool(false)
        case .valueOfString, .toStringStatic: return .string(a.javaString)
        case .objectsEquals: return .bool(Value.equal(a, b))
        case .objectsIsNull: return .bool(a.isNull)
        case .objectsNonNull: return .bool(!a.isNull)
        case .sort:
            guard case .list(let l) = a else { throw a.isNull ? .nullPointer("cannot sort null", at: off) : .cast(a, "java.util.List", at: off) }
            try sortList(l, at: off)
            return .null
        case .reverse:
            guard case .list(let l) = a else { throw a.isNull ? .nullPointer("cannot reverse null", at: off) : .cast(a, "java.util.List", at: off) }
            l.items.reverse()
            return .null
        case .debugExplain:
            // Painless's debugging aid: stops the script and reports the value's class and text.
            var e = PainlessError(.runtime, "painless_explain_error", "", at: off)
            e.explained = (a.javaClass, a.javaString)
            throw e
        case .join:
            let sep = try parse(a)
            guard case .list(let l) = b else { throw b.isNull ? .nullPointer("cannot join null", at: off) : .cast(b, "java.lang.Iterable", at: off) }
            return .string(l.items.map(\.javaString).joined(separator: sep))
        }
    }

    static func construct(_ type: TypeName, _ arg: Value?, at off: Int) throws(PainlessError) -> Value {
        switch type {
        case .hashMap, .linkedHashMap:
            let m = PainlessMap()
            if let arg {
                guard case .map(let src) = arg else { throw arg.isNull ? .nullPointer("cannot copy a null map", at: off) : .cast(arg, "java.util.Map", at: off) }
                for i in src.keys.indices { m.put(src.keys[i], src.values[i]) }
            }
            return .map(m)
        default:
            let set = type == .hashSet || type == .linkedHashSet
            let l = PainlessList([], isSet: set)
            if let arg {
                switch arg {
                case .list(let src): for v in src.items { l.add(v) }
                case .int where !set: break  // initial capacity
                case .null: throw .nullPointer("cannot copy a null collection", at: off)
                default: throw .cast(arg, "java.util.Collection", at: off)
                }
            }
            return .list(l)
        }
    }

    /// `removeIf(x -> …)`, `sort((a, b) -> …)`, `forEach(x -> …)` on lists, `forEach((k, v) -> …)`
    /// and `removeIf` is not offered on maps (Java has neither with these shapes on Map itself).
    static func invokeLambda(_ r: Value, _ name: String, _ fn: Lambda, arity: Int, frame f: Frame,
                             at off: Int) throws(PainlessError) -> Value {
        switch (r, name, arity) {
        case (.null, _, _):
            throw PainlessError.nullPointer("cannot invoke method [\(name)] on a null value", at: off)
        case (.list(let l), "removeIf", 1):
            var kept: [Value] = []
            var removed = false
            for v in l.items {
                try f.countLoop(at: off)
                if try Operators.truth(try fn(f, v, .null), at: off) { removed = true } else { kept.append(v) }
            }
            l.items = kept
            return .bool(removed)
        case (.list(let l), "forEach", 1):
            for v in l.items {
                try f.countLoop(at: off)
                _ = try fn(f, v, .null)
            }
            return .null
        case (.map(let m), "forEach", 2):
            for (k, v) in zip(m.keys, m.values) {
                try f.countLoop(at: off)
                _ = try fn(f, .string(k), v)
            }
            return .null
        case (.list(let l), "sort", 2):
            // A stable bottom-up merge sort: the comparator may throw, which Swift's sort cannot pass on.
            var items = l.items
            var buffer = items
            var width = 1
            while width < items.count {
                var lo = 0
                while lo < items.count {
                    let mid = min(lo + width, items.count), hi = min(lo + 2 * width, items.count)
                    var i = lo, j = mid, k = lo
                    while i < mid && j < hi {
                        try f.countLoop(at: off)
                        guard case .int(let c) = try fn(f, items[i], items[j]) else {
                            throw PainlessError(.runtime, "class_cast_exception", "a comparator must return an int", at: off)
                        }
                        if c <= 0 { buffer[k] = items[i]; i += 1 } else { buffer[k] = items[j]; j += 1 }
                        k += 1
                    }
                    while i < mid { buffer[k] = items[i]; i += 1; k += 1 }
                    while j < hi { buffer[k] = items[j]; j += 1; k += 1 }
                    lo = hi
                }
                swap(&items, &buffer)
                width *= 2
            }
            l.items = items
            return .null
        default:
            throw notFound(r, name, 1, at: off)
        }
    }
}
