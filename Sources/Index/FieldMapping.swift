import JSON

/// One mapped field: its type, the parameters the client gave (echoed back by `GET _mapping`),
/// multi-fields and, for objects, sub-properties.
public struct FieldMapping: Sendable, Equatable {
    public var type: FieldType
    /// Parameters other than `type`, `fields`, `properties` and `dynamic`, in client order.
    public var params: JSONObject
    public var fields: [String: FieldMapping]
    public var properties: [String: FieldMapping]
    public var dynamic: DynamicMode?
    public var dateFormat: DateFormat?

    public init(type: FieldType, params: JSONObject = JSONObject(), fields: [String: FieldMapping] = [:],
                properties: [String: FieldMapping] = [:], dynamic: DynamicMode? = nil) {
        self.type = type
        self.params = params
        self.fields = fields
        self.properties = properties
        self.dynamic = dynamic
        self.dateFormat = nil
        if type == .date || type == .dateNanos {
            self.dateFormat = (params["format"]?.stringValue).flatMap { try? DateFormat($0) } ?? DateFormat.defaultDate
        }
    }

    /// The `text` + `keyword` (ignore_above 256) pair OpenSearch makes for dynamic strings.
    public static var dynamicString: FieldMapping {
        FieldMapping(type: .text, fields: ["keyword": FieldMapping(type: .keyword, params: JSONObject([("ignore_above", 256)]))])
    }

    public var ignoreAbove: Int? { params["ignore_above"]?.int64Value.map { Int($0) } }
    public var isIndexed: Bool { params["index"]?.dynamicText != "false" }

    static let knownParams: Set<String> = [
        "format", "ignore_above", "index", "doc_values", "store", "analyzer", "search_analyzer", "null_value",
        "boost", "coerce", "ignore_malformed", "norms", "similarity", "fielddata", "copy_to", "enabled",
        "scaling_factor", "locale", "normalizer", "eager_global_ordinals", "index_options", "term_vector",
        "position_increment_gap", "split_queries_on_whitespace", "meta", "search_quote_analyzer",
        "index_phrases", "index_prefixes", "include_in_parent", "include_in_root", "value", "fielddata_frequency_filter",
        "time_series_metric", "ignore_z_value", "dimension", "method", "data_type", "space_type",
    ]

    /// Parses a field definition from a mapping body.
    public static func parse(name: String, _ json: JSONValue) throws(OpenSearchError) -> FieldMapping {
        guard case .object(let o) = json else {
            throw OpenSearchError.mapperParsing("Expected map for property [fields] on field [\(name)] but got a class java.lang.String")
        }
        let typeName: String
        if let t = o["type"] {
            guard let s = t.stringValue else { throw OpenSearchError.mapperParsing("No type specified for field [\(name)]") }
            typeName = s
        } else if o["properties"] != nil || o["dynamic"] != nil || o["enabled"] != nil || o.isEmpty {
            typeName = "object"
        } else {
            throw OpenSearchError.mapperParsing("No type specified for field [\(name)]")
        }
        guard let type = FieldType(rawValue: typeName) else {
            throw OpenSearchError.mapperParsing("No handler for type [\(typeName)] declared on field [\(name)]")
        }
        var params = JSONObject()
        var fields: [String: FieldMapping] = [:]
        var properties: [String: FieldMapping] = [:]
        var dynamic: DynamicMode? = nil
        for (k, v) in o {
            switch k {
            case "type": continue
            case "fields":
                guard case .object(let fo) = v else { throw OpenSearchError.mapperParsing("Expected map for property [fields] on field [\(name)]") }
                for (fk, fv) in fo { fields[fk] = try parse(name: "\(name).\(fk)", fv) }
            case "properties":
                guard type.isObjectLike else {
                    throw OpenSearchError.mapperParsing("Mapping definition for [\(name)] has unsupported parameters:  [properties : \(JSONWriter.string(v))]")
                }
                guard case .object(let po) = v else { throw OpenSearchError.mapperParsing("Expected map for property [properties] on field [\(name)]") }
                for (pk, pv) in try expandDots(po) {
                    let f = try parse(name: pk, pv)
                    properties[pk] = try properties[pk].map { old throws(OpenSearchError) in try old.merged(with: f, path: pk) } ?? f
                }
            case "dynamic":
                guard let d = DynamicMode(json: v) else {
                    throw OpenSearchError.mapperParsing("Could not convert [dynamic] to boolean")
                }
                dynamic = d
            case "format":
                guard let s = v.stringValue else { throw OpenSearchError.mapperParsing("Invalid format for field [\(name)]") }
                do { _ = try DateFormat(s) } catch {
                    throw OpenSearchError.mapperParsing("Invalid format: [\(s)]: \(error.reason)", cause: error)
                }
                params[k] = v
            default:
                guard knownParams.contains(k) else {
                    throw OpenSearchError.mapperParsing("unknown parameter [\(k)] on mapper [\(name)] of type [\(typeName)]")
                }
                params[k] = v
            }
        }
        if type == .text, params["fielddata"]?.dynamicText == "true" {}  // accepted, aggregations check it later
        return FieldMapping(type: type, params: params, fields: fields, properties: properties, dynamic: dynamic)
    }

    /// Turns `"a.b": {…}` property names into nested objects (`a: {properties: {b: …}}`), as
    /// OpenSearch does, and rejects empty names.
    static func expandDots(_ props: JSONObject) throws(OpenSearchError) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        for (k, v) in props {
            if k.allSatisfy({ $0 == " " }) { throw OpenSearchError.illegalArgument("field name cannot be an empty string") }
            if k.allSatisfy({ $0 == "." }) { throw OpenSearchError.illegalArgument("field name cannot contain only the character [.]") }
            guard k.contains("."), !k.hasPrefix("."), !k.hasSuffix(".") else { out.append((k, v)); continue }
            let parts = k.split(separator: ".").map(String.init)
            var nested = v
            for part in parts.dropFirst().reversed() { nested = ["properties": .object(JSONObject([(part, nested)]))] }
            out.append((parts[0], nested))
        }
        return out
    }

    /// The mapping JSON as `GET _mapping` shows it (properties sorted like OpenSearch does).
    public var json: JSONValue {
        var o = JSONObject()
        if type != .object || properties.isEmpty && dynamic == nil && params.isEmpty { o["type"] = .string(type.rawValue) }
        if let d = dynamic { o["dynamic"] = .string(d.rawValue) }
        for (k, v) in params { o[k] = v }
        if !fields.isEmpty {
            o["fields"] = .object(JSONObject(fields.keys.sorted().map { ($0, fields[$0]!.json) }))
        }
        if !properties.isEmpty {
            o["properties"] = .object(JSONObject(properties.keys.sorted().map { ($0, properties[$0]!.json) }))
        }
        return .object(o)
    }

    /// Merges a later definition into this one; changing a field's type is refused like OpenSearch does.
    public func merged(with other: FieldMapping, path: String) throws(OpenSearchError) -> FieldMapping {
        if other.type != type {
            throw OpenSearchError.illegalArgument("mapper [\(path)] cannot be changed from type [\(type.rawValue)] to [\(other.type.rawValue)]")
        }
        var m = self
        for (k, v) in other.params {
            if k == "format", type == .date || type == .dateNanos {
                let old = params[k]?.stringValue ?? DateFormat.defaultDate.pattern
                if old != v.stringValue {
                    throw OpenSearchError.illegalArgument("Mapper for [\(path)] conflicts with existing mapper:\n\tCannot update parameter [format] from [\(old)] to [\(v.stringValue ?? "")]")
                }
            }
            m.params[k] = v
        }
        for (k, v) in other.fields {
            m.fields[k] = try m.fields[k].map { f throws(OpenSearchError) in try f.merged(with: v, path: "\(path).\(k)") } ?? v
        }
        for (k, v) in other.properties {
            m.properties[k] = try m.properties[k].map { f throws(OpenSearchError) in try f.merged(with: v, path: "\(path).\(k)") } ?? v
        }
        if let d = other.dynamic { m.dynamic = d }
        m.dateFormat = FieldMapping(type: m.type, params: m.params).dateFormat
        return m
    }
}
