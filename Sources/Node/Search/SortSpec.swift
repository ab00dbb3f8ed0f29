import Index
import JSON
import Query

/// One `sort` entry of a search request.
public struct SortSpec: Sendable, Equatable {
    public enum Target: Sendable, Equatable { case score, doc, shardDoc, field(String) }
    public enum Missing: Sendable, Equatable { case first, last, value(JSONValue) }

    public var target: Target
    public var descending: Bool
    public var missing: Missing = .last
    public var unmappedType: String?
    /// `mode`: min, max (avg/sum/median treated as min/max by direction).
    public var mode: String?

    public init(target: Target, descending: Bool, missing: Missing = .last, unmappedType: String? = nil, mode: String? = nil) {
        self.target = target
        self.descending = descending
        self.missing = missing
        self.unmappedType = unmappedType
        self.mode = mode
    }

    public static let byScore = SortSpec(target: .score, descending: true)

    /// Parses `sort`: a string, an object, or a list of either.
    public static func parse(_ v: JSONValue) throws(OpenSearchError) -> [SortSpec] {
        switch v {
        case .array(let a):
            var out: [SortSpec] = []
            for e in a { out += try parse(e) }
            return out
        case .string(let s):
            // `field:desc` is how the `sort` URL parameter spells it.
            let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
            // "" and ":" split into nothing: the (missing) field is refused where it is looked up.
            var spec = one(parts.first ?? s)
            if parts.count == 2 {
                guard parts[1] == "asc" || parts[1] == "desc" else { throw OpenSearchError.illegalArgument("Unknown SortOrder [\(parts[1])]") }
                spec.descending = parts[1] == "desc"
            }
            return [spec]
        case .object(let o):
            var out: [SortSpec] = []
            for (k, body) in o {
                var spec = one(k)
                switch body {
                case .string(let order):
                    guard order == "asc" || order == "desc" else { throw OpenSearchError.parsing("[\(k)] unknown sort order [\(order)]") }
                    spec.descending = order == "desc"
                case .object(let opts):
                    for (ok, ov) in opts {
                        switch ok {
                        case "order":
                            guard let s = ov.stringValue, s == "asc" || s == "desc" else { throw OpenSearchError.parsing("[field_sort] unknown sort order [\(JSONWriter.string(ov))]") }
                            spec.descending = s == "desc"
                        case "missing":
                            if ov.stringValue == "_first" { spec.missing = .first } else if ov.stringValue == "_last" { spec.missing = .last } else { spec.missing = .value(ov) }
                        case "unmapped_type": spec.unmappedType = ov.stringValue
                        case "mode": spec.mode = ov.stringValue
                        case "format", "numeric_type", "nested", "nested_path", "nested_filter": continue
                        default: throw OpenSearchError.parsing("[field_sort] unknown field [\(ok)]")
                        }
                    }
                default:
                    throw OpenSearchError.parsing("[sort] expected a string or an object for [\(k)]")
                }
                out.append(spec)
            }
            return out
        default:
            throw OpenSearchError.parsing("[sort] must be a string, an object or an array")
        }
    }

    static func one(_ name: String) -> SortSpec {
        switch name {
        case "_score": return SortSpec(target: .score, descending: true)
        case "_doc": return SortSpec(target: .doc, descending: false)
        // A point in time's tiebreaker: unique and stable across every index of the PIT.
        case "_shard_doc": return SortSpec(target: .shardDoc, descending: false)
        default: return SortSpec(target: .field(name), descending: false)
        }
    }
}

/// A sort key value of one hit, comparable across segments and indices.
public enum SortValue: Sendable, Equatable {
    case int(Int64)
    /// An `unsigned_long` value (the full 0…2^64−1 range).
    case unsigned(UInt64)
    case double(Double)
    case string(String)
    case missing

    /// The JSON a hit's `sort` array shows.
    public var json: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .unsigned(let u): return .unsigned(u)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .missing: return .null
        }
    }

    /// Ascending order of two present values of the same kind.
    static func less(_ a: SortValue, _ b: SortValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.int(let x), .double(let y)): return Double(x) < y
        case (.double(let x), .int(let y)): return x < Double(y)
        case (.string(let x), .string(let y)): return x < y
        case (.unsigned(let x), .unsigned(let y)): return x < y
        case (.unsigned(let x), .int(let y)): return y >= 0 && x < UInt64(y)
        case (.int(let x), .unsigned(let y)): return x < 0 || UInt64(x) < y
        case (.unsigned(let x), .double(let y)): return Double(x) < y
        case (.double(let x), .unsigned(let y)): return x < Double(y)
        default: return false
        }
    }
}
