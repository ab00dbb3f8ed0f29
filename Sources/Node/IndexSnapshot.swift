import Index
import Query

/// One segment as a searcher sees it: the immutable file plus the live-docs generation that was
/// current when the snapshot was taken.
public struct SegmentView: Sendable {
    public let number: Int
    public let segment: Segment
    /// nil when every document is live.
    public let liveDocs: LiveDocs?
    public let liveGeneration: Int

    public var liveCount: Int { liveDocs?.liveCount ?? segment.docCount }

    @inline(__always) public func isLive(_ doc: Int32) -> Bool { liveDocs?.isLive(doc) ?? true }
}

/// A point-in-time view of an index for searching: what the last refresh published. Writes made
/// after it are invisible to it (near-real-time search), and it never changes underneath a search.
public struct IndexSnapshot: Sendable {
    public let indexName: String
    public let indexUUID: String
    public let segments: [SegmentView]
    public let mapping: Mapping
    public let numberOfShards: Int
    /// The filter of the alias(es) the search reached this index through; ANDed with the query.
    public var aliasFilter: Query? = nil

    public var docCount: Int { segments.reduce(0) { $0 + $1.liveCount } }
}
