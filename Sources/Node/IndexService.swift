import Dispatch
import Index
import JSON
import Storage
import Synchronization

/// One index: its metadata, mapping and documents. Writes for the index run one batch at a time on
/// a dedicated serial queue (so the SQLite fsync never blocks the cooperative pool, and the
/// version checks of a batch see a stable state); readers take short locks on `state`.
public final class IndexService: Sendable {
    public let name: String
    public let uuid: String
    public let createdMillis: Int64
    let catalog: Catalog
    let state: Mutex<IndexState>
    let writeQueue: DispatchQueue

    /// Everything mutable about the index, guarded by `state`.
    struct IndexState: Sendable {
        var mapping: Mapping
        var settings: IndexSettings
        var docs: [String: StoredDocument] = [:]
        var maxSeqNo: Int64 = -1
        var liveCount = 0
        var deletedCount = 0
        var closed = false
        var sourceBytes = 0
    }

    public static let primaryTerm: Int64 = 1

    init(name: String, uuid: String, createdMillis: Int64, mapping: Mapping, settings: IndexSettings, catalog: Catalog) {
        self.name = name
        self.uuid = uuid
        self.createdMillis = createdMillis
        self.catalog = catalog
        self.state = Mutex(IndexState(mapping: mapping, settings: settings))
        self.writeQueue = DispatchQueue(label: "searchlight.index.\(name)")
    }

    public var mapping: Mapping { state.withLock { $0.mapping } }
    public var settings: IndexSettings { state.withLock { $0.settings } }
    public var docCount: Int { state.withLock { $0.liveCount } }
    public var deletedDocCount: Int { state.withLock { $0.deletedCount } }
    public var maxSeqNo: Int64 { state.withLock { $0.maxSeqNo } }
    public var storeSizeBytes: Int { state.withLock { $0.sourceBytes } }

    /// The realtime view of a document, or nil when it does not exist (or was deleted), or when
    /// `routing` would send the request to another shard than the document's.
    public func get(_ id: String, routing: String? = nil) -> StoredDocument? {
        state.withLock { s in
            guard let d = s.docs[id], !d.deleted else { return nil }
            if IndexService.otherShard(d, routing, s.settings) { return nil }
            return d
        }
    }

    /// With several (logical) shards a document is only found with the routing it was written
    /// with; a single shard holds everything whatever the routing.
    static func otherShard(_ d: StoredDocument, _ routing: String?, _ settings: IndexSettings) -> Bool {
        settings.int("index.number_of_shards", default: 1) > 1 && d.routing != routing
    }

    public var numberOfShards: Int { settings.int("index.number_of_shards", default: 1) }

    /// A point-in-time copy of every live document (copy-on-write: cheap until the next write).
    public func snapshot() -> [String: StoredDocument] { state.withLock { $0.docs } }

    func markClosed() { state.withLock { $0.closed = true } }

    /// Applies a PUT _mapping body; persisted before it is visible.
    public func putMapping(_ body: JSONValue) throws(OpenSearchError) {
        // Run on the write queue so no bulk batch races the change.
        let r: Result<Void, OpenSearchError> = writeQueue.sync {
            var m = state.withLock { $0.mapping }
            do {
                try m.merge(body)
                if m.totalFieldCount > settings.totalFieldsLimit {
                    throw OpenSearchError.illegalArgument("Limit of total fields [\(settings.totalFieldsLimit)] has been exceeded")
                }
                try catalog.updateIndex(uuid: uuid, mappings: JSONWriter.string(m.json))
            } catch let e as OpenSearchError {
                return .failure(e)
            } catch {
                return .failure(OpenSearchError("exception", "\(error)", status: 500))
            }
            let final = m
            state.withLock { $0.mapping = final }
            return .success(())
        }
        try r.get()
    }

    /// Updates dynamic settings (persisted first).
    public func updateSettings(_ body: JSONValue) throws(OpenSearchError) {
        var s = settings
        try s.update(body)
        do { try catalog.updateIndex(uuid: uuid, settings: s.stored) } catch {
            throw OpenSearchError("exception", "\(error)", status: 500)
        }
        let final = s
        state.withLock { $0.settings = final }
    }

    /// Replays one translog entry at start-up.
    func replay(_ e: TranslogEntry) {
        state.withLock { s in
            let previous = s.docs[e.id]
            let wasLive = previous.map { !$0.deleted } ?? false
            s.sourceBytes -= previous?.source.count ?? 0
            switch e.op {
            case .index:
                s.docs[e.id] = StoredDocument(source: e.source, seqNo: e.seqNo, version: e.version, primaryTerm: e.primaryTerm, routing: e.routing)
                s.sourceBytes += e.source.count
                if !wasLive { s.liveCount += 1 } else { s.deletedCount += 1 }
            case .delete:
                s.docs[e.id] = StoredDocument(source: [], seqNo: e.seqNo, version: e.version, primaryTerm: e.primaryTerm, deleted: true)
                if wasLive { s.liveCount -= 1; s.deletedCount += 1 }
            }
            s.maxSeqNo = max(s.maxSeqNo, e.seqNo)
        }
    }

    /// Applies a batch of writes: checks, maps and versions every operation, appends the batch to
    /// the translog in one durable transaction, then publishes it. Items fail one by one.
    public func write(_ ops: [WriteOperation]) async -> [Result<WriteResult, OpenSearchError>] {
        await withCheckedContinuation { cont in
            writeQueue.async {
                cont.resume(returning: self.applyBatch(ops))
            }
        }
    }

    func conflict(_ id: String, _ reason: String) -> OpenSearchError {
        OpenSearchError("version_conflict_engine_exception", "[\(id)]: version conflict, \(reason)", status: 409,
                        metadata: JSONObject([("index", .string(name)), ("shard", "0"), ("index_uuid", .string(uuid))]))
    }

    func check(_ c: WriteParameters, id: String, current: StoredDocument?) throws(OpenSearchError) {
        let live = current.flatMap { $0.deleted ? nil : $0 }
        if let seq = c.ifSeqNo {
            let term = c.ifPrimaryTerm ?? 0
            guard let live else { throw conflict(id, "required seqNo [\(seq)], primary term [\(term)] but no document was found") }
            if live.seqNo != seq || live.primaryTerm != term {
                throw conflict(id, "required seqNo [\(seq)], primary term [\(term)]. current document has seqNo [\(live.seqNo)] and primary term [\(live.primaryTerm)]")
            }
        }
        if let v = c.version, c.versionType != .internal, let cur = current {
            if c.versionType == .external && v <= cur.version {
                throw conflict(id, "current version [\(cur.version)] is higher or equal to the one provided [\(v)]")
            }
            if c.versionType == .externalGte && v < cur.version {
                throw conflict(id, "current version [\(cur.version)] is higher than the one provided [\(v)]")
            }
        }
    }

    func nextVersion(_ c: WriteParameters, current: StoredDocument?) -> Int64 {
        if c.versionType != .internal, let v = c.version { return v }
        return (current?.version ?? 0) + 1
    }

    func applyBatch(_ ops: [WriteOperation]) -> [Result<WriteResult, OpenSearchError>] {
        var (mapping, settings, seq, closed) = state.withLock { ($0.mapping, $0.settings, $0.maxSeqNo, $0.closed) }
        if closed { return ops.map { _ in .failure(.indexNotFound(name)) } }
        if settings.bool("index.blocks.write") || settings.bool("index.blocks.read_only") || settings.bool("index.blocks.read_only_allow_delete") {
            let which = settings.bool("index.blocks.read_only") ? "FORBIDDEN/5/index read-only (api)" : "FORBIDDEN/8/index write (api)"
            let e = OpenSearchError("cluster_block_exception", "index [\(name)] blocked by: [\(which)];", status: 403)
            return ops.map { _ in .failure(e) }
        }
        var overlay: [String: StoredDocument] = [:]
        var entries: [TranslogEntry] = []
        entries.reserveCapacity(ops.count)
        var results: [Result<WriteResult, OpenSearchError>] = []
        results.reserveCapacity(ops.count)
        var mappingChanged = false
        let shardsTotal = 1 + settings.numberOfReplicas
        let limit = settings.totalFieldsLimit

        let routingRequired = mapping.extras["_routing"]?["required"]?.dynamicText == "true"

        func current(_ id: String, _ routing: String?) -> StoredDocument? {
            let d = overlay[id] ?? state.withLock { $0.docs[id] }
            if let d, !d.deleted, IndexService.otherShard(d, routing, settings) { return nil }
            return d
        }

        func indexDocument(id: String, source: JSONValue, raw: [UInt8], version: Int64, created: Bool, routing: String?) throws(OpenSearchError) -> WriteResult {
            if routingRequired && routing == nil {
                throw OpenSearchError("routing_missing_exception", "routing is required for [\(name)]/[\(id)]", status: 400,
                                      metadata: JSONObject([("index", .string(name))]))
            }
            let parsed = try DocumentParser.parse(source, mapping: mapping, id: id, totalFieldsLimit: limit,
                                                  depthLimit: settings.int("index.mapping.depth.limit", default: 20))
            if let m = parsed.updatedMapping { mapping = m; mappingChanged = true }
            seq += 1
            overlay[id] = StoredDocument(source: raw, seqNo: seq, version: version, primaryTerm: Self.primaryTerm, routing: routing)
            entries.append(TranslogEntry(indexUUID: uuid, op: .index, id: id, seqNo: seq, version: version, primaryTerm: Self.primaryTerm, source: raw, routing: routing))
            return WriteResult(index: name, id: id, version: version, seqNo: seq, primaryTerm: Self.primaryTerm,
                               result: created ? .created : .updated, shardsTotal: shardsTotal)
        }

        for op in ops {
            do throws(OpenSearchError) {
                switch op {
                case .index(let givenId, let source, let raw, let create, let cond):
                    let id = givenId ?? DocumentID.generate()
                    let cur = givenId == nil ? nil : current(id, cond.routing)
                    let live = cur.flatMap { $0.deleted ? nil : $0 }
                    if create, let live {
                        throw conflict(id, "document already exists (current version [\(live.version)])")
                    }
                    try check(cond, id: id, current: cur)
                    results.append(.success(try indexDocument(id: id, source: source, raw: raw, version: nextVersion(cond, current: cur), created: live == nil, routing: cond.routing)))
                case .delete(let id, let cond):
                    if routingRequired && cond.routing == nil {
                        throw OpenSearchError("routing_missing_exception", "routing is required for [\(name)]/[\(id)]", status: 400,
                                              metadata: JSONObject([("index", .string(name))]))
                    }
                    let raw = overlay[id] ?? state.withLock { $0.docs[id] }
                    if let raw, !raw.deleted, IndexService.otherShard(raw, cond.routing, settings) {
                        // The routing points at a shard that does not hold the document: nothing to delete there.
                        results.append(.success(WriteResult(index: name, id: id, version: 1, seqNo: seq, primaryTerm: Self.primaryTerm,
                                                            result: .notFound, shardsTotal: shardsTotal)))
                        continue
                    }
                    let cur = current(id, cond.routing)
                    let live = cur.flatMap { $0.deleted ? nil : $0 }
                    try check(cond, id: id, current: cur)
                    let version = nextVersion(cond, current: cur)
                    seq += 1
                    overlay[id] = StoredDocument(source: [], seqNo: seq, version: version, primaryTerm: Self.primaryTerm, deleted: true)
                    entries.append(TranslogEntry(indexUUID: uuid, op: .delete, id: id, seqNo: seq, version: version, primaryTerm: Self.primaryTerm, source: []))
                    results.append(.success(WriteResult(index: name, id: id, version: version, seqNo: seq, primaryTerm: Self.primaryTerm,
                                                        result: live == nil ? .notFound : .deleted, shardsTotal: shardsTotal)))
                case .update(let id, let req):
                    let cur = current(id, req.conditions.routing)
                    if req.conditions.ifSeqNo != nil, cur.map({ $0.deleted }) ?? true, !req.docAsUpsert, req.upsert == nil {
                        throw OpenSearchError("document_missing_exception", "[\(id)]: document missing", status: 404,
                                              metadata: JSONObject([("index", .string(name)), ("shard", "0"), ("index_uuid", .string(uuid))]))
                    }
                    try check(req.conditions, id: id, current: cur)
                    guard let live = cur.flatMap({ $0.deleted ? nil : $0 }) else {
                        guard let upsert = req.docAsUpsert ? req.doc : req.upsert else {
                            throw OpenSearchError("document_missing_exception", "[\(id)]: document missing", status: 404,
                                                  metadata: JSONObject([("index", .string(name)), ("shard", "0"), ("index_uuid", .string(uuid))]))
                        }
                        let raw = JSONWriter.serialize(.object(upsert))
                        var r = try indexDocument(id: id, source: .object(upsert), raw: raw, version: (cur?.version ?? 0) + 1, created: true, routing: req.conditions.routing)
                        if let f = req.sourceFilter { r.source = f.apply(raw) }
                        results.append(.success(r))
                        continue
                    }
                    guard case .object(let existing)? = try? JSONParser.parse(live.source) else {
                        throw OpenSearchError.mapperParsing("failed to parse existing document [\(id)]")
                    }
                    let merged = IndexService.merge(existing, req.doc ?? JSONObject())
                    if req.detectNoop && merged == existing {
                        var r = WriteResult(index: name, id: id, version: live.version, seqNo: live.seqNo, primaryTerm: live.primaryTerm,
                                            result: .noop, shardsTotal: shardsTotal)
                        if let f = req.sourceFilter { r.source = f.apply(live.source) }
                        results.append(.success(r))
                        continue
                    }
                    let raw = JSONWriter.serialize(.object(merged))
                    var r = try indexDocument(id: id, source: .object(merged), raw: raw, version: live.version + 1, created: false, routing: req.conditions.routing ?? live.routing)
                    if let f = req.sourceFilter { r.source = f.apply(raw) }
                    results.append(.success(r))
                }
            } catch {
                results.append(.failure(error))
            }
        }
        guard !entries.isEmpty else { return results }
        do {
            try catalog.append(entries, mappingUpdate: mappingChanged ? (uuid, JSONWriter.string(mapping.json)) : nil)
        } catch {
            // Nothing was published: every item of the batch fails, none is half-applied.
            let e = OpenSearchError("translog_exception", "failed to write to the translog: \(error)", status: 500)
            return results.map { r in if case .success = r { return .failure(e) }; return r }
        }
        let finalMapping = mapping
        let finalSeq = seq
        state.withLock { s in
            for (id, d) in overlay {
                let previous = s.docs[id]
                let wasLive = previous.map { !$0.deleted } ?? false
                s.sourceBytes += d.source.count - (previous?.source.count ?? 0)
                if d.deleted {
                    if wasLive { s.liveCount -= 1; s.deletedCount += 1 }
                } else if wasLive {
                    s.deletedCount += 1
                } else {
                    s.liveCount += 1
                }
                s.docs[id] = d
            }
            s.maxSeqNo = finalSeq
            if mappingChanged { s.mapping = finalMapping }
        }
        return results
    }

    /// `_update` with `doc`: objects merge recursively, everything else is replaced.
    static func merge(_ base: JSONObject, _ patch: JSONObject) -> JSONObject {
        var out = base
        for (k, v) in patch {
            if case .object(let po) = v, case .object(let bo)? = out[k] {
                out[k] = .object(merge(bo, po))
            } else {
                out[k] = v
            }
        }
        return out
    }
}

extension OpenSearchError {
    var index: String? { metadata["index"]?.stringValue }
}
