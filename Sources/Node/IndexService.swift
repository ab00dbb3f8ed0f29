import Dispatch
import Foundation
import Index
import JSON
import Metrics
import Storage
import Synchronization

/// One index: metadata, mapping, the write buffer and the published segments.
///
/// Writes run one batch at a time on a dedicated serial queue (the SQLite fsync never blocks the
/// cooperative pool, and a batch's version checks see a stable state). A write is durable once its
/// translog transaction commits; it becomes searchable at the next refresh, which writes the
/// buffer as an immutable segment, applies deletions to older segments' live-docs, records the new
/// commit point and trims the translog it covers — all in one SQLite transaction.
public final class IndexService: Sendable {
    public let name: String
    public let uuid: String
    public let createdMillis: Int64
    /// `data/indices/<uuid>`: segment and live-docs files.
    public let directory: String
    let catalog: Catalog
    let state: Mutex<IndexState>
    let writeQueue: DispatchQueue
    /// Merges build new segments here, off the write queue; only their commit runs on it.
    let mergeQueue: DispatchQueue

    /// Everything mutable about the index, guarded by `state`.
    struct IndexState: Sendable {
        var mapping: Mapping
        var settings: IndexSettings
        /// Writes since the last refresh, latest per id (deletions as tombstones).
        var buffer: [String: BufferedDocument] = [:]
        /// Deletions already refreshed, remembered so re-creating an id continues its versions.
        var tombstones: [String: StoredDocument] = [:]
        /// The committed segments as the writer sees them (newest live-docs), oldest first.
        var segments: [SegmentView] = []
        /// What searchers see: the segments as of the last refresh. A full indexing buffer is
        /// flushed to a committed but unpublished segment, so memory stays bounded without
        /// making writes visible before the refresh.
        var published: [SegmentView] = []
        /// `_source` bytes held in `buffer`.
        var bufferBytes = 0
        /// Segment documents superseded since the last refresh: segment number → doc ids.
        var pendingDeletes: [Int: [Int32]] = [:]
        var maxSeqNo: Int64 = -1
        var nextSegmentNumber = 0
        /// Highest translog rowid appended for this index; a commit trims through it.
        var translogRowID: Int64 = 0
        var lastRefreshNanos: UInt64 = DispatchTime.now().uptimeNanoseconds
        var closed = false
        /// A background merge is running (one per index at a time).
        var merging = false
        /// Snapshots copying this index's committed files: while any runs, files a refresh or
        /// merge makes obsolete are kept (in `deferredRemovals`) instead of deleted.
        var snapshotPins = 0
        var deferredRemovals: [String] = []
        /// Why the index could not be opened at start-up (a segment failed its checksum, a file is
        /// missing): the index is listed but red, and every read or write answers this instead of
        /// serving a partial view. `searchlight repair` clears it offline.
        var unavailable: OpenSearchError? = nil
    }

    public static let primaryTerm: Int64 = 1
    /// Indexing buffer bounds per index (documents, `_source` bytes) before an unpublished flush.
    let bufferDocLimit: Int
    /// Successful index/update and delete operations since start-up, for `_stats` `indexing`.
    let indexedCount = Atomic<Int>(0)
    let deletedCount = Atomic<Int>(0)
    public var indexTotal: Int { indexedCount.load(ordering: .relaxed) }
    public var deleteTotal: Int { deletedCount.load(ordering: .relaxed) }
    static let bufferByteLimit = 64 << 20

    init(name: String, uuid: String, createdMillis: Int64, mapping: Mapping, settings: IndexSettings, catalog: Catalog, dataPath: String,
         bufferDocLimit: Int = 100_000) {
        self.bufferDocLimit = bufferDocLimit
        self.name = name
        self.uuid = uuid
        self.createdMillis = createdMillis
        self.catalog = catalog
        self.directory = "\(dataPath)/indices/\(uuid)"
        self.state = Mutex(IndexState(mapping: mapping, settings: settings))
        self.writeQueue = DispatchQueue(label: "searchlight.index.\(name)")
        self.mergeQueue = DispatchQueue(label: "searchlight.merge.\(name)", qos: .utility)
    }

    public var mapping: Mapping { state.withLock { $0.mapping } }
    public var settings: IndexSettings { state.withLock { $0.settings } }
    /// Searchable (refreshed) live documents.
    public var docCount: Int { state.withLock { s in s.published.reduce(0) { $0 + $1.liveCount } } }
    public var deletedDocCount: Int { state.withLock { s in s.published.reduce(0) { $0 + $1.segment.docCount - $1.liveCount } } }
    public var maxSeqNo: Int64 { state.withLock { $0.maxSeqNo } }
    public var numberOfShards: Int { settings.int("index.number_of_shards", default: 1) }
    public var segmentCount: Int { state.withLock { $0.segments.count } }

    /// Bytes of the index's files on disk.
    public var storeSizeBytes: Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.reduce(0) { sum, f in
            sum + ((try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(f)")[.size] as? Int) ?? 0)
        }
    }

    /// The searchable point-in-time view.
    public func snapshot() -> IndexSnapshot {
        state.withLock { s in
            IndexSnapshot(indexName: name, indexUUID: uuid, segments: s.published, mapping: s.mapping,
                          numberOfShards: s.settings.int("index.number_of_shards", default: 1))
        }
    }

    /// `_source` bytes waiting in the indexing buffer.
    public var bufferedBytes: Int { state.withLock { $0.bufferBytes } }

    /// Writes the indexing buffer out as an unpublished segment (memory pressure).
    public func flushBuffer() async throws(OpenSearchError) {
        let r: Result<Void, OpenSearchError> = await withCheckedContinuation { cont in
            writeQueue.async {
                do throws(OpenSearchError) { try self.flushBufferOnQueue(publish: false); cont.resume(returning: .success(())) } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        try r.get()
    }

    /// Whether writes or deletions wait for a refresh.
    public var hasPendingChanges: Bool { state.withLock { IndexService.unpublished($0) } }

    static func unpublished(_ s: IndexState) -> Bool {
        !s.buffer.isEmpty || !s.pendingDeletes.isEmpty
            || s.published.map { [$0.number, $0.liveGeneration] } != s.segments.map { [$0.number, $0.liveGeneration] }
    }

    func markClosed() { state.withLock { $0.closed = true } }

    /// With several (logical) shards a document is only found with the routing it was written
    /// with; a single shard holds everything whatever the routing.
    static func otherShard(_ d: StoredDocument, _ routing: String?, _ settings: IndexSettings) -> Bool {
        settings.int("index.number_of_shards", default: 1) > 1 && d.routing != routing
    }

    /// The current version of `id`: write buffer first, then segments newest first, then remembered deletions.
    static func locate(_ id: String, in s: IndexState) -> DocumentLocation? {
        if let b = s.buffer[id] { return .buffered(b.doc) }
        for v in s.segments.reversed() {
            if let d = v.segment.docID(for: id), v.isLive(d) { return .segment(v, d) }
        }
        if let t = s.tombstones[id] { return .buffered(t) }
        return nil
    }

    /// The realtime view of a document, or nil when it does not exist (or was deleted), or when
    /// `routing` would send the request to another shard than the document's.
    public func get(_ id: String, routing: String? = nil) -> StoredDocument? {
        let (loc, settings) = state.withLock { (IndexService.locate(id, in: $0), $0.settings) }
        guard let loc else { return nil }
        let meta = loc.metadata
        if meta.deleted || IndexService.otherShard(meta, routing, settings) { return nil }
        return loc.document
    }

    /// The document as the last refresh published it (`realtime=false`): segments only.
    public func getRefreshed(_ id: String, routing: String? = nil) -> StoredDocument? {
        let (views, settings) = state.withLock { ($0.published, $0.settings) }
        for v in views.reversed() {
            guard let d = v.segment.docID(for: id), v.isLive(d) else { continue }
            let loc = DocumentLocation.segment(v, d)
            if IndexService.otherShard(loc.metadata, routing, settings) { return nil }
            return loc.document
        }
        return nil
    }

    /// `get` honouring the `realtime` flag.
    public func get(_ id: String, routing: String?, realtime: Bool) -> StoredDocument? {
        realtime ? get(id, routing: routing) : getRefreshed(id, routing: routing)
    }

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

    /// Applies a batch of writes: checks, maps and versions every operation, appends the batch to
    /// the translog in one durable transaction, then adds it to the write buffer. Items fail one by one.
    public func write(_ ops: [WriteOperation]) async -> [Result<WriteResult, OpenSearchError>] {
        if let block = writeBlock { return ops.map { _ in .failure(block) } }
        let started = DispatchTime.now().uptimeNanoseconds
        let preparsed = preparse(ops)
        let results = await withCheckedContinuation { cont in
            writeQueue.async {
                cont.resume(returning: self.applyBatch(ops, preparsed: preparsed))
            }
        }
        IndexingSlowLog.record(index: name, settings: settings, ops: ops, tookNanos: DispatchTime.now().uptimeNanoseconds - started)
        var indexed = 0, deleted = 0
        for (op, r) in zip(ops, results) {
            guard case .success = r else { continue }
            if case .delete = op { deleted += 1 } else { indexed += 1 }
        }
        indexedCount.add(indexed, ordering: .relaxed)
        deletedCount.add(deleted, ordering: .relaxed)
        if indexed > 0 { Counter(label: "searchlight_docs_indexed_total", dimensions: [("index", name)]).increment(by: indexed) }
        if deleted > 0 { Counter(label: "searchlight_docs_deleted_total", dimensions: [("index", name)]).increment(by: deleted) }
        return results
    }

    /// Why the index is red (nil when it opened cleanly); see `IndexState.unavailable`.
    public var unavailableReason: OpenSearchError? { state.withLock { $0.unavailable } }

    /// `green`, `yellow` (replicas configured, never assigned on one node) or `red` (could not be
    /// opened: reads and writes fail until `searchlight repair`).
    public var health: String {
        if unavailableReason != nil { return "red" }
        return settings.numberOfReplicas > 0 ? "yellow" : "green"
    }

    /// Marks the index red with the start-up failure `cause`.
    func markUnavailable(_ cause: OpenSearchError) {
        state.withLock { s in
            s.unavailable = cause
            s.segments = []
            s.published = []
            s.buffer = [:]
            s.pendingDeletes = [:]
        }
    }

    /// What a read of a red index answers: OpenSearch's error for a shard with no active copy,
    /// caused by the corruption found at start-up.
    func unavailableForRead(_ cause: OpenSearchError) -> OpenSearchError {
        OpenSearchError("no_shard_available_action_exception",
                        "[\(name)][0] primary shard is not active (index is red): \(cause.reason); run `searchlight repair --index \(name)` with the server stopped",
                        status: 503, metadata: JSONObject([("index", .string(name)), ("index_uuid", .string(uuid)), ("shard", "0")]),
                        causedBy: cause)
    }

    /// What a write to a red index answers.
    func unavailableForWrite(_ cause: OpenSearchError) -> OpenSearchError {
        OpenSearchError("unavailable_shards_exception",
                        "[\(name)][0] primary shard is not active (index is red): \(cause.reason); run `searchlight repair --index \(name)` with the server stopped",
                        status: 503, metadata: JSONObject([("index", .string(name)), ("index_uuid", .string(uuid)), ("shard", "0")]),
                        causedBy: cause)
    }

    /// The error a search or get meets: the index is red, or `index.blocks.read` is set
    /// (`cluster_block_exception`).
    public var readBlock: OpenSearchError? {
        if let cause = unavailableReason { return unavailableForRead(cause) }
        guard settings.bool("index.blocks.read") else { return nil }
        return OpenSearchError("cluster_block_exception", "index [\(name)] blocked by: [FORBIDDEN/7/index read (api)];", status: 403)
    }

    /// The `cluster_block_exception` a settings or mapping change meets on a read-only index
    /// (only the `index.blocks.*` settings themselves may still change).
    public var metadataBlock: OpenSearchError? {
        let s = settings
        if s.bool("index.blocks.read_only") {
            return OpenSearchError("cluster_block_exception", "index [\(name)] blocked by: [FORBIDDEN/5/index read-only (api)];", status: 403)
        }
        if s.bool("index.blocks.read_only_allow_delete") {
            return OpenSearchError("cluster_block_exception", "index [\(name)] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];", status: 429)
        }
        return nil
    }

    /// The `cluster_block_exception` a write meets when `index.blocks.*` forbids writing; the
    /// status is the highest of the blocks', as OpenSearch reports it.
    public var writeBlock: OpenSearchError? {
        if let cause = unavailableReason { return unavailableForWrite(cause) }
        let s = settings
        var blocks: [String] = []
        var status = 403
        if s.bool("index.blocks.read_only") { blocks.append("FORBIDDEN/5/index read-only (api)") }
        if s.bool("index.blocks.read_only_allow_delete") {
            blocks.append("TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block")
            status = 429
        }
        if s.bool("index.blocks.write") { blocks.append("FORBIDDEN/8/index write (api)") }
        guard !blocks.isEmpty else { return nil }
        return OpenSearchError("cluster_block_exception", "index [\(name)] blocked by: [\(blocks.joined(separator: ", "))];", status: status)
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

    func missing(_ id: String) -> OpenSearchError {
        OpenSearchError("document_missing_exception", "[\(id)]: document missing", status: 404,
                        metadata: JSONObject([("index", .string(name)), ("shard", "0"), ("index_uuid", .string(uuid))]))
    }

    func routingMissing(_ id: String) -> OpenSearchError {
        OpenSearchError("routing_missing_exception", "routing is required for [\(name)]/[\(id)]", status: 400,
                        metadata: JSONObject([("index", .string(name))]))
    }

    /// Documents of index operations mapped with the current mapping before the batch reaches
    /// the write queue, so that this work runs beside other batches instead of in the queue.
    struct Preparsed: Sendable {
        var mapping: Mapping
        var totalFieldsLimit: Int
        var depthLimit: Int
        /// Per operation: the mapped fields, when mapping needed no dynamic update (else nil).
        var fields: [[(path: String, value: FieldValue)]?]
    }

    func preparse(_ ops: [WriteOperation]) -> Preparsed? {
        guard ops.count >= 16 else { return nil }
        let (mapping, settings) = state.withLock { ($0.mapping, $0.settings) }
        let limit = settings.totalFieldsLimit
        let depthLimit = settings.int("index.mapping.depth.limit", default: 20)
        var fields: [[(path: String, value: FieldValue)]?] = []
        fields.reserveCapacity(ops.count)
        var any = false
        for op in ops {
            guard case .index(let id, let source, _, _, _) = op,
                  let parsed = try? DocumentParser.parse(source, mapping: mapping, id: id, totalFieldsLimit: limit, depthLimit: depthLimit),
                  parsed.updatedMapping == nil else {
                fields.append(nil)
                continue
            }
            fields.append(parsed.fields)
            any = true
        }
        return any ? Preparsed(mapping: mapping, totalFieldsLimit: limit, depthLimit: depthLimit, fields: fields) : nil
    }

    func applyBatch(_ ops: [WriteOperation], preparsed: Preparsed? = nil) -> [Result<WriteResult, OpenSearchError>] {
        var (mapping, settings, seq, closed, unavailable) = state.withLock { ($0.mapping, $0.settings, $0.maxSeqNo, $0.closed, $0.unavailable) }
        if closed { return ops.map { _ in .failure(.indexNotFound(name)) } }
        if let unavailable { return ops.map { _ in .failure(unavailableForWrite(unavailable)) } }
        if settings.bool("index.blocks.write") || settings.bool("index.blocks.read_only") || settings.bool("index.blocks.read_only_allow_delete") {
            let which = settings.bool("index.blocks.read_only") ? "FORBIDDEN/5/index read-only (api)" : "FORBIDDEN/8/index write (api)"
            let e = OpenSearchError("cluster_block_exception", "index [\(name)] blocked by: [\(which)];", status: 403)
            return ops.map { _ in .failure(e) }
        }
        var overlay: [String: BufferedDocument] = [:]
        /// Sources this batch wrote, already parsed: a run of updates to one document (a session
        /// summary upserted per event) parses it once.
        var parsedSources: [String: JSONObject] = [:]
        var superseded: [(Int, Int32)] = []
        var entries: [TranslogEntry] = []
        entries.reserveCapacity(ops.count)
        var results: [Result<WriteResult, OpenSearchError>] = []
        results.reserveCapacity(ops.count)
        var mappingChanged = false
        let shardsTotal = 1 + settings.numberOfReplicas
        let limit = settings.totalFieldsLimit
        let depthLimit = settings.int("index.mapping.depth.limit", default: 20)
        let routingRequired = mapping.extras["_routing"]?["required"]?.dynamicText == "true"

        /// The current location of `id` as this batch sees it (its own earlier writes included).
        func locate(_ id: String) -> DocumentLocation? {
            if let d = overlay[id] { return .buffered(d.doc) }
            return state.withLock { IndexService.locate(id, in: $0) }
        }

        /// Like `locate`, but a document on another (logical) shard than `routing` is absent.
        func current(_ id: String, _ routing: String?) -> (StoredDocument?, DocumentLocation?) {
            guard let loc = locate(id) else { return (nil, nil) }
            let d = loc.metadata
            if !d.deleted, IndexService.otherShard(d, routing, settings) { return (nil, nil) }
            return (d, loc)
        }

        func supersede(_ loc: DocumentLocation?) {
            if case .segment(let v, let doc)? = loc { superseded.append((v.number, doc)) }
        }

        let batchMapping = mapping
        // The pre-mapped fields hold only while the mapping and limits are those they were made with.
        let usable = preparsed.flatMap { $0.mapping == batchMapping && $0.totalFieldsLimit == limit && $0.depthLimit == depthLimit ? $0 : nil }
        func indexDocument(id: String, source: JSONValue, raw: [UInt8], version: Int64, created: Bool, routing: String?,
                           replacing loc: DocumentLocation?, preparsedAt op: Int? = nil) throws(OpenSearchError) -> WriteResult {
            if routingRequired && routing == nil { throw routingMissing(id) }
            var parsed = ParsedDocument()
            if !mappingChanged, let op, let fields = usable?.fields[op] {
                parsed.fields = fields
            } else {
                parsed = try DocumentParser.parse(source, mapping: mapping, id: id, totalFieldsLimit: limit, depthLimit: depthLimit)
            }
            if let m = parsed.updatedMapping { mapping = m; mappingChanged = true }
            seq += 1
            let doc = StoredDocument(source: raw, seqNo: seq, version: version, primaryTerm: Self.primaryTerm, routing: routing)
            overlay[id] = BufferedDocument(doc: doc, fields: parsed.fields)
            if case .object(let o) = source { parsedSources[id] = o } else { parsedSources[id] = nil }
            supersede(loc)
            entries.append(TranslogEntry(indexUUID: uuid, op: .index, id: id, seqNo: seq, version: version, primaryTerm: Self.primaryTerm, source: raw, routing: routing))
            return WriteResult(index: name, id: id, version: version, seqNo: seq, primaryTerm: Self.primaryTerm,
                               result: created ? .created : .updated, shardsTotal: shardsTotal)
        }

        for (opIndex, op) in ops.enumerated() {
            do throws(OpenSearchError) {
                switch op {
                case .index(let givenId, let source, let raw, let create, let cond):
                    let id = givenId ?? DocumentID.generate()
                    let (cur, loc) = givenId == nil ? (nil, nil) : current(id, cond.routing)
                    let live = cur.flatMap { $0.deleted ? nil : $0 }
                    if create, let live {
                        throw conflict(id, "document already exists (current version [\(live.version)])")
                    }
                    try check(cond, id: id, current: cur)
                    results.append(.success(try indexDocument(id: id, source: source, raw: raw, version: nextVersion(cond, current: cur),
                                                              created: live == nil, routing: cond.routing, replacing: loc, preparsedAt: opIndex)))
                case .delete(let id, let cond):
                    if routingRequired && cond.routing == nil { throw routingMissing(id) }
                    if let loc = locate(id), !loc.metadata.deleted, IndexService.otherShard(loc.metadata, cond.routing, settings) {
                        // The routing points at a shard that does not hold the document: nothing to delete there.
                        results.append(.success(WriteResult(index: name, id: id, version: 1, seqNo: seq, primaryTerm: Self.primaryTerm,
                                                            result: .notFound, shardsTotal: shardsTotal)))
                        continue
                    }
                    let (cur, loc) = current(id, cond.routing)
                    let live = cur.flatMap { $0.deleted ? nil : $0 }
                    try check(cond, id: id, current: cur)
                    let version = nextVersion(cond, current: cur)
                    seq += 1
                    overlay[id] = BufferedDocument(doc: StoredDocument(source: [], seqNo: seq, version: version, primaryTerm: Self.primaryTerm, deleted: true),
                                                   fields: [])
                    parsedSources[id] = nil
                    supersede(loc)
                    entries.append(TranslogEntry(indexUUID: uuid, op: .delete, id: id, seqNo: seq, version: version, primaryTerm: Self.primaryTerm, source: []))
                    results.append(.success(WriteResult(index: name, id: id, version: version, seqNo: seq, primaryTerm: Self.primaryTerm,
                                                        result: live == nil ? .notFound : .deleted, shardsTotal: shardsTotal)))
                case .update(let id, let req):
                    let (cur, loc) = current(id, req.conditions.routing)
                    if req.conditions.ifSeqNo != nil, cur.map({ $0.deleted }) ?? true, !req.docAsUpsert, req.upsert == nil {
                        throw missing(id)
                    }
                    try check(req.conditions, id: id, current: cur)
                    guard let liveMeta = cur.flatMap({ $0.deleted ? nil : $0 }), let loc else {
                        guard var upsert = req.docAsUpsert ? req.doc : req.upsert else { throw missing(id) }
                        if req.script != nil && req.scriptedUpsert {
                            let out = try req.runScript(source: upsert, upsert: true, index: name, id: id, version: -1,
                                                        routing: req.conditions.routing)
                            if out.op == .none {
                                // Nothing existed and nothing is created: OpenSearch reports the unassigned markers.
                                results.append(.success(WriteResult(index: name, id: id, version: -1, seqNo: -2, primaryTerm: 0,
                                                                    result: .noop, shardsTotal: shardsTotal)))
                                continue
                            }
                            upsert = out.source
                        }
                        let raw = JSONWriter.serialize(.object(upsert))
                        var r = try indexDocument(id: id, source: .object(upsert), raw: raw, version: (cur?.version ?? 0) + 1, created: true,
                                                  routing: req.conditions.routing, replacing: loc)
                        if let f = req.sourceFilter { r.source = f.apply(raw) }
                        results.append(.success(r))
                        continue
                    }
                    let live = loc.document
                    let existing: JSONObject
                    if let cached = parsedSources[id] {
                        existing = cached
                    } else {
                        guard case .object(let o)? = try? JSONParser.parse(live.source) else {
                            throw OpenSearchError.mapperParsing("failed to parse existing document [\(id)]")
                        }
                        existing = o
                    }
                    var merged: JSONObject
                    if req.script != nil {
                        let out = try req.runScript(source: existing, upsert: false, index: name, id: id, version: liveMeta.version,
                                                    routing: liveMeta.routing)
                        switch out.op {
                        case .index:
                            merged = out.source
                        case .delete:
                            let version = liveMeta.version + 1
                            seq += 1
                            overlay[id] = BufferedDocument(doc: StoredDocument(source: [], seqNo: seq, version: version, primaryTerm: Self.primaryTerm,
                                                                               deleted: true), fields: [])
                            parsedSources[id] = nil
                            supersede(loc)
                            entries.append(TranslogEntry(indexUUID: uuid, op: .delete, id: id, seqNo: seq, version: version,
                                                         primaryTerm: Self.primaryTerm, source: []))
                            results.append(.success(WriteResult(index: name, id: id, version: version, seqNo: seq, primaryTerm: Self.primaryTerm,
                                                                result: .deleted, shardsTotal: shardsTotal)))
                            continue
                        case .none, .create:
                            var r = WriteResult(index: name, id: id, version: liveMeta.version, seqNo: liveMeta.seqNo, primaryTerm: liveMeta.primaryTerm,
                                                result: .noop, shardsTotal: shardsTotal)
                            if let f = req.sourceFilter { r.source = f.apply(live.source) }
                            results.append(.success(r))
                            continue
                        }
                    } else {
                        merged = IndexService.merge(existing, req.doc ?? JSONObject())
                    }
                    if req.script == nil && req.detectNoop && merged == existing {
                        var r = WriteResult(index: name, id: id, version: liveMeta.version, seqNo: liveMeta.seqNo, primaryTerm: liveMeta.primaryTerm,
                                            result: .noop, shardsTotal: shardsTotal)
                        if let f = req.sourceFilter { r.source = f.apply(live.source) }
                        results.append(.success(r))
                        continue
                    }
                    let raw = JSONWriter.serialize(.object(merged))
                    var r = try indexDocument(id: id, source: .object(merged), raw: raw, version: liveMeta.version + 1, created: false,
                                              routing: req.conditions.routing ?? liveMeta.routing, replacing: loc)
                    if let f = req.sourceFilter { r.source = f.apply(raw) }
                    results.append(.success(r))
                }
            } catch {
                results.append(.failure(error))
            }
        }
        guard !entries.isEmpty else { return results }
        let rowID: Int64
        do {
            rowID = try catalog.append(entries, mappingUpdate: mappingChanged ? (uuid, JSONWriter.string(mapping.json)) : nil)
        } catch {
            // Nothing was published: every item of the batch fails, none is half-applied.
            // A full or read-only disk leads the reason, so the operator sees what to fix; the node
            // keeps serving reads, and writes succeed again once the disk has room.
            let reason = error.condition.map { "failed to write to the translog: \($0) (\(error))" } ?? "failed to write to the translog: \(error)"
            let e = OpenSearchError("translog_exception", reason, status: 500)
            return results.map { r in if case .success = r { return .failure(e) }; return r }
        }
        let finalMapping = mapping
        let finalSeq = seq
        let bufferFull: Bool = state.withLock { s in
            for (id, d) in overlay {
                s.bufferBytes += d.doc.source.count - (s.buffer[id]?.doc.source.count ?? 0)
                s.buffer[id] = d
            }
            for (n, doc) in superseded { s.pendingDeletes[n, default: []].append(doc) }
            s.maxSeqNo = finalSeq
            s.translogRowID = rowID
            if mappingChanged { s.mapping = finalMapping }
            return s.buffer.count >= bufferDocLimit || s.bufferBytes >= IndexService.bufferByteLimit
        }
        if bufferFull {
            // Bound memory: write the buffer out now; it becomes searchable at the next refresh.
            do { try flushBufferOnQueue(publish: false) } catch {
                // The writes are durable in the translog; the next refresh retries the flush.
            }
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
