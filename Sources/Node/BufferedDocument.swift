import Index

/// A write since the last refresh: the document (or its tombstone) and its mapped field values,
/// kept in memory until a refresh turns the buffer into a segment.
struct BufferedDocument: Sendable {
    var doc: StoredDocument
    var fields: [(path: String, value: FieldValue)]
}

/// Where the current version of an `_id` lives.
enum DocumentLocation: Sendable {
    /// In the write buffer (or a remembered deletion).
    case buffered(StoredDocument)
    /// In a published segment, live.
    case segment(SegmentView, Int32)

    /// Version metadata without reading `_source` (which may need decompression).
    var metadata: StoredDocument {
        switch self {
        case .buffered(let d): return d
        case .segment(let v, let doc):
            return StoredDocument(source: [], seqNo: v.segment.seqNo(of: doc), version: v.segment.version(of: doc),
                                  primaryTerm: v.segment.primaryTerm(of: doc), routing: v.segment.routing(of: doc))
        }
    }

    /// The full document, `_source` included.
    var document: StoredDocument {
        switch self {
        case .buffered(let d): return d
        case .segment(let v, let doc):
            var d = metadata
            d.source = v.segment.source(of: doc)
            return d
        }
    }
}
