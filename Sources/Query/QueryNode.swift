import Index
import JSON

/// The query DSL as a tree. This first version evaluates per document against its mapped fields;
/// the segment engine replaces evaluation with postings and doc values.
public indirect enum QueryNode: Sendable, Equatable {
    case matchAll
    case matchNone
    case term(field: String, value: JSONValue)
    case terms(field: String, values: [JSONValue])
    case ids([String])
    case exists(field: String)
    case bool(must: [QueryNode], filter: [QueryNode], should: [QueryNode], mustNot: [QueryNode], minimumShouldMatch: Int?)

    /// Parses a `query` object (`{"term": {...}}`).
    public static func parse(_ json: JSONValue) throws(OpenSearchError) -> QueryNode {
        guard case .object(let o) = json else {
            throw OpenSearchError.parsing("query malformed, must start with start_object")
        }
        guard o.count == 1 else {
            if o.isEmpty { return .matchAll }
            throw OpenSearchError.parsing("[\(o.keys[0])] malformed query, expected [END_OBJECT] but found [FIELD_NAME]")
        }
        let (type, body) = (o.keys[0], o.values[0])
        switch type {
        case "match_all": return .matchAll
        case "match_none": return .matchNone
        case "term":
            let (field, v) = try singleField(type, body)
            if case .object(let vo) = v {
                guard let value = vo["value"] else { throw OpenSearchError.parsing("[term] query does not support [\(vo.keys.first ?? "")]") }
                return .term(field: field, value: value)
            }
            return .term(field: field, value: v)
        case "terms":
            guard case .object(let b) = body else { throw OpenSearchError.parsing("[terms] query malformed, no start_object after query name") }
            let fields = b.filter { $0.0 != "boost" && $0.0 != "_name" }
            guard fields.count == 1, case .array(let values) = fields[0].1 else {
                throw OpenSearchError.parsing("[terms] query does not support multiple fields")
            }
            return .terms(field: fields[0].0, values: values)
        case "ids":
            guard case .array(let values)? = body["values"] else { throw OpenSearchError.parsing("[ids] query malformed, values must be an array") }
            return .ids(values.compactMap { $0.stringValue ?? $0.int64Value.map(String.init) })
        case "exists":
            guard let f = body["field"]?.stringValue else { throw OpenSearchError.parsing("[exists] must be provided with a [field]") }
            return .exists(field: f)
        case "bool":
            guard case .object(let b) = body else { throw OpenSearchError.parsing("[bool] query malformed, no start_object after query name") }
            var must: [QueryNode] = [], filter: [QueryNode] = [], should: [QueryNode] = [], mustNot: [QueryNode] = []
            var msm: Int? = nil
            for (k, v) in b {
                let clauses: [QueryNode]
                switch v {
                case .array(let a): clauses = try a.map { q throws(OpenSearchError) in try parse(q) }
                case .object: clauses = [try parse(v)]
                default: clauses = []
                }
                switch k {
                case "must": must += clauses
                case "filter": filter += clauses
                case "should": should += clauses
                case "must_not": mustNot += clauses
                case "minimum_should_match": msm = v.int64Value.map { Int($0) }
                case "boost", "_name", "adjust_pure_negative": break
                default: throw OpenSearchError.parsing("[bool] query does not support [\(k)]")
                }
            }
            return .bool(must: must, filter: filter, should: should, mustNot: mustNot, minimumShouldMatch: msm)
        default:
            throw OpenSearchError("parsing_exception", "unknown query [\(type)]", status: 400,
                                  metadata: JSONObject([("line", 1), ("col", 14)]))
        }
    }

    static func singleField(_ type: String, _ body: JSONValue) throws(OpenSearchError) -> (String, JSONValue) {
        guard case .object(let b) = body, b.count >= 1 else {
            throw OpenSearchError.parsing("[\(type)] query malformed, no start_object after query name")
        }
        let fields = b.filter { $0.0 != "boost" && $0.0 != "_name" && $0.0 != "case_insensitive" }
        guard fields.count == 1 else {
            throw OpenSearchError.parsing("[\(type)] query doesn't support multiple fields, found [\(fields.first?.0 ?? "")] and [\(fields.dropFirst().first?.0 ?? "")]")
        }
        return fields[0]
    }

    /// Whether evaluating needs the document's mapped fields (everything but match_all/none/ids).
    public var needsFields: Bool {
        switch self {
        case .matchAll, .matchNone, .ids: return false
        case .bool(let a, let b, let c, let d, _): return (a + b + c + d).contains { $0.needsFields }
        default: return true
        }
    }

    /// Evaluates the query on one document.
    public func matches(id: String, fields: ParsedDocument?, mapping: Mapping) -> Bool {
        switch self {
        case .matchAll: return true
        case .matchNone: return false
        case .ids(let ids): return ids.contains(id)
        case .term(let field, let value):
            if field == "_id" { return QueryNode.idText(value) == id }
            return QueryNode.termMatches(field, value, fields, mapping)
        case .terms(let field, let values):
            if field == "_id" { return values.contains { QueryNode.idText($0) == id } }
            return values.contains { QueryNode.termMatches(field, $0, fields, mapping) }
        case .exists(let field):
            guard let fields else { return false }
            return fields.fields.contains { $0.path == field || $0.path.hasPrefix(field + ".") }
        case .bool(let must, let filter, let should, let mustNot, let msm):
            for q in must + filter where !q.matches(id: id, fields: fields, mapping: mapping) { return false }
            for q in mustNot where q.matches(id: id, fields: fields, mapping: mapping) { return false }
            if !should.isEmpty {
                let need = msm ?? (must.isEmpty && filter.isEmpty ? 1 : 0)
                let hits = should.reduce(0) { $0 + ($1.matches(id: id, fields: fields, mapping: mapping) ? 1 : 0) }
                if hits < need { return false }
            }
            return true
        }
    }

    /// An `_id` given as a JSON string or number.
    static func idText(_ v: JSONValue) -> String? { v.stringValue ?? v.int64Value.map(String.init) }

    static func termMatches(_ field: String, _ value: JSONValue, _ doc: ParsedDocument?, _ mapping: Mapping) -> Bool {
        guard let doc else { return false }
        for (path, v) in doc.fields where path == field {
            switch v {
            case .keyword(let s), .ip(let s):
                if s == (value.stringValue ?? value.int64Value.map(String.init) ?? value.boolValue.map { $0 ? "true" : "false" }) { return true }
            case .text(let s):
                guard let t = value.stringValue else { continue }
                if Tokenizer.tokens(s).contains(t) { return true }
            case .long(let l): if value.int64Value == l || value.doubleValue == Double(l) { return true }
            case .double(let d): if value.doubleValue == d { return true }
            case .bool(let b): if value.boolValue == b || value.stringValue == (b ? "true" : "false") { return true }
            case .date(let ms):
                let f = mapping.field(field)?.dateFormat ?? DateFormat.defaultDate
                if let s = value.stringValue, f.parse(s) == ms { return true }
                if value.int64Value == ms { return true }
            }
        }
        return false
    }
}

/// A minimal standard-analyzer stand-in: lowercase, split on non-alphanumerics.
public enum Tokenizer {
    public static func tokens(_ s: String) -> [String] {
        s.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
