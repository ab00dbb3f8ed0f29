import Index
import JSON

/// One document write, as `_doc`, `_create`, `_update`, `DELETE` and `_bulk` items express it.
public enum WriteOperation: Sendable {
    /// `index`/`create`: `id` nil means an auto-generated id.
    case index(id: String?, source: JSONValue, raw: [UInt8], create: Bool, conditions: WriteParameters)
    case delete(id: String, conditions: WriteParameters)
    case update(id: String, request: UpdateRequest)

    public var id: String? {
        switch self {
        case .index(let id, _, _, _, _): return id
        case .delete(let id, _): return id
        case .update(let id, _): return id
        }
    }
}

/// The body of `_update` (partial `doc`, `upsert`, `doc_as_upsert`, `detect_noop`).
public struct UpdateRequest: Sendable {
    public var doc: JSONObject?
    public var upsert: JSONObject?
    public var docAsUpsert = false
    public var detectNoop = true
    public var conditions = WriteParameters()
    /// `_source` in the update body or request: return the (filtered) updated source in `get`.
    public var sourceFilter: SourceFilter?

    public init() {}

    /// Parses an update body (`{"doc": …, "upsert": …, "doc_as_upsert": …}`).
    public static func parse(_ body: JSONValue) throws(OpenSearchError) -> UpdateRequest {
        guard case .object(let o) = body else { throw OpenSearchError.parsing("request body is required") }
        var r = UpdateRequest()
        for (k, v) in o {
            switch k {
            case "doc":
                guard case .object(let d) = v else { throw OpenSearchError.parsing("[UpdateRequest] doc doesn't support values of type: \(v.tokenName)") }
                r.doc = d
            case "upsert":
                guard case .object(let u) = v else { throw OpenSearchError.parsing("[UpdateRequest] upsert doesn't support values of type: \(v.tokenName)") }
                r.upsert = u
            case "doc_as_upsert":
                guard let b = v.boolValue ?? (v.stringValue.flatMap { $0 == "true" ? true : $0 == "false" ? false : nil }) else {
                    throw OpenSearchError.parsing("[UpdateRequest] failed to parse field [doc_as_upsert]")
                }
                r.docAsUpsert = b
            case "detect_noop":
                guard let b = v.boolValue ?? (v.stringValue.flatMap { $0 == "true" ? true : $0 == "false" ? false : nil }) else {
                    throw OpenSearchError.parsing("[UpdateRequest] failed to parse field [detect_noop]")
                }
                r.detectNoop = b
            case "_source":
                r.sourceFilter = try SourceFilter.parse(v)
            case "script", "scripted_upsert":
                throw OpenSearchError("script_exception", "scripts are not supported yet", status: 400)
            case "lang", "params", "if_seq_no", "if_primary_term":
                continue
            default:
                let suggestion = Suggest.closest(k, among: ["doc", "upsert", "doc_as_upsert", "detect_noop", "_source", "script", "scripted_upsert"])
                throw OpenSearchError("x_content_parse_exception", "[1:2] [UpdateRequest] unknown field [\(k)]\(suggestion.map { " did you mean [\($0)]?" } ?? "")", status: 400)
            }
        }
        if r.doc == nil && r.upsert == nil {
            throw OpenSearchError.actionValidation(["script or doc is missing"])
        }
        if r.docAsUpsert && r.doc == nil {
            throw OpenSearchError.actionValidation(["doc must be specified if doc_as_upsert is enabled"])
        }
        return r
    }
}

/// The outcome of one successful write, in the shape every write response shares.
public struct WriteResult: Sendable {
    public enum Result: String, Sendable { case created, updated, deleted, notFound = "not_found", noop }

    public var index: String
    public var id: String
    public var version: Int64
    public var seqNo: Int64
    public var primaryTerm: Int64
    public var result: Result
    public var shardsTotal: Int
    /// The document after an update, when requested.
    public var source: JSONValue?

    public var status: Int {
        switch result {
        case .created: return 201
        case .notFound: return 404
        default: return 200
        }
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["_index"] = .string(index)
        o["_id"] = .string(id)
        o["_version"] = .int(version)
        o["result"] = .string(result.rawValue)
        if result == .noop {
            o["_shards"] = ["total": 0, "successful": 0, "failed": 0]
        } else {
            o["_shards"] = ["total": .number(shardsTotal), "successful": 1, "failed": 0]
        }
        o["_seq_no"] = .int(seqNo)
        o["_primary_term"] = .int(primaryTerm)
        return .object(o)
    }
}

/// "did you mean" suggestions for misspelled keys, like OpenSearch's parsers give.
public enum Suggest {
    public static func closest(_ word: String, among candidates: [String]) -> String? {
        candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= max(1, min(2, word.count / 2)) }.min { $0.1 < $1.1 }?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
