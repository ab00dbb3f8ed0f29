/// The latest state of one `_id` in an index: its raw `_source` and version metadata. A deleted
/// document stays as a tombstone so that re-creating it continues the version sequence.
public struct StoredDocument: Sendable {
    public var source: [UInt8]
    public var seqNo: Int64
    public var version: Int64
    public var primaryTerm: Int64
    public var deleted: Bool
    /// The custom routing value the document was written with, if any.
    public var routing: String?

    public init(source: [UInt8], seqNo: Int64, version: Int64, primaryTerm: Int64, deleted: Bool = false, routing: String? = nil) {
        self.routing = routing
        self.source = source
        self.seqNo = seqNo
        self.version = version
        self.primaryTerm = primaryTerm
        self.deleted = deleted
    }
}

/// Per-write parameters: how it checks the current version (optimistic concurrency) and the
/// routing value it carries.
public struct WriteParameters: Sendable, Equatable {
    public enum VersionType: String, Sendable { case `internal`, external, externalGte = "external_gte" }

    public var ifSeqNo: Int64?
    public var ifPrimaryTerm: Int64?
    public var version: Int64?
    public var versionType: VersionType = .internal
    public var routing: String?

    public init(ifSeqNo: Int64? = nil, ifPrimaryTerm: Int64? = nil, version: Int64? = nil, versionType: VersionType = .internal) {
        self.ifSeqNo = ifSeqNo
        self.ifPrimaryTerm = ifPrimaryTerm
        self.version = version
        self.versionType = versionType
    }
}
