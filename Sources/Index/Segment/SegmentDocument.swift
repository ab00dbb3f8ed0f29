/// One document as the segment writer stores it: identity and versioning metadata, the raw
/// `_source` bytes (stored verbatim, compressed), and the typed values `DocumentParser` produced.
public struct SegmentDocument: Sendable {
    public var id: String
    public var source: [UInt8]
    public var seqNo: Int64
    public var version: Int64
    public var primaryTerm: Int64
    public var routing: String?
    public var fields: [(path: String, value: FieldValue)]

    public init(id: String, source: [UInt8], seqNo: Int64, version: Int64 = 1, primaryTerm: Int64 = 1,
                routing: String? = nil, fields: [(path: String, value: FieldValue)] = []) {
        self.id = id
        self.source = source
        self.seqNo = seqNo
        self.version = version
        self.primaryTerm = primaryTerm
        self.routing = routing
        self.fields = fields
    }
}
