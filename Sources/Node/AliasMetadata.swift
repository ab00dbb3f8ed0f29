import Index
import JSON
import Query

/// One alias on one index: an optional filter applied to searches through it, routing values,
/// and whether this index takes the alias's writes.
public struct AliasMetadata: Sendable, Equatable {
    public var filter: JSONValue?
    public var indexRouting: String?
    public var searchRouting: String?
    public var isWriteIndex: Bool?
    public var isHidden: Bool?

    public init(filter: JSONValue? = nil, indexRouting: String? = nil, searchRouting: String? = nil, isWriteIndex: Bool? = nil, isHidden: Bool? = nil) {
        self.filter = filter
        self.indexRouting = indexRouting
        self.searchRouting = searchRouting
        self.isWriteIndex = isWriteIndex
        self.isHidden = isHidden
    }

    /// Reads the alias fields of an `add` action, a `PUT /_alias` body or a template's `aliases`
    /// entry; other keys are left to the caller.
    public static func parse(_ o: JSONObject, strict: Bool = false) throws(OpenSearchError) -> AliasMetadata {
        var a = AliasMetadata()
        func str(_ v: JSONValue) -> String? { v.stringValue ?? v.int64Value.map(String.init) }
        for (k, v) in o {
            switch k {
            case "filter":
                if case .object(let f) = v, !f.isEmpty {
                    do throws(OpenSearchError) { _ = try Query.parse(v) } catch {
                        throw OpenSearchError.illegalArgument("failed to parse filter for alias: \(error.reason)")
                    }
                    a.filter = v
                }
            case "routing":
                if o["index_routing"] == nil { a.indexRouting = str(v) }
                if o["search_routing"] == nil { a.searchRouting = str(v) }
            case "index_routing": a.indexRouting = str(v)
            case "search_routing": a.searchRouting = str(v)
            case "is_write_index": a.isWriteIndex = v.boolValue ?? (v.stringValue.map { $0 == "true" })
            case "is_hidden": a.isHidden = v.boolValue ?? (v.stringValue.map { $0 == "true" })
            default:
                if strict { throw OpenSearchError.illegalArgument("unknown field [\(k)]") }
            }
        }
        return a
    }

    /// OpenSearch's rendering: only the fields that are set.
    public var json: JSONValue {
        var o = JSONObject()
        if let filter { o["filter"] = filter }
        if let indexRouting { o["index_routing"] = .string(indexRouting) }
        if let searchRouting { o["search_routing"] = .string(searchRouting) }
        if let isWriteIndex { o["is_write_index"] = .bool(isWriteIndex) }
        if let isHidden { o["is_hidden"] = .bool(isHidden) }
        return .object(o)
    }
}
