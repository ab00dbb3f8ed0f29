import Index
import JSON
import Query
import Synchronization

/// Every document matching a query, in index order (index by index, segment by segment, doc id
/// ascending), a batch at a time: what an unsorted export reads. Each segment's matches are
/// computed once, when the scan reaches it; a scroll in `_doc` order would re-run the query and
/// merge per-segment candidates for every page. The snapshots pin the segments, so the scan sees
/// one consistent point in time however long the client takes.
public final class DocumentScan: Sendable {
    /// One batch: per document its index, `_id` and `_source` bytes.
    public struct Batch: Sendable {
        public var indexNames: [String] = []
        public var ids: [String] = []
        /// The sources back to back; document i is `sources[starts[i]..<starts[i + 1]]`.
        public var sources: [UInt8] = []
        public var starts: [Int] = [0]

        public var count: Int { ids.count }

        public func source(_ i: Int) -> ArraySlice<UInt8> { sources[starts[i]..<starts[i + 1]] }
    }

    struct Position: Sendable {
        var snapshot = 0
        var segment = 0
        /// The current segment's matching live docs, nil until computed.
        var docs: DocSet? = nil
        /// Next word of `docs` to read, and the bits of the current word not yet read.
        var word = 0
        var bits: UInt64 = 0
        var done = false
    }

    let snapshots: [IndexSnapshot]
    let query: Query
    let postFilter: Query?
    let now: Int64
    let wantIDs: Bool
    let position = Mutex(Position())

    public init(snapshots: [IndexSnapshot], query: Query, postFilter: Query? = nil, now: Int64, ids: Bool = true) {
        self.snapshots = snapshots
        self.query = query
        self.postFilter = postFilter
        self.now = now
        self.wantIDs = ids
    }

    /// Up to `limit` more documents, or nil once every match was returned.
    public func next(limit: Int) throws(OpenSearchError) -> Batch? {
        var pos = position.withLock { $0 }
        if pos.done { return nil }
        var batch = Batch()
        batch.sources.reserveCapacity(limit * 256)
        while batch.count < limit {
            guard pos.snapshot < snapshots.count else { pos.done = true; break }
            let snap = snapshots[pos.snapshot]
            guard pos.segment < snap.segments.count else {
                pos.snapshot += 1; pos.segment = 0; pos.docs = nil
                continue
            }
            let view = snap.segments[pos.segment]
            if pos.docs == nil {
                pos.docs = try matches(view, snap)
                pos.word = 0
                pos.bits = 0
            }
            let words = pos.docs!.words
            let segment = view.segment
            while batch.count < limit {
                if pos.bits == 0 {
                    while pos.word < words.count && words[pos.word] == 0 { pos.word += 1 }
                    guard pos.word < words.count else { break }
                    pos.bits = words[pos.word]
                    pos.word += 1
                }
                let doc = Int32((pos.word - 1) << 6 | pos.bits.trailingZeroBitCount)
                pos.bits &= pos.bits &- 1
                batch.indexNames.append(snap.indexName)
                batch.ids.append(wantIDs ? segment.id(of: doc) : "")
                batch.sources.append(contentsOf: segment.source(of: doc))
                batch.starts.append(batch.sources.count)
            }
            if batch.count < limit {
                pos.segment += 1
                pos.docs = nil
            }
        }
        let final = pos
        position.withLock { $0 = final }
        return batch.count == 0 && final.done ? nil : batch
    }

    /// The live documents of one segment that match the query (alias filter and post_filter
    /// included).
    func matches(_ view: SegmentView, _ snap: IndexSnapshot) throws(OpenSearchError) -> DocSet {
        let stats = IndexStatistics(segments: snap.segments.map(\.segment))
        let searcher = SegmentSearcher(segment: view.segment, liveDocs: view.liveDocs, mapping: snap.mapping, stats: stats, now: now)
        let q = snap.aliasFilter.map { Query.bool(BoolQuery(must: [query], filter: [$0])) } ?? query
        var docs = try searcher.search(q, scoring: false).docs
        if let pf = postFilter { docs.formIntersection(try searcher.search(pf, scoring: false).docs) }
        return docs
    }
}
