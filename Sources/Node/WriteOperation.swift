import Foundation
import Index
import JSON
import Painless

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

/// The body of `_update` (partial `doc`, `upsert`, `doc_as_upsert`, `detect_noop`, or a Painless
/// `script` with `scripted_upsert`).
public struct UpdateRequest: Sendable {
    public var doc: JSONObject?
    public var script: ScriptSpec? {
        didSet { compiled = script.map(UpdateRequest.compile) }
    }
    /// The script compiled (through the shared cache) when the request was parsed; a compile
    /// error is kept and reported only if the script has to run, as OpenSearch does.
    public private(set) var compiled: Result<PainlessScript, OpenSearchError>?
    public var scriptedUpsert = false
    /// Honoured trivially: updates to one index run serially on its write queue, so the
    /// read-modify-write of an update never races another writer.
    public var retryOnConflict = 0
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
            case "script":
                r.script = try ScriptSpec.parse(v)
            case "scripted_upsert":
                guard let b = v.boolValue ?? (v.stringValue.flatMap { $0 == "true" ? true : $0 == "false" ? false : nil }) else {
                    throw OpenSearchError.parsing("[UpdateRequest] failed to parse field [scripted_upsert]")
                }
                r.scriptedUpsert = b
            case "lang", "params", "if_seq_no", "if_primary_term":
                continue
            default:
                let suggestion = Suggest.closest(k, among: ["doc", "upsert", "doc_as_upsert", "detect_noop", "_source", "script", "scripted_upsert"])
                throw OpenSearchError("x_content_parse_exception", "[1:2] [UpdateRequest] unknown field [\(k)]\(suggestion.map { " did you mean [\($0)]?" } ?? "")", status: 400)
            }
        }
        if r.doc == nil && r.upsert == nil && r.script == nil {
            throw OpenSearchError.actionValidation(["script or doc is missing"])
        }
        if r.doc != nil && r.script != nil {
            throw OpenSearchError.actionValidation(["can't provide both script and doc"])
        }
        if r.docAsUpsert && r.doc == nil {
            throw OpenSearchError.actionValidation(["doc must be specified if doc_as_upsert is enabled"])
        }
        return r
    }
}

extension UpdateRequest {
    static func compile(_ spec: ScriptSpec) -> Result<PainlessScript, OpenSearchError> {
        do throws(OpenSearchError) {
            return .success(try spec.compiled())
        } catch {
            return .failure(UpdateRequest.scriptFailure(error))
        }
    }

    /// OpenSearch wraps every failure of an update script in "failed to execute script".
    static func scriptFailure(_ cause: OpenSearchError) -> OpenSearchError {
        OpenSearchError("illegal_argument_exception", "failed to execute script", status: 400, causedBy: cause)
    }

    /// Runs the script on `source`, mapping script errors to OpenSearch's error shape.
    func runScript(source: JSONObject, upsert: Bool, index: String, id: String, version: Int64,
                   routing: String?) throws(OpenSearchError) -> UpdateOutcome {
        guard let compiled else { throw OpenSearchError.illegalArgument("no script") }
        let script = try compiled.get()
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        do throws(PainlessError) {
            return try script.update(source: source, params: self.script?.params, now: now, upsert: upsert,
                                     index: index, id: id, version: version, routing: routing)
        } catch {
            if error == PainlessError.selfReference { throw OpenSearchError.illegalArgument(error.message) }
            throw UpdateRequest.scriptFailure(error.scriptException(source: script.source))
        }
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

    public init(index: String, id: String, version: Int64, seqNo: Int64, primaryTerm: Int64, result: Result, shardsTotal: Int,
                source: JSONValue? = nil) {
        self.index = index
        self.id = id
        self.version = version
        self.seqNo = seqNo
        self.primaryTerm = primaryTerm
        self.result = result
        self.shardsTotal = shardsTotal
        self.source = source
    }

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

    /// Writes `json` (plus `"status"` when asked, as `_bulk` items carry it) straight to bytes:
    /// a `_bulk` response holds thousands of these. `WriteResultTests` keeps the two identical.
    public func write(into w: inout JSONWriter, status withStatus: Bool) {
        w.writeLiteral("{\"_index\":")
        w.writeString(index)
        w.writeLiteral(",\"_id\":")
        w.writeString(id)
        w.writeLiteral(",\"_version\":")
        w.writeInt(version)
        w.writeLiteral(",\"result\":")
        w.writeString(result.rawValue)
        if result == .noop {
            w.writeLiteral(",\"_shards\":{\"total\":0,\"successful\":0,\"failed\":0},\"_seq_no\":")
        } else {
            w.writeLiteral(",\"_shards\":{\"total\":")
            w.writeInt(Int64(shardsTotal))
            w.writeLiteral(",\"successful\":1,\"failed\":0},\"_seq_no\":")
        }
        w.writeInt(seqNo)
        w.writeLiteral(",\"_primary_term\":")
        w.writeInt(primaryTerm)
        if withStatus {
            w.writeLiteral(",\"status\":")
            w.writeInt(Int64(status))
        }
        w.writeLiteral("}")
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
