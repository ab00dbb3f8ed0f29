/// A parsed JSON document. Objects keep their key order, because OpenSearch echoes
/// `_source`, mappings and settings back in the order the client sent them.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer above `Int64.max` that fits 64 unsigned bits (`unsigned_long` values), kept exact.
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// Integer view: ints, whole doubles and numeric strings (OpenSearch coerces these).
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .uint: return nil
        case .double(let d): return d.rounded(.towardZero) == d && abs(d) < 9.2e18 ? Int64(d) : nil
        case .string(let s): return Int64(s)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    /// The JSON type name as Jackson tokens call it; used in error reasons.
    public var tokenName: String {
        switch self {
        case .null: return "VALUE_NULL"
        case .bool(let b): return b ? "VALUE_TRUE" : "VALUE_FALSE"
        case .int, .uint: return "VALUE_NUMBER_INT"
        case .double: return "VALUE_NUMBER_FLOAT"
        case .string: return "VALUE_STRING"
        case .array: return "START_ARRAY"
        case .object: return "START_OBJECT"
        }
    }
}

/// An insertion-ordered JSON object with lookup by key.
public struct JSONObject: Sendable, Equatable, Hashable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSONValue] = []

    public init() {}
    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// Builds an object from keys the caller knows are distinct, without per-key lookups.
    public init(uniqueKeys keys: [String], values: [JSONValue]) {
        precondition(keys.count == values.count)
        self.keys = keys
        self.values = values
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func index(of key: String) -> Int? { keys.firstIndex(of: key) }

    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { values[$0] } }
        set {
            if let i = index(of: key) {
                if let v = newValue { values[i] = v } else { keys.remove(at: i); values.remove(at: i) }
            } else if let v = newValue {
                keys.append(key); values.append(v)
            }
        }
    }

    /// Appends without checking for an existing key; the parser checks duplicates itself.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        keys.append(key); values.append(value)
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// Wraps a Swift integer.
    public static func number(_ i: Int) -> JSONValue { .int(Int64(i)) }

    /// Wraps an unsigned integer: `.int` when it fits, `.uint` above `Int64.max`.
    public static func unsigned(_ u: UInt64) -> JSONValue { u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u) }

    /// Unsigned integer view: non-negative ints, big integers, whole doubles and numeric strings in 0…2^64−1.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let i): return i >= 0 ? UInt64(i) : nil
        case .uint(let u): return u
        case .double(let d): return d >= 0 && d.rounded(.towardZero) == d && d < 18446744073709551616.0 ? UInt64(d) : nil
        case .string(let s): return UInt64(s)
        default: return nil
        }
    }
}
