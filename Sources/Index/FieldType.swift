/// The field types Searchlight maps, by their OpenSearch names.
public enum FieldType: String, Sendable, CaseIterable {
    case keyword, text, date, long, integer, short, byte, double, float
    case halfFloat = "half_float", scaledFloat = "scaled_float", unsignedLong = "unsigned_long"
    case boolean, ip, object, nested, binary
    case matchOnlyText = "match_only_text", constantKeyword = "constant_keyword", wildcard
    case dateNanos = "date_nanos", flatObject = "flat_object", geoPoint = "geo_point"

    public var isNumeric: Bool {
        switch self {
        case .long, .integer, .short, .byte, .double, .float, .halfFloat, .scaledFloat, .unsignedLong: return true
        default: return false
        }
    }

    public var isIntegral: Bool {
        switch self {
        case .long, .integer, .short, .byte, .unsignedLong: return true
        default: return false
        }
    }

    public var isObjectLike: Bool { self == .object || self == .nested }

    /// Inclusive bounds of an integral type, as OpenSearch checks them on ingest.
    var integralRange: ClosedRange<Int64> {
        switch self {
        case .integer: return Int64(Int32.min)...Int64(Int32.max)
        case .short: return Int64(Int16.min)...Int64(Int16.max)
        case .byte: return Int64(Int8.min)...Int64(Int8.max)
        case .unsignedLong: return 0...Int64.max
        default: return Int64.min...Int64.max
        }
    }
}

/// `dynamic` on the root or an object: what to do with fields the mapping does not know.
public enum DynamicMode: String, Sendable {
    case `true`, `false`, strict, runtime
    /// Like strict, except that fields matching a dynamic template are added.
    case strictAllowTemplates = "strict_allow_templates"

    public init?(json: JSONValueConvertible) {
        switch json.dynamicText {
        case "true": self = .true
        case "false": self = .false
        case "strict": self = .strict
        case "runtime": self = .runtime
        case "strict_allow_templates": self = .strictAllowTemplates
        default: return nil
        }
    }
}

import JSON

public protocol JSONValueConvertible { var dynamicText: String? { get } }

extension JSONValue: JSONValueConvertible {
    public var dynamicText: String? {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        default: return nil
        }
    }
}
