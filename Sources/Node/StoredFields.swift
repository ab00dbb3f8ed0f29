import Index
import JSON

/// `stored_fields`: the values of fields mapped with `store: true`, read back from `_source`
/// (which this engine keeps for every document), typed as their mapping says.
public enum StoredFields {
    /// Parses `stored_fields` given as a list or a comma-separated string.
    public static func parse(_ v: JSONValue) -> [String] {
        switch v {
        case .string(let s): return s.split(separator: ",").map(String.init)
        case .array(let a): return a.compactMap(\.stringValue)
        default: return []
        }
    }

    /// `fields` of a hit or GET: requested stored fields that have values.
    public static func values(_ requested: [String], source: [UInt8], mapping: Mapping) -> JSONObject {
        var out = JSONObject()
        let wanted = requested.filter { name in
            !name.hasPrefix("_") && (name.contains("*") || mapping.field(name)?.params["store"]?.dynamicText == "true")
        }
        guard !wanted.isEmpty, let doc = try? JSONParser.parse(source),
              let parsed = try? DocumentParser.parse(doc, mapping: mapping, id: nil, totalFieldsLimit: Int.max, depthLimit: Int.max) else { return out }
        for (path, value) in parsed.fields {
            guard wanted.contains(where: { $0 == path || ($0.contains("*") && Wildcard.matches($0, path)) }),
                  mapping.field(path)?.params["store"]?.dynamicText == "true" else { continue }
            var list = out[path]?.arrayValue ?? []
            switch value {
            case .keyword(let s), .text(let s), .ip(let s): list.append(.string(s))
            case .long(let i): list.append(mapping.field(path)?.type == .unsignedLong ? UnsignedLong.json(i) : .int(i))
            case .double(let d): list.append(.double(d))
            case .bool(let b): list.append(.bool(b))
            case .date(let ms): list.append(.string(DateFormat.isoString(millis: ms)))
            }
            out[path] = .array(list)
        }
        return out
    }
}
