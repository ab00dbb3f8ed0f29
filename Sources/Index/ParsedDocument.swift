/// A value ready for indexing: already converted to its field type.
public enum FieldValue: Sendable, Equatable, Hashable {
    case keyword(String)
    case text(String)
    case long(Int64)
    case double(Double)
    case date(Int64)
    case bool(Bool)
    case ip(String)
}

/// The result of mapping one document: the typed values per field path, and the new mapping
/// if dynamic mapping added fields.
public struct ParsedDocument: Sendable {
    public var fields: [(path: String, value: FieldValue)] = []
    public var updatedMapping: Mapping?

    public init(fields: [(path: String, value: FieldValue)] = [], updatedMapping: Mapping? = nil) {
        self.fields = fields
        self.updatedMapping = updatedMapping
    }

    public func values(_ path: String) -> [FieldValue] {
        fields.compactMap { $0.path == path ? $0.value : nil }
    }
}
