import JSON

/// An index's mapping: root `dynamic` mode, dynamic templates, date detection and the field tree.
public struct Mapping: Sendable, Equatable {
    public var dynamic: DynamicMode = .true
    public var dynamicSet = false
    public var dateDetection = true
    public var numericDetection = false
    public var dynamicTemplates: [DynamicTemplate] = []
    public var properties: [String: FieldMapping] = [:]
    /// Root-level entries echoed back verbatim (`_source`, `_meta`, `_routing`, …).
    public var extras: JSONObject = JSONObject()

    public init() {}

    /// Parses a `mappings` body (the legacy `{"_doc": {...}}` type wrapper is refused, as in 2.x).
    public static func parse(_ json: JSONValue) throws(OpenSearchError) -> Mapping {
        var m = Mapping()
        try m.merge(json)
        return m
    }

    /// Merges a `PUT _mapping` body into this mapping.
    public mutating func merge(_ json: JSONValue) throws(OpenSearchError) {
        guard case .object(let o) = json else {
            throw OpenSearchError.mapperParsing("Failed to parse mapping: Expected map for mappings")
        }
        if o.count == 1, o["_doc"] != nil {
            throw OpenSearchError.illegalArgument("Types cannot be provided in put mapping requests")
        }
        for (k, v) in o {
            switch k {
            case "properties":
                guard case .object(let po) = v else { throw OpenSearchError.mapperParsing("Expected map for property [properties]") }
                for (pk, pv) in try FieldMapping.expandDots(po) {
                    let f = try FieldMapping.parse(name: pk, pv)
                    properties[pk] = try properties[pk].map { old throws(OpenSearchError) in try old.merged(with: f, path: pk) } ?? f
                }
            case "dynamic":
                guard let d = DynamicMode(json: v) else { throw OpenSearchError.mapperParsing("Could not convert [dynamic] to boolean") }
                dynamic = d; dynamicSet = true
            case "date_detection":
                guard let b = v.dynamicText, b == "true" || b == "false" else { throw OpenSearchError.mapperParsing("Could not convert [date_detection] to boolean") }
                dateDetection = b == "true"; extras[k] = .bool(dateDetection)
            case "numeric_detection":
                guard let b = v.dynamicText, b == "true" || b == "false" else { throw OpenSearchError.mapperParsing("Could not convert [numeric_detection] to boolean") }
                numericDetection = b == "true"; extras[k] = .bool(numericDetection)
            case "dynamic_templates":
                guard case .array(let arr) = v else { throw OpenSearchError.mapperParsing("Dynamic template syntax error. An array of named objects is expected.") }
                dynamicTemplates = try arr.map { t throws(OpenSearchError) in try DynamicTemplate.parse(t) }
                extras[k] = v
            case "_source", "_meta", "_routing", "_field_names", "_all", "dynamic_date_formats", "_size":
                extras[k] = v
            default:
                throw OpenSearchError.mapperParsing("Root mapping definition has unsupported parameters:  [\(k) : \(JSONWriter.string(v))]")
            }
        }
    }

    /// The body of `"mappings"` as OpenSearch renders it.
    public var json: JSONValue {
        var o = JSONObject()
        if dynamicSet { o["dynamic"] = .string(dynamic.rawValue) }
        for (k, v) in extras { o[k] = v }
        if !properties.isEmpty {
            o["properties"] = .object(JSONObject(properties.keys.sorted().map { ($0, properties[$0]!.json) }))
        }
        return .object(o)
    }

    /// The mapping of a dotted path (`a.b.c`), following object properties and multi-fields.
    public func field(_ path: String) -> FieldMapping? {
        if let f = properties[path] { return f }
        let parts = path.split(separator: ".").map(String.init)
        return Mapping.lookup(parts[...], in: properties)
    }

    static func lookup(_ parts: ArraySlice<String>, in props: [String: FieldMapping]) -> FieldMapping? {
        guard let first = parts.first else { return nil }
        // Field names may themselves contain dots; try the longest prefix first.
        for n in stride(from: parts.count, through: 1, by: -1) {
            let name = parts.prefix(n).joined(separator: ".")
            guard let f = props[name] else { continue }
            let rest = parts.dropFirst(n)
            if rest.isEmpty { return f }
            if let sub = lookup(rest, in: f.properties) { return sub }
            if let sub = lookup(rest, in: f.fields) { return sub }
        }
        _ = first
        return nil
    }

    /// Every leaf field path with its mapping, multi-fields included.
    public var leafFields: [(String, FieldMapping)] {
        var out: [(String, FieldMapping)] = []
        func walk(_ props: [String: FieldMapping], _ prefix: String) {
            for k in props.keys.sorted() {
                let f = props[k]!
                let p = prefix.isEmpty ? k : "\(prefix).\(k)"
                if f.type.isObjectLike { walk(f.properties, p) } else {
                    out.append((p, f))
                    for (sk, sf) in f.fields.sorted(by: { $0.key < $1.key }) { out.append(("\(p).\(sk)", sf)) }
                }
            }
        }
        walk(properties, "")
        return out
    }

    /// Counts mapped fields, objects and multi-fields, for `index.mapping.total_fields.limit`.
    public var totalFieldCount: Int {
        func count(_ props: [String: FieldMapping]) -> Int {
            props.values.reduce(0) { $0 + 1 + $1.fields.count + count($1.properties) }
        }
        return count(properties)
    }
}

/// One entry of `dynamic_templates`: a rule choosing the mapping of new fields.
public struct DynamicTemplate: Sendable, Equatable {
    public var name: String
    public var matchMappingType: String?
    public var match: String?
    public var unmatch: String?
    public var pathMatch: String?
    public var pathUnmatch: String?
    public var mapping: JSONValue

    static func parse(_ json: JSONValue) throws(OpenSearchError) -> DynamicTemplate {
        guard case .object(let o) = json, o.count == 1, case .object(let body) = o.values[0] else {
            throw OpenSearchError.mapperParsing("Dynamic template syntax error. An array of named objects is expected.")
        }
        guard let mapping = body["mapping"] else {
            throw OpenSearchError.mapperParsing("template must have mapping set")
        }
        return DynamicTemplate(name: o.keys[0], matchMappingType: body["match_mapping_type"]?.stringValue,
                               match: body["match"]?.stringValue, unmatch: body["unmatch"]?.stringValue,
                               pathMatch: body["path_match"]?.stringValue, pathUnmatch: body["path_unmatch"]?.stringValue,
                               mapping: mapping)
    }

    /// Whether this template applies to a new field of JSON kind `kind` (`string`, `long`, …).
    func matches(name: String, path: String, kind: String) -> Bool {
        if let t = matchMappingType, t != "*", t != kind { return false }
        if let m = match, !Wildcard.matches(m, name) { return false }
        if let u = unmatch, Wildcard.matches(u, name) { return false }
        if let p = pathMatch, !Wildcard.matches(p, path) { return false }
        if let p = pathUnmatch, Wildcard.matches(p, path) { return false }
        return true
    }
}

/// Simple `*` wildcard matching (OpenSearch's simple match: only `*` is special) used by
/// templates, index patterns and dynamic templates.
public enum Wildcard {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && p[pi] == UInt8(ascii: "*") { star = pi; mark = ti; pi += 1 }
            else if pi < p.count && p[pi] == t[ti] { pi += 1; ti += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
