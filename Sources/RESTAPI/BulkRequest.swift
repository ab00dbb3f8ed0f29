import Index
import JSON
import Node

/// A parsed `_bulk` body: the NDJSON action/metadata lines and their sources, in order.
struct BulkRequest {
    struct Item {
        enum Action: String { case index, create, update, delete }
        var action: Action
        var index: String?
        var id: String?
        /// The operation, or the per-item error its parsing produced.
        var operation: Result<WriteOperation, OpenSearchError>
    }

    var items: [Item] = []

    static let metadataKeys: Set<String> = ["_index", "_id", "routing", "if_seq_no", "if_primary_term", "version", "op_type",
                                            "version_type", "retry_on_conflict", "require_alias", "pipeline", "_source"]

    /// Request-level defaults from the URL (`/{index}/_bulk?routing=…&pipeline=…&_source=…`).
    struct Defaults {
        var index: String?
        var routing: String?
        var pipeline: String?
        var requireAlias = false
        var sourceFilter: SourceFilter?
        /// Alias names, for `require_alias`.
        var aliasNames: Set<String> = []
    }

    /// Splits and parses the body. A malformed action line fails the whole request (like OpenSearch);
    /// a malformed document fails only its item.
    static func parse(_ body: [UInt8], defaults: Defaults) throws(OpenSearchError) -> BulkRequest {
        var r = BulkRequest()
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for i in 0..<body.count where body[i] == 0x0A {
            lines.append(body[start..<i]); start = i + 1
        }
        if start < body.count { lines.append(body[start..<body.count]) }
        var li = 0
        var lineNo = 0
        func nextLine() -> ArraySlice<UInt8>? {
            while li < lines.count {
                var l = lines[li]
                li += 1
                lineNo += 1
                if l.last == 0x0D { l = l.dropLast() }
                if l.contains(where: { $0 != 0x20 && $0 != 0x09 }) { return l }
            }
            return nil
        }
        while let actionLine = nextLine() {
            let actionLineNo = lineNo
            let action: JSONValue
            do { action = try JSONParser.parse(actionLine) } catch {
                throw OpenSearchError("json_parse_exception", error.description, status: 400)
            }
            guard case .object(let ao) = action else {
                throw OpenSearchError.illegalArgument("Malformed action/metadata line [\(actionLineNo)], expected START_OBJECT but found [\(action.tokenName)]")
            }
            if ao.isEmpty {
                throw OpenSearchError.illegalArgument("Malformed action/metadata line [\(actionLineNo)], expected FIELD_NAME but found [END_OBJECT]")
            }
            guard ao.count == 1, case .object(let meta) = ao.values[0] else {
                throw OpenSearchError.illegalArgument("Malformed action/metadata line [\(actionLineNo)], expected START_OBJECT or END_OBJECT but found [\(ao.values.first?.tokenName ?? "END_OBJECT")]")
            }
            guard var kind = Item.Action(rawValue: ao.keys[0]) else {
                throw OpenSearchError.illegalArgument("Malformed action/metadata line [\(actionLineNo)], expected field [create], [delete], [index] or [update] but found [\(ao.keys[0])]")
            }
            var cond = WriteParameters()
            cond.routing = defaults.routing
            var index = defaults.index
            var id: String? = nil
            var sourceFilter = defaults.sourceFilter
            var pipeline = defaults.pipeline
            var requireAlias = defaults.requireAlias
            var retryOnConflict = 0
            for (k, v) in meta {
                guard metadataKeys.contains(k) else {
                    throw OpenSearchError.illegalArgument("Action/metadata line [\(actionLineNo)] contains an unknown parameter [\(k)]")
                }
                switch k {
                case "_index":
                    guard let s = v.stringValue else { throw OpenSearchError.illegalArgument("Malformed action/metadata line [\(actionLineNo)], _index must be a string") }
                    index = s
                case "_id": id = v.stringValue ?? v.int64Value.map(String.init)
                case "retry_on_conflict": retryOnConflict = Int(v.int64Value ?? 0)
                case "if_seq_no": cond.ifSeqNo = v.int64Value
                case "if_primary_term": cond.ifPrimaryTerm = v.int64Value
                case "version": cond.version = v.int64Value
                case "version_type":
                    guard let t = v.stringValue.flatMap(WriteParameters.VersionType.init(rawValue:)) else {
                        throw OpenSearchError.illegalArgument("No version type match [\(v.stringValue ?? "")]")
                    }
                    cond.versionType = t
                case "_source": sourceFilter = try SourceFilter.parse(v)
                case "routing": cond.routing = v.stringValue ?? v.int64Value.map(String.init)
                case "pipeline": pipeline = v.stringValue
                case "require_alias": requireAlias = v.boolValue ?? (v.stringValue == "true")
                case "op_type":
                    guard kind == .index, let t = v.stringValue, t == "create" || t == "index" else {
                        throw OpenSearchError.illegalArgument("Action/metadata line [\(actionLineNo)] contains an invalid op_type")
                    }
                    if t == "create" { kind = .create }
                default: break
                }
            }
            var item = Item(action: kind, index: index, id: id, operation: .failure(.illegalArgument("unparsed")))
            if index == nil {
                throw OpenSearchError.actionValidation(["index is missing"])
            }
            let targetProblem: OpenSearchError?
            do throws(OpenSearchError) {
                try SearchlightAPI.checkWriteTarget(index!, pipeline: kind == .delete ? nil : pipeline, requireAlias: requireAlias, isAlias: defaults.aliasNames.contains(index!))
                targetProblem = nil
            } catch { targetProblem = error }
            if kind == .delete {
                guard let id else { throw OpenSearchError.actionValidation(["id is missing"]) }
                item.operation = targetProblem.map { .failure($0) } ?? .success(.delete(id: id, conditions: cond))
                r.items.append(item)
                continue
            }
            guard let sourceLine = nextLine() else {
                throw OpenSearchError.illegalArgument("The bulk request must be terminated by a newline [\\n]")
            }
            if kind == .update && id == nil { throw OpenSearchError.actionValidation(["id is missing"]) }
            do throws(OpenSearchError) {
                if let targetProblem { throw targetProblem }
                let doc: JSONValue
                do { doc = try JSONParser.parse(sourceLine) } catch {
                    throw OpenSearchError.mapperParsing("failed to parse", cause: .jsonParse(error))
                }
                switch kind {
                case .index, .create:
                    guard case .object = doc else {
                        throw OpenSearchError.mapperParsing("failed to parse", cause: OpenSearchError("not_x_content_exception", "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes", status: 400))
                    }
                    if let id, let p = SearchlightAPI.idProblem(id) { throw OpenSearchError.illegalArgument(p) }
                    if kind == .create && cond.versionType != .internal {
                        throw OpenSearchError.actionValidation(["create operations only support internal versioning. use index instead"])
                    }
                    try SearchlightAPI.validate(cond)
                    item.operation = .success(.index(id: id, source: doc, raw: Array(sourceLine), create: kind == .create, conditions: cond))
                case .update:
                    var u = try UpdateRequest.parse(doc)
                    u.conditions = cond
                    u.retryOnConflict = retryOnConflict
                    if retryOnConflict > 0 && cond.ifSeqNo != nil {
                        throw OpenSearchError.actionValidation(["compare and write operations can not be retried"])
                    }
                    if u.sourceFilter == nil { u.sourceFilter = sourceFilter }
                    item.operation = .success(.update(id: id!, request: u))
                case .delete: break
                }
            } catch {
                item.operation = .failure(error)
            }
            r.items.append(item)
        }
        return r
    }
}
