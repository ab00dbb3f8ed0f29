import Dispatch
import Foundation
import Index
import JSON
import Storage

extension IndexService {
    func segmentPath(_ number: Int) -> String { "\(directory)/seg_\(number).seg" }
    func livePath(_ number: Int, _ generation: Int) -> String { "\(directory)/seg_\(number)_\(generation).liv" }

    /// Makes every acknowledged write searchable: writes the buffer as a segment, applies pending
    /// deletions, commits, and publishes the new snapshot. Runs on the write queue.
    public func refresh() async throws(OpenSearchError) {
        let r: Result<Void, OpenSearchError> = await withCheckedContinuation { cont in
            writeQueue.async {
                do throws(OpenSearchError) { try self.refreshOnQueue(); cont.resume(returning: .success(())) } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        try r.get()
    }

    /// Merges down to `maxSegments` segments (after a refresh).
    public func forceMerge(maxSegments: Int) async throws(OpenSearchError) {
        let r: Result<Void, OpenSearchError> = await withCheckedContinuation { cont in
            writeQueue.async {
                do throws(OpenSearchError) {
                    try self.refreshOnQueue()
                    let views = self.state.withLock { $0.segments }
                    if views.count > maxSegments || (maxSegments == 1 && views.contains { $0.liveDocs != nil }) {
                        // Merge the smallest segments into one until at most `maxSegments` remain.
                        let chosen = views.sorted { $0.liveCount < $1.liveCount }.prefix(max(views.count - maxSegments + 1, views.count == 1 ? 1 : 2))
                        try self.merge(Set(chosen.map(\.number)))
                    }
                    cont.resume(returning: .success(()))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        try r.get()
    }

    func storageFailure(_ what: String, _ error: any Error) -> OpenSearchError {
        OpenSearchError("exception", "[\(name)] \(what) failed: \(error)", status: 500)
    }

    func ensureDirectory() throws(OpenSearchError) {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw storageFailure("creating \(directory)", error)
        }
    }

    func refreshOnQueue() throws(OpenSearchError) {
        let (buffer, pending, segments, nextNumber, maxSeqNo, rowID) = state.withLock {
            ($0.buffer, $0.pendingDeletes, $0.segments, $0.nextSegmentNumber, $0.maxSeqNo, $0.translogRowID)
        }
        state.withLock { $0.lastRefreshNanos = DispatchTime.now().uptimeNanoseconds }
        if buffer.isEmpty && pending.isEmpty { return }
        try ensureDirectory()
        var views = segments
        var next = nextNumber
        var obsolete: [String] = []
        let live = buffer.filter { !$0.value.doc.deleted }.sorted { $0.value.doc.seqNo < $1.value.doc.seqNo }
        if !live.isEmpty {
            let number = next
            next += 1
            let docs = live.map { id, b in
                SegmentDocument(id: id, source: b.doc.source, seqNo: b.doc.seqNo, version: b.doc.version, primaryTerm: b.doc.primaryTerm,
                                routing: b.doc.routing, fields: b.fields)
            }
            do {
                try SegmentWriter.write(docs, to: segmentPath(number))
                let segment = try Segment(path: segmentPath(number))
                views.append(SegmentView(number: number, segment: segment, liveDocs: nil, liveGeneration: 0))
            } catch {
                try? FileManager.default.removeItem(atPath: segmentPath(number))
                throw storageFailure("writing segment \(number)", error)
            }
        }
        for (number, docs) in pending {
            guard let i = views.firstIndex(where: { $0.number == number }) else { continue }
            let v = views[i]
            var liveDocs = v.liveDocs ?? LiveDocs(allLive: v.segment.docCount)
            liveDocs.delete(docs)
            if v.liveGeneration > 0 { obsolete.append(livePath(number, v.liveGeneration)) }
            if liveDocs.liveCount == 0 {
                views.remove(at: i)
                obsolete.append(segmentPath(number))
                continue
            }
            let generation = v.liveGeneration + 1
            do { try liveDocs.write(to: livePath(number, generation)) } catch { throw storageFailure("writing live docs", error) }
            views[i] = SegmentView(number: number, segment: v.segment, liveDocs: liveDocs, liveGeneration: generation)
        }
        try commit(views, next: next, maxSeqNo: maxSeqNo, trimThrough: rowID)
        state.withLock { s in
            s.segments = views
            s.nextSegmentNumber = next
            for (id, b) in buffer {
                if b.doc.deleted { s.tombstones[id] = b.doc } else { s.tombstones[id] = nil }
            }
            s.buffer = [:]
            s.pendingDeletes = [:]
        }
        removeFiles(obsolete)
        try maybeMerge()
    }

    func commit(_ views: [SegmentView], next: Int, maxSeqNo: Int64, trimThrough rowID: Int64) throws(OpenSearchError) {
        let point = CommitPoint(segments: views.map { .init(number: $0.number, liveGeneration: $0.liveGeneration) },
                                maxSeqNo: maxSeqNo, nextSegmentNumber: next)
        do { try catalog.commit(uuid: uuid, point, trimTranslogThrough: rowID) } catch { throw storageFailure("commit", error) }
    }

    func removeFiles(_ paths: [String]) {
        // Searchers holding an older snapshot keep their mappings: unlinking does not unmap.
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
    }

    /// Tiered merging, simplest form: more than 10 segments → merge the 10 smallest; a segment
    /// with more than 20 % deleted documents is rewritten.
    func maybeMerge() throws(OpenSearchError) {
        let views = state.withLock { $0.segments }
        if views.count > 10 {
            try merge(Set(views.sorted { $0.liveCount < $1.liveCount }.prefix(10).map(\.number)))
        } else if let v = views.first(where: { $0.segment.docCount >= 1000 && $0.liveCount * 5 < $0.segment.docCount * 4 }) {
            try merge([v.number])
        }
    }

    /// Rewrites the live documents of the chosen segments into one new segment. Runs on the write
    /// queue right after a refresh, so no write or deletion is pending against them.
    func merge(_ numbers: Set<Int>) throws(OpenSearchError) {
        let (views, mapping, next, maxSeqNo, rowID, settings) = state.withLock {
            ($0.segments, $0.mapping, $0.nextSegmentNumber, $0.maxSeqNo, $0.translogRowID, $0.settings)
        }
        let chosen = views.filter { numbers.contains($0.number) }
        guard !chosen.isEmpty else { return }
        var docs: [SegmentDocument] = []
        docs.reserveCapacity(chosen.reduce(0) { $0 + $1.liveCount })
        let limit = Int.max
        let depth = settings.int("index.mapping.depth.limit", default: 20)
        for v in chosen {
            let seg = v.segment
            for d in 0..<Int32(seg.docCount) where v.isLive(d) {
                let source = seg.source(of: d)
                let id = seg.id(of: d)
                let fields = (try? JSONParser.parse(source)).flatMap { try? DocumentParser.parse($0, mapping: mapping, id: id, totalFieldsLimit: limit, depthLimit: depth) }?.fields ?? []
                docs.append(SegmentDocument(id: id, source: source, seqNo: seg.seqNo(of: d), version: seg.version(of: d),
                                            primaryTerm: seg.primaryTerm(of: d), routing: seg.routing(of: d), fields: fields))
            }
        }
        docs.sort { $0.seqNo < $1.seqNo }
        var newViews = views.filter { !numbers.contains($0.number) }
        var nextNumber = next
        if !docs.isEmpty {
            let number = nextNumber
            nextNumber += 1
            do {
                try SegmentWriter.write(docs, to: segmentPath(number))
                let segment = try Segment(path: segmentPath(number))
                // An id is live in at most one segment, so the merged one can simply go last.
                newViews.append(SegmentView(number: number, segment: segment, liveDocs: nil, liveGeneration: 0))
            } catch {
                try? FileManager.default.removeItem(atPath: segmentPath(number))
                throw storageFailure("merging segments", error)
            }
        }
        try commit(newViews, next: nextNumber, maxSeqNo: maxSeqNo, trimThrough: rowID)
        state.withLock { s in
            s.segments = newViews
            s.nextSegmentNumber = nextNumber
        }
        var obsolete: [String] = []
        for v in chosen {
            obsolete.append(segmentPath(v.number))
            if v.liveGeneration > 0 { obsolete.append(livePath(v.number, v.liveGeneration)) }
        }
        removeFiles(obsolete)
    }

    /// Opens the committed segments and replays the translog tail; then commits what was replayed.
    func recover() throws(OpenSearchError) {
        try ensureDirectory()
        let point: CommitPoint
        do { point = try catalog.commitPoint(uuid: uuid) ?? CommitPoint() } catch { throw storageFailure("reading the commit point", error) }
        var views: [SegmentView] = []
        for e in point.segments {
            do {
                let segment = try Segment(path: segmentPath(e.number))
                let live = e.liveGeneration > 0 ? try LiveDocs.read(from: livePath(e.number, e.liveGeneration)) : nil
                views.append(SegmentView(number: e.number, segment: segment, liveDocs: live, liveGeneration: e.liveGeneration))
            } catch {
                throw OpenSearchError("corrupt_index_exception", "[\(name)] segment \(e.number) cannot be opened: \(error)", status: 500)
            }
        }
        state.withLock { s in
            s.segments = views
            s.maxSeqNo = point.maxSeqNo
            s.nextSegmentNumber = point.nextSegmentNumber
        }
        // Remove files no commit references (a crash between writing and committing leaves them).
        let referenced = Set(point.segments.flatMap { e in
            [segmentPath(e.number)] + (e.liveGeneration > 0 ? [livePath(e.number, e.liveGeneration)] : [])
        })
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        removeFiles(files.map { "\(directory)/\($0)" }.filter { !referenced.contains($0) })

        var replayed = 0
        var failure: (any Error)? = nil
        do {
            try catalog.replay(uuid: uuid) { e, rowID in
                replay(e, rowID: rowID)
                replayed += 1
            }
        } catch { failure = error }
        if let failure { throw storageFailure("replaying the translog", failure) }
        if replayed > 0 { try refreshOnQueue() }
    }

    /// Re-applies one translog entry to the write buffer, exactly as it was first applied.
    func replay(_ e: TranslogEntry, rowID: Int64) {
        state.withLock { s in
            if case .segment(let v, let doc)? = IndexService.locate(e.id, in: s) {
                s.pendingDeletes[v.number, default: []].append(doc)
            }
            switch e.op {
            case .index:
                var fields: [(path: String, value: FieldValue)] = []
                if let source = try? JSONParser.parse(e.source),
                   let parsed = try? DocumentParser.parse(source, mapping: s.mapping, id: e.id, totalFieldsLimit: Int.max, depthLimit: Int.max) {
                    fields = parsed.fields
                    if let m = parsed.updatedMapping { s.mapping = m }
                }
                s.buffer[e.id] = BufferedDocument(doc: StoredDocument(source: e.source, seqNo: e.seqNo, version: e.version,
                                                                      primaryTerm: e.primaryTerm, routing: e.routing), fields: fields)
            case .delete:
                s.buffer[e.id] = BufferedDocument(doc: StoredDocument(source: [], seqNo: e.seqNo, version: e.version,
                                                                      primaryTerm: e.primaryTerm, deleted: true), fields: [])
            }
            s.maxSeqNo = max(s.maxSeqNo, e.seqNo)
            s.translogRowID = max(s.translogRowID, rowID)
        }
    }

    /// Removes the index's files (after the catalog forgot it).
    func removeDirectory() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether the refresh interval has elapsed with changes waiting.
    func refreshDue(now: UInt64) -> Bool {
        state.withLock { s in
            guard !s.closed, !s.buffer.isEmpty || !s.pendingDeletes.isEmpty else { return false }
            let interval = s.settings["index.refresh_interval"] ?? "1s"
            guard interval != "-1", let ms = TimeValue.parseMillis(interval), ms >= 0 else { return false }
            return now &- s.lastRefreshNanos >= UInt64(ms) * 1_000_000
        }
    }
}
