import JSON

/// Maps a `_source` onto an index mapping: validates and converts every value to its field type,
/// applies dynamic mapping (and `dynamic_templates`) to unknown fields, and reports failures as
/// OpenSearch's `mapper_parsing_exception` / `strict_dynamic_mapping_exception`.
public struct DocumentParser {
    public static let defaultTotalFieldsLimit = 1000

    var mapping: Mapping
    var changed = false
    var out = ParsedDocument()
    let docId: String?
    let totalFieldsLimit: Int
    var depthLimit = 20

    public static func parse(_ source: JSONValue, mapping: Mapping, id: String?, totalFieldsLimit: Int = defaultTotalFieldsLimit,
                             depthLimit: Int = 20) throws(OpenSearchError) -> ParsedDocument {
        guard case .object(let root) = source else {
            throw OpenSearchError.mapperParsing("failed to parse", cause: OpenSearchError("not_x_content_exception", "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes", status: 400))
        }
        var p = DocumentParser(mapping: mapping, docId: id, totalFieldsLimit: totalFieldsLimit)
        p.depthLimit = depthLimit
        var props = p.mapping.properties
        try p.parseObject(root, props: &props, prefix: "", dynamic: mapping.dynamic)
        if p.changed {
            p.mapping.properties = props
            if p.mapping.totalFieldCount > totalFieldsLimit {
                throw OpenSearchError.illegalArgument("Limit of total fields [\(totalFieldsLimit)] has been exceeded")
            }
            p.out.updatedMapping = p.mapping
        }
        return p.out
    }

    mutating func parseObject(_ obj: JSONObject, props: inout [String: FieldMapping], prefix: String, dynamic: DynamicMode) throws(OpenSearchError) {
        for (rawKey, value) in obj {
            if rawKey.isEmpty || rawKey.utf8.allSatisfy({ $0 == 0x20 }) {
                throw OpenSearchError.mapperParsing("failed to parse", cause: .illegalArgument("field name cannot be an empty string"))
            }
            if prefix.isEmpty && rawKey.hasPrefix("_") && ["_id", "_index", "_source", "_routing", "_seq_no", "_version", "_primary_term", "_field_names", "_ignored"].contains(rawKey) {
                throw OpenSearchError.mapperParsing("Field [\(rawKey)] is a metadata field and cannot be added inside a document. Use the index API request parameters.")
            }
            if rawKey.utf8.allSatisfy({ $0 == UInt8(ascii: ".") }) {
                throw OpenSearchError.mapperParsing("failed to parse", cause: .illegalArgument("field name cannot contain only the character [.]"))
            }
            // `a.b: 1` is the same as `a: {b: 1}`.
            if rawKey.utf8.contains(UInt8(ascii: ".")) && !rawKey.hasSuffix(".") {
                if rawKey.hasPrefix(".") || rawKey.contains("..") {
                    throw OpenSearchError.mapperParsing("failed to parse", cause: .illegalArgument("object field starting or ending with a [.] makes object resolution ambiguous: [\(rawKey)]"))
                }
                let parts = rawKey.split(separator: ".").map(String.init)
                var nested: JSONValue = value
                for part in parts.dropFirst().reversed() { nested = .object(JSONObject([(part, nested)])) }
                try parseField(parts[0], nested, props: &props, prefix: prefix, dynamic: dynamic)
            } else {
                try parseField(rawKey, value, props: &props, prefix: prefix, dynamic: dynamic)
            }
        }
    }

    /// `[[1, 2], [3]]` is the same as `[1, 2, 3]` to OpenSearch.
    static func flatten(_ v: JSONValue) -> JSONValue {
        guard case .array(let a) = v, a.contains(where: { $0.arrayValue != nil }) else { return v }
        var out: [JSONValue] = []
        func add(_ x: JSONValue) { if case .array(let xs) = x { xs.forEach(add) } else { out.append(x) } }
        a.forEach(add)
        return .array(out)
    }

    mutating func parseField(_ key: String, _ rawValue: JSONValue, props: inout [String: FieldMapping], prefix: String, dynamic: DynamicMode) throws(OpenSearchError) {
        let value = DocumentParser.flatten(rawValue)
        let path = prefix.isEmpty ? key : "\(prefix).\(key)"
        if var f = props[key] {
            if f.type.isObjectLike {
                if f.params["enabled"]?.dynamicText == "false" { return }
                switch value {
                case .null: return
                case .object(let o):
                    try parseObject(o, props: &f.properties, prefix: path, dynamic: f.dynamic ?? dynamic)
                    props[key] = f
                case .array(let a):
                    for e in a { try parseField(key, e, props: &props, prefix: prefix, dynamic: dynamic) }
                default:
                    throw OpenSearchError.mapperParsing("object mapping for [\(path)] tried to parse field [\(key)] as object, but found a concrete value")
                }
                return
            }
            try index(value, path: path, mapping: f)
            return
        }
        // Unknown field.
        if value.isNull { return }
        let strictError = OpenSearchError("strict_dynamic_mapping_exception",
                                          "mapping set to \(dynamic.rawValue), dynamic introduction of [\(key)] within [\(prefix.isEmpty ? "_doc" : prefix)] is not allowed", status: 400)
        switch dynamic {
        case .strict:
            throw strictError
        case .false, .runtime:
            return
        case .true, .strictAllowTemplates:
            break
        }
        guard let newMapping = try dynamicMapping(for: value, name: key, path: path, templatesOnly: dynamic == .strictAllowTemplates) else {
            if dynamic == .strictAllowTemplates { throw strictError }
            return
        }
        if newMapping.type.isObjectLike {
            let depth = path.split(separator: ".").count + 1
            if depth > depthLimit {
                throw OpenSearchError.illegalArgument("Limit of mapping depth [\(depthLimit)] has been exceeded due to object field [\(path)]")
            }
        }
        props[key] = newMapping
        changed = true
        try parseField(key, value, props: &props, prefix: prefix, dynamic: dynamic)
    }

    /// The mapping dynamic mapping gives a new field, or nil when nothing can be inferred yet
    /// (null or an empty array).
    func dynamicMapping(for value: JSONValue, name: String, path: String, templatesOnly: Bool = false) throws(OpenSearchError) -> FieldMapping? {
        let kind: String
        var sample = value
        if case .array(let a) = value {
            guard let first = a.first(where: { !$0.isNull }) else { return nil }
            sample = first
        }
        var isDate = false
        switch sample {
        case .null: return nil
        case .bool: kind = "boolean"
        case .int: kind = "long"
        case .double, .uint: kind = "double"
        case .object: kind = "object"
        case .array: kind = "object"
        case .string(let s):
            if mapping.dateDetection, s.utf8.count >= 4, DynamicDates.detect(s) { isDate = true; kind = "date" }
            else if mapping.numericDetection, Int64(s) != nil { kind = "long" }
            else if mapping.numericDetection, Double(s) != nil { kind = "double" }
            else { kind = "string" }
        }
        for t in mapping.dynamicTemplates where t.matches(name: name, path: path, kind: kind) {
            var m = t.mapping
            if case .object(var o) = m {
                if o["type"]?.stringValue == "{dynamic_type}" { o["type"] = .string(kind == "string" ? "text" : (kind == "double" ? "float" : kind)) }
                m = .object(o)
            }
            return try FieldMapping.parse(name: name, m)
        }
        if templatesOnly { return nil }
        switch kind {
        case "boolean": return FieldMapping(type: .boolean)
        case "long": return FieldMapping(type: .long)
        case "double": return FieldMapping(type: .float)
        case "object": return FieldMapping(type: .object)
        case "date":
            guard isDate, case .string(let s) = sample else { return nil }
            // Dates detected by the slash formats keep them, or the value would not parse back.
            if DateFormat.defaultDate.parse(s) != nil { return FieldMapping(type: .date) }
            return FieldMapping(type: .date, params: JSONObject([("format", "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis")]))
        default: return FieldMapping.dynamicString
        }
    }

    mutating func index(_ value: JSONValue, path: String, mapping f: FieldMapping) throws(OpenSearchError) {
        switch value {
        case .null:
            if let nv = f.params["null_value"], !nv.isNull { try index(nv, path: path, mapping: f) }
            return
        case .array(let a):
            for e in a {
                if case .array = e { try index(e, path: path, mapping: f); continue }
                try index(e, path: path, mapping: f)
            }
            return
        case .object:
            if f.type == .flatObject || f.type == .geoPoint { return }
            throw OpenSearchError.mapperParsing("failed to parse field [\(path)] of type [\(f.type.rawValue)] in document with id '\(docId ?? "null")'. Preview of field's value: '\(preview(value))'",
                                                cause: .illegalArgument("Can't get text on a START_OBJECT"))
        default: break
        }
        let v = try convert(value, path: path, mapping: f)
        guard let v else { return }
        out.fields.append((path, v))
        for (sub, sf) in f.fields.sorted(by: { $0.key < $1.key }) {
            if let sv = try convert(value, path: "\(path).\(sub)", mapping: sf) { out.fields.append(("\(path).\(sub)", sv)) }
        }
    }

    func preview(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .object(let o):
            return "{" + o.map { "\($0.0)=\(preview($0.1))" }.joined(separator: ", ") + "}"
        default: return JSONWriter.string(v)
        }
    }

    /// -2^63, the one double at the bottom of Int64's range that integer literals below it round to.
    static let int64MinAsDouble = Double(Int64.min)

    func failure(_ path: String, _ f: FieldMapping, _ value: JSONValue, cause: OpenSearchError) -> OpenSearchError {
        OpenSearchError.mapperParsing("failed to parse field [\(path)] of type [\(f.type.rawValue)] in document with id '\(docId ?? "null")'. Preview of field's value: '\(preview(value))'", cause: cause)
    }

    func convert(_ value: JSONValue, path: String, mapping f: FieldMapping) throws(OpenSearchError) -> FieldValue? {
        let ignoreMalformed = f.params["ignore_malformed"]?.dynamicText == "true"
        do throws(OpenSearchError) {
            return try convertStrict(value, path: path, mapping: f)
        } catch {
            if ignoreMalformed { return nil }
            throw error
        }
    }

    /// Dates far outside any real calendar (|year| > ~146 million) are refused rather than wrapped later.
    func checkedDate(_ ms: Int64, _ path: String, _ f: FieldMapping, _ value: JSONValue) throws(OpenSearchError) -> FieldValue {
        guard ms.magnitude <= 1 << 62 else {
            throw failure(path, f, value, cause: .illegalArgument("date [\(preview(value))] is out of range"))
        }
        return .date(ms)
    }

    func convertStrict(_ value: JSONValue, path: String, mapping f: FieldMapping) throws(OpenSearchError) -> FieldValue? {
        switch f.type {
        case .keyword, .constantKeyword, .wildcard:
            let s: String
            switch value {
            case .string(let x): s = x
            case .int(let i): s = String(i)
            case .uint(let u): s = String(u)
            case .double(let d): s = String(d)
            case .bool(let b): s = b ? "true" : "false"
            default: return nil
            }
            if let limit = f.ignoreAbove, s.utf8.count > limit, s.count > limit { return nil }
            return .keyword(s)
        case .text, .matchOnlyText:
            switch value {
            case .string(let x): return .text(x)
            case .int(let i): return .text(String(i))
            case .uint(let u): return .text(String(u))
            case .double(let d): return .text(String(d))
            case .bool(let b): return .text(b ? "true" : "false")
            default: return nil
            }
        case .unsignedLong:
            switch value {
            case .int, .uint, .double, .string, .bool: return .long(try unsignedValue(value, path: path, mapping: f))
            default: return nil
            }
        case .long, .integer, .short, .byte:
            let coerce = f.params["coerce"]?.dynamicText != "false"
            var n: Int64?
            switch value {
            case .int(let i): n = i
            case .uint(let u):
                throw failure(path, f, value, cause: .illegalArgument("Value [\(u)] is out of range for \(f.type == .integer ? "an" : "a") \(f.type.rawValue)"))
            case .double(let d):
                guard d.isFinite else { throw failure(path, f, value, cause: .illegalArgument("[\(f.type.rawValue)] supports only finite values, but got [\(d)]")) }
                if !coerce && d != d.rounded(.towardZero) {
                    throw failure(path, f, value, cause: .illegalArgument("Value [\(d)] has a decimal part"))
                }
                // -2^63 as a double is also what -9223372036854775809 and its neighbours round to:
                // like +2^63, it is refused rather than stored as a different number.
                guard d > Self.int64MinAsDouble, let i = Int64(exactly: d.rounded(.towardZero)) else {
                    throw failure(path, f, value, cause: .illegalArgument("Value [\(d)] is out of range for a \(f.type.rawValue == "integer" ? "integer" : f.type.rawValue)"))
                }
                n = i
            case .string(let s):
                if !coerce { throw failure(path, f, value, cause: .illegalArgument("Value [\(s)] is not a number")) }
                if let i = Int64(s.trimmingSpaces) { n = i }
                else if let d = Double(s.trimmingSpaces), d.isFinite {
                    guard d > Self.int64MinAsDouble, let i = Int64(exactly: d.rounded(.towardZero)) else {
                        throw failure(path, f, value, cause: .illegalArgument("Value [\(s)] is out of range for a \(f.type.rawValue)"))
                    }
                    n = i
                }
                else { throw failure(path, f, value, cause: OpenSearchError("number_format_exception", "For input string: \"\(s)\"", status: 400)) }
            case .bool:
                throw failure(path, f, value, cause: .illegalArgument("Current token (VALUE_\(value.boolValue! ? "TRUE" : "FALSE")) not numeric, can not use numeric value accessors"))
            default: return nil
            }
            guard let v = n else { return nil }
            if !f.type.integralRange.contains(v) {
                let tname = f.type == .long ? "long" : f.type.rawValue
                throw failure(path, f, value, cause: .illegalArgument("Value [\(v)] is out of range for \(tname == "integer" ? "an" : "a") \(tname)"))
            }
            return .long(v)
        case .double, .float, .halfFloat, .scaledFloat:
            var d: Double?
            switch value {
            case .int(let i): d = Double(i)
            case .uint(let u): d = Double(u)
            case .double(let x): d = x
            case .string(let s):
                guard let x = Double(s.trimmingSpaces) else {
                    throw failure(path, f, value, cause: OpenSearchError("number_format_exception", "For input string: \"\(s)\"", status: 400))
                }
                d = x
            case .bool:
                throw failure(path, f, value, cause: .illegalArgument("Current token (VALUE_\(value.boolValue! ? "TRUE" : "FALSE")) not numeric, can not use numeric value accessors"))
            default: return nil
            }
            guard let x = d else { return nil }
            if !x.isFinite { throw failure(path, f, value, cause: .illegalArgument("[\(f.type.rawValue)] supports only finite values, but got [\(x)]")) }
            if f.type == .float, abs(x) > Double(Float.greatestFiniteMagnitude) {
                throw failure(path, f, value, cause: .illegalArgument("[float] supports only finite values, but got [\(x)]"))
            }
            return .double(f.type == .float ? Double(Float(x)) : x)
        case .date, .dateNanos:
            let format = f.dateFormat ?? DateFormat.defaultDate
            switch value {
            case .string(let s):
                guard let ms = format.parse(s) else {
                    throw failure(path, f, value, cause: format.failure(s))
                }
                return try checkedDate(ms, path, f, value)
            case .int(let i):
                if let ms = format.parse(number: Double(i)) { return try checkedDate(ms, path, f, value) }
                if let ms = format.parse(String(i)) { return try checkedDate(ms, path, f, value) }
                throw failure(path, f, value, cause: format.failure(String(i)))
            case .double(let d):
                if let ms = format.parse(number: d) { return try checkedDate(ms, path, f, value) }
                throw failure(path, f, value, cause: format.failure(String(d)))
            default:
                throw failure(path, f, value, cause: .illegalArgument("failed to parse date field [\(preview(value))] with format [\(format.pattern)]"))
            }
        case .boolean:
            switch value {
            case .bool(let b): return .bool(b)
            case .string(let s):
                if s == "true" { return .bool(true) }
                if s == "false" || s.isEmpty { return .bool(false) }
                throw failure(path, f, value, cause: .illegalArgument("Failed to parse value [\(s)] as only [true] or [false] are allowed."))
            default:
                throw failure(path, f, value, cause: .illegalArgument("Failed to parse value [\(preview(value))] as only [true] or [false] are allowed."))
            }
        case .ip:
            guard case .string(let s) = value, IPAddress.isValid(s) else {
                throw failure(path, f, value, cause: .illegalArgument("'\(preview(value))' is not an IP string literal."))
            }
            return .ip(s)
        case .binary, .flatObject, .geoPoint, .object, .nested:
            return nil
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// The default `dynamic_date_formats`: strict_date_optional_time and `yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z`.
enum DynamicDates {
    static let formats = try! DateFormat("strict_date_optional_time||yyyy/MM/dd HH:mm:ss Z||yyyy/MM/dd Z||yyyy/MM/dd HH:mm:ss||yyyy/MM/dd")

    static func detect(_ s: String) -> Bool {
        // Cheap pre-check: dates start with four digits.
        let u = s.utf8
        var it = u.makeIterator()
        for _ in 0..<4 { guard let c = it.next(), c >= 0x30, c <= 0x39 else { return false } }
        guard let c = it.next(), c == UInt8(ascii: "-") || c == UInt8(ascii: "/") else { return false }
        return formats.parse(s) != nil
    }
}

/// IPv4 / IPv6 literal validation.
public enum IPAddress {
    public static func isValid(_ s: String) -> Bool {
        if s.contains(":") {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, parts.count <= 8 || (parts.count == 9 && s.contains("::")) else { return false }
            // At most one `::` (leading/trailing `::` produce two empty parts at that end).
            let u = Array(s.utf8)
            var doubleColons = 0
            for i in 1..<u.count where u[i] == UInt8(ascii: ":") && u[i - 1] == UInt8(ascii: ":") { doubleColons += 1 }
            if doubleColons > 1 { return false }
            var empties = 0
            for (i, p) in parts.enumerated() {
                if p.isEmpty { empties += 1; continue }
                if i == parts.count - 1, p.contains(".") { if !isValid(String(p)) { return false }; continue }
                guard p.utf8.count <= 4, p.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else { return false }
            }
            return empties > 0 || parts.count == 8
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            !p.isEmpty && p.utf8.count <= 3 && p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && (Int(p) ?? 256) <= 255
        }
    }
}

extension DocumentParser {
    /// An `unsigned_long` document value in its stored (biased) form.
    func unsignedValue(_ value: JSONValue, path: String, mapping f: FieldMapping) throws(OpenSearchError) -> Int64 {
        switch UnsignedLong.parse(value, coerce: f.params["coerce"]?.dynamicText != "false") {
        case .success(let raw): return raw
        case .failure(let cause): throw failure(path, f, value, cause: cause)
        }
    }
}
