import Dispatch
import Foundation
import Index
import JSON
import CoreMetrics
import Metrics
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

    /// Merges down to `maxSegments` segments (after a refresh) and waits for it.
    public func forceMerge(maxSegments: Int) async throws(OpenSearchError) {
        try await refresh()
        while true {
            let views = state.withLock { $0.segments }
            let needed = views.count > maxSegments || (maxSegments == 1 && views.count == 1 && views[0].liveDocs != nil)
            guard needed else { return }
            // Merge the smallest segments into one so that at most `maxSegments` remain.
            let take = views.count == 1 ? 1 : views.count - maxSegments + 1
            let chosen = Set(views.sorted { $0.liveCount < $1.liveCount }.prefix(take).map(\.number))
            if try await runMerge(chosen) == false { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// A full, read-only or failing disk leads the reason: that is what the operator must fix.
    func storageFailure(_ what: String, _ error: any Error) -> OpenSearchError {
        if let condition = (error as? StorageError)?.condition {
            return OpenSearchError("exception", "[\(name)] \(what) failed: \(condition) (\(error))", status: 500)
        }
        return OpenSearchError("exception", "[\(name)] \(what) failed: \(error)", status: 500)
    }

    func ensureDirectory() throws(OpenSearchError) {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw storageFailure("creating \(directory)", error)
        }
    }

    func refreshOnQueue() throws(OpenSearchError) {
        // Deleted while the request was on its way (its directory is gone): the index is not
        // found, not a storage failure.
        let closed = state.withLock { s in
            s.lastRefreshNanos = DispatchTime.now().uptimeNanoseconds
            return s.closed
        }
        if closed { throw OpenSearchError.indexNotFound(name) }
        try flushBufferOnQueue(publish: true)
    }

    /// Writes the buffer as a segment, applies pending deletions and commits; with `publish`,
    /// searchers then see the result (a refresh), otherwise it stays hidden until the next one.
    func flushBufferOnQueue(publish: Bool) throws(OpenSearchError) {
        let (buffer, pending, segments, nextNumber, maxSeqNo, rowID, bufferBytes) = state.withLock {
            ($0.buffer, $0.pendingDeletes, $0.segments, $0.nextSegmentNumber, $0.maxSeqNo, $0.translogRowID, $0.bufferBytes)
        }
        if buffer.isEmpty && pending.isEmpty {
            if publish { state.withLock { $0.published = $0.segments } }
            return
        }
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
            if publish { s.published = views }
            s.nextSegmentNumber = next
            for (id, b) in buffer {
                if b.doc.deleted { s.tombstones[id] = b.doc } else { s.tombstones[id] = nil }
            }
            s.buffer = [:]
            s.bufferBytes = 0
            s.pendingDeletes = [:]
        }
        removeFiles(obsolete)
        // The buffer's many small allocations are free now; hand the pages back to the system
        // instead of leaving them in malloc's arenas (a large buffer at once, small ones now and then).
        MemoryTrimmer.afterFlush(force: bufferBytes >= IndexService.bufferByteLimit / 2)
        maybeMerge()
    }

    func commit(_ views: [SegmentView], next: Int, maxSeqNo: Int64, trimThrough rowID: Int64) throws(OpenSearchError) {
        let point = CommitPoint(segments: views.map { .init(number: $0.number, liveGeneration: $0.liveGeneration) },
                                maxSeqNo: maxSeqNo, nextSegmentNumber: next)
        do { try catalog.commit(uuid: uuid, point, trimTranslogThrough: rowID) } catch { throw storageFailure("commit", error) }
    }

    func removeFiles(_ paths: [String]) {
        // A running snapshot still copies the files of its commit: removal waits for it.
        let now: [String] = state.withLock { s in
            if s.snapshotPins > 0 { s.deferredRemovals += paths; return [] }
            return paths
        }
        // Searchers holding an older snapshot keep their mappings: unlinking does not unmap.
        for p in now { try? FileManager.default.removeItem(atPath: p) }
    }

    /// Tiered merging, simplest form: more than 10 segments → merge the 10 smallest; a segment
    /// with more than 20 % deleted documents is rewritten. Runs in the background, one merge per
    /// index at a time; writes go on meanwhile.
    func maybeMerge() {
        let chosen = mergeCandidates()
        guard !chosen.isEmpty, let number = claimMerge() else { return }
        Task.detached { [self] in _ = try? await self.performMerge(chosen, into: number) }
    }

    /// The segments the merge policy wants merged now (empty: none).
    func mergeCandidates() -> Set<Int> {
        let views = state.withLock { $0.segments }
        if views.count > 10 {
            return Set(views.sorted { $0.liveCount < $1.liveCount }.prefix(10).map(\.number))
        }
        if let v = views.first(where: { $0.segment.docCount >= 1000 && $0.liveCount * 5 < $0.segment.docCount * 4 }) {
            return [v.number]
        }
        return []
    }

    /// Reserves the index's single merge slot and a segment number; nil when a merge is running.
    func claimMerge() -> Int? {
        state.withLock { s -> Int? in
            if s.merging || s.closed { return nil }
            s.merging = true
            let n = s.nextSegmentNumber
            s.nextSegmentNumber += 1
            return n
        }
    }

    /// Merges the chosen segments; false when another merge of this index is running.
    @discardableResult
    func runMerge(_ numbers: Set<Int>) async throws(OpenSearchError) -> Bool {
        guard let number = claimMerge() else { return false }
        try await performMerge(numbers, into: number)
        return true
    }

    /// Builds (merge queue) and commits (write queue) a claimed merge, then keeps merging while the
    /// policy asks for more, and finally releases the slot.
    func performMerge(_ numbers: Set<Int>, into number: Int) async throws(OpenSearchError) {
        var chosen = numbers
        var target = number
        while true {
            let (numbers, into) = (chosen, target)
            let started = DispatchTime.now().uptimeNanoseconds
            let result: Result<Void, OpenSearchError> = await withCheckedContinuation { cont in
                mergeQueue.async {
                    do throws(OpenSearchError) {
                        let built = try self.buildMerged(numbers, into: into)
                        self.writeQueue.async {
                            do throws(OpenSearchError) { try self.commitMerge(built); cont.resume(returning: .success(())) } catch {
                                cont.resume(returning: .failure(error))
                            }
                        }
                    } catch {
                        cont.resume(returning: .failure(error))
                    }
                }
            }
            if case .failure(let e) = result {
                state.withLock { $0.merging = false }
                throw e
            }
            Counter(label: "searchlight_merges_total", dimensions: [("index", name)]).increment()
            CoreMetrics.Timer(label: "searchlight_merge_duration_seconds").recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
            let next = mergeCandidates()
            let more: Int? = next.isEmpty ? nil : state.withLock { s in
                if s.closed { return nil }
                let n = s.nextSegmentNumber
                s.nextSegmentNumber += 1
                return n
            }
            guard let n = more else { break }
            chosen = next
            target = n
        }
        state.withLock { $0.merging = false }
    }

    /// Waits until no merge is running (tests, shutdown).
    public func waitForMerges() async {
        while state.withLock({ $0.merging }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// A merged segment written but not yet committed, with what it was built from.
    struct MergedSegment {
        let number: Int
        let sources: [SegmentView]
        let segment: Segment?
        /// (source segment number, source doc) → doc in the merged segment.
        let docMap: [Int: [Int32: Int32]]
    }

    /// Rewrites the live documents of the chosen segments into a new segment file (merge queue).
    func buildMerged(_ numbers: Set<Int>, into number: Int) throws(OpenSearchError) -> MergedSegment {
        let (views, mapping, settings, closed) = state.withLock { ($0.segments, $0.mapping, $0.settings, $0.closed) }
        if closed { return MergedSegment(number: number, sources: [], segment: nil, docMap: [:]) }
        let chosen = views.filter { numbers.contains($0.number) }
        var docs: [(SegmentDocument, Int, Int32)] = []
        docs.reserveCapacity(chosen.reduce(0) { $0 + $1.liveCount })
        let depth = settings.int("index.mapping.depth.limit", default: 20)
        for v in chosen {
            let seg = v.segment
            for d in 0..<Int32(seg.docCount) where v.isLive(d) {
                let source = seg.source(of: d)
                let id = seg.id(of: d)
                let fields = (try? JSONParser.parse(source)).flatMap {
                    try? DocumentParser.parse($0, mapping: mapping, id: id, totalFieldsLimit: Int.max, depthLimit: depth)
                }?.fields ?? []
                docs.append((SegmentDocument(id: id, source: source, seqNo: seg.seqNo(of: d), version: seg.version(of: d),
                                             primaryTerm: seg.primaryTerm(of: d), routing: seg.routing(of: d), fields: fields), v.number, d))
            }
        }
        docs.sort { $0.0.seqNo < $1.0.seqNo }
        var docMap: [Int: [Int32: Int32]] = [:]
        for (i, (_, n, d)) in docs.enumerated() { docMap[n, default: [:]][d] = Int32(i) }
        guard !docs.isEmpty else { return MergedSegment(number: number, sources: chosen, segment: nil, docMap: [:]) }
        try ensureDirectory()
        do {
            try SegmentWriter.write(docs.map(\.0), to: segmentPath(number))
            return MergedSegment(number: number, sources: chosen, segment: try Segment(path: segmentPath(number)), docMap: docMap)
        } catch {
            try? FileManager.default.removeItem(atPath: segmentPath(number))
            throw storageFailure("merging segments", error)
        }
    }

    /// Swaps a merged segment in (write queue): deletions that reached the source segments while
    /// the merge ran are carried over, then the new commit point is recorded.
    func commitMerge(_ m: MergedSegment) throws(OpenSearchError) {
        let (views, next, maxSeqNo, pending, closed) = state.withLock {
            ($0.segments, $0.nextSegmentNumber, $0.maxSeqNo, $0.pendingDeletes, $0.closed)
        }
        let sourceNumbers = Set(m.sources.map(\.number))
        guard !closed, m.sources.allSatisfy({ src in views.contains { $0.number == src.number } }) else {
            removeFiles([segmentPath(m.number)])
            return
        }
        var newViews = views.filter { !sourceNumbers.contains($0.number) }
        var remapped = pending.filter { !sourceNumbers.contains($0.key) }
        var obsolete: [String] = []
        if let segment = m.segment {
            var live = LiveDocs(allLive: segment.docCount)
            for src in m.sources {
                let current = views.first { $0.number == src.number }!
                let map = m.docMap[src.number] ?? [:]
                // Deleted since the merge started (published, or pending the next refresh).
                var dead: [Int32] = []
                for (old, new) in map where !current.isLive(old) { dead.append(new) }
                live.delete(dead)
                if let p = pending[src.number] { remapped[m.number, default: []] += p.compactMap { map[$0] } }
            }
            var view = SegmentView(number: m.number, segment: segment, liveDocs: nil, liveGeneration: 0)
            if live.liveCount < segment.docCount {
                do { try live.write(to: livePath(m.number, 1)) } catch { throw storageFailure("writing live docs", error) }
                view = SegmentView(number: m.number, segment: segment, liveDocs: live, liveGeneration: 1)
            }
            if live.liveCount > 0 { newViews.append(view) } else { obsolete.append(segmentPath(m.number)) }
        }
        // The translog is not trimmed here: rows past the last flush belong to documents still in
        // the write buffer, which no segment holds yet (trimming them lost acknowledged writes when
        // the process died between a merge and the next refresh; found by Scripts/reliability_crash.py).
        try commit(newViews, next: next, maxSeqNo: maxSeqNo, trimThrough: 0)
        state.withLock { s in
            // Searchers get the merged segment at once when nothing unpublished is pending.
            let nothingHidden = s.published.map { [$0.number, $0.liveGeneration] } == views.map { [$0.number, $0.liveGeneration] }
            s.segments = newViews
            if nothingHidden { s.published = newViews }
            s.pendingDeletes = remapped
        }
        for v in views where sourceNumbers.contains(v.number) {
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
            s.published = views
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
            guard !s.closed, IndexService.unpublished(s) else { return false }
            let interval = s.settings["index.refresh_interval"] ?? "1s"
            guard interval != "-1", let ms = TimeValue.parseMillis(interval), ms >= 0 else { return false }
            return now &- s.lastRefreshNanos >= UInt64(ms) * 1_000_000
        }
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("malloc_trim")
func glibcMallocTrim(_ pad: Int) -> Int32
#endif
