import Dispatch
import Index
import JSON
import Node
import Security

extension SearchlightAPI {
    static func registerBulk(_ r: inout Router, _ node: Node) {
        let bulk: Router.Handler = { req throws(OpenSearchError) in try await runBulk(req, node) }
        r.add([.POST, .PUT], "/_bulk", bulk)
        r.add([.POST, .PUT], "/{index}/_bulk", bulk)
    }

    /// The `_bulk` path, shared with `POST /_processor/cloudwatch` (which applies its generated
    /// NDJSON to the local node through exactly this code).
    static func runBulk(_ req: RESTRequest, _ node: Node) async throws(OpenSearchError) -> RESTResponse {
        let start = DispatchTime.now()
        guard req.hasBody else { throw OpenSearchError.actionValidation(["no requests added"]) }
        let defaults = BulkRequest.Defaults(index: req[path: "index"], routing: req.params["routing"], pipeline: req.params["pipeline"],
                                            requireAlias: try req.bool("require_alias", default: false),
                                            sourceFilter: try sourceFilter(req), aliasNames: node.clusterMetadata.aliasNames)
        let parsed = try BulkRequest.parse(req.body, defaults: defaults)
        if parsed.items.isEmpty { throw OpenSearchError.actionValidation(["no requests added"]) }
        var results = [ItemResult?](repeating: nil, count: parsed.items.count)
        var errors = false

        // Group by index, keeping item order inside each group; one write batch per index.
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        // With security on, an item whose index (or the indices its alias leads to) the user may
        // not write fails alone with 403, as in OpenSearch; the others go ahead.
        var allowed: [String: Bool] = [:]
        for (i, item) in parsed.items.enumerated() {
            let name = item.index!
            if let p = req.principal {
                let ok = allowed[name] ?? RoutePermissions.allows(p, .bulkItem, name, node)
                allowed[name] = ok
                if !ok {
                    results[i] = itemError(item, index: name, RoutePermissions.openSearchError(.noPermission(.bulkItem, p, indices: [name])))
                    errors = true
                    continue
                }
            }
            if groups[name] == nil { order.append(name) }
            groups[name, default: []].append(i)
        }
        // Each index's batch is prepared here, then all of them are written concurrently: the
        // batches go to different per-index write queues, so one request uses every core.
        var batches: [(name: String, svc: IndexService, ops: [WriteOperation], positions: [Int])] = []
        for name in order {
            let positions = groups[name]!
            // Items that failed parsing (or `require_alias`) never create their index.
            if positions.allSatisfy({ if case .failure = parsed.items[$0].operation { return true }; return false }) {
                for p in positions {
                    if case .failure(let e) = parsed.items[p].operation { results[p] = itemError(parsed.items[p], index: name, e) }
                }
                errors = true
                continue
            }
            let svc: IndexService
            do throws(OpenSearchError) {
                try IndexName.validate(name)
                svc = try node.writeIndex(name)
            } catch {
                for p in positions {
                    results[p] = itemError(parsed.items[p], index: name, error)
                }
                errors = true
                continue
            }
            var ops: [WriteOperation] = []
            var opPositions: [Int] = []
            for p in positions {
                switch parsed.items[p].operation {
                case .success(.update(let id, var u)) where u.script?.id != nil:
                    // A stored script: the item carries its id, the catalog its source.
                    do throws(OpenSearchError) {
                        u.script = try node.resolveStoredScript(u.script!)
                    } catch {
                        let e = OpenSearchError("illegal_argument_exception", "failed to execute script", status: 400, causedBy: error)
                        results[p] = itemError(parsed.items[p], index: name, e); errors = true
                        continue
                    }
                    do throws(OpenSearchError) {
                        ops.append(try routed(.update(id: id, request: u), node, name, svc)); opPositions.append(p)
                    } catch {
                        results[p] = itemError(parsed.items[p], index: name, error); errors = true
                    }
                case .success(let op):
                    do throws(OpenSearchError) {
                        ops.append(try routed(op, node, name, svc)); opPositions.append(p)
                    } catch {
                        results[p] = itemError(parsed.items[p], index: name, error); errors = true
                    }
                case .failure(let e): results[p] = itemError(parsed.items[p], index: name, e); errors = true
                }
            }
            batches.append((name, svc, ops, opPositions))
        }
        let outcomes: [[Result<WriteResult, OpenSearchError>]]
        if batches.count == 1 {
            outcomes = [await batches[0].svc.write(batches[0].ops)]
        } else {
            outcomes = await withTaskGroup(of: (Int, [Result<WriteResult, OpenSearchError>]).self) { group in
                for (b, batch) in batches.enumerated() {
                    group.addTask { (b, await batch.svc.write(batch.ops)) }
                }
                var all = [[Result<WriteResult, OpenSearchError>]](repeating: [], count: batches.count)
                for await (b, r) in group { all[b] = r }
                return all
            }
        }
        for (b, batch) in batches.enumerated() {
            for (k, outcome) in outcomes[b].enumerated() {
                let p = batch.positions[k]
                let item = parsed.items[p]
                switch outcome {
                case .success(let w):
                    if let src = w.source {
                        var o = w.json.objectValue!
                        o["status"] = .number(w.status)
                        o["get"] = .object(JSONObject([("_seq_no", .int(w.seqNo)), ("_primary_term", .int(w.primaryTerm)), ("found", true),
                                                       ("_source", src)]))
                        results[p] = .json(.object(JSONObject([(item.action.rawValue, .object(o))])))
                    } else {
                        results[p] = .written(item.action, w)
                    }
                case .failure(let e):
                    errors = true
                    results[p] = itemError(item, index: batch.name, e, id: batch.ops[k].id)
                }
            }
        }
        for batch in batches { _ = try await applyRefresh(req.params["refresh"], batch.svc) }
        await node.enforceIndexingBuffer()
        let took = Int64((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
        // The response is written straight to bytes: for thousands of items, building a JSON tree
        // first cost as much as the parsing of the request.
        var w = JSONWriter(capacity: 64 + results.count * 180)
        w.writeLiteral("{\"took\":")
        w.writeInt(took)
        w.writeLiteral(errors ? ",\"errors\":true,\"items\":[" : ",\"errors\":false,\"items\":[")
        for (i, r) in results.enumerated() {
            if i > 0 { w.writeLiteral(",") }
            switch r {
            case .written(let action, let result)?:
                w.writeLiteral("{")
                w.writeString(action.rawValue)
                w.writeLiteral(":")
                result.write(into: &w, status: true)
                w.writeLiteral("}")
            case .json(let v)?: w.write(v)
            case nil: w.writeLiteral("null")
            }
        }
        w.writeLiteral("]}")
        if req.params["pretty"].map({ $0 != "false" }) ?? false, let tree = try? JSONParser.parse(w.bytes) {
            return RESTResponse(200, tree)
        }
        return RESTResponse(status: 200, raw: w.bytes, contentType: "application/json; charset=UTF-8")
    }

    /// One `_bulk` response item: a plain write result is serialised without a JSON tree.
    enum ItemResult {
        case written(BulkRequest.Item.Action, WriteResult)
        case json(JSONValue)
    }

    static func itemError(_ item: BulkRequest.Item, index: String, _ e: OpenSearchError, id: String? = nil) -> ItemResult {
        let err = e
        var o = JSONObject()
        o["_index"] = .string(index)
        o["_id"] = (id ?? item.id).map { .string($0) } ?? .null
        o["status"] = .number(e.status)
        o["error"] = err.body
        return .json(.object(JSONObject([(item.action.rawValue, .object(o))])))
    }
}
