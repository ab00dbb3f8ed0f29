/// How an index expression resolves: `ignore_unavailable`, `allow_no_indices`, `expand_wildcards`.
public struct IndicesOptions: Sendable {
    public var ignoreUnavailable = false
    public var allowNoIndices = true
    public var expandOpen = true
    /// `expand_wildcards=all|hidden`: wildcards also match hidden indices.
    public var expandHidden = false

    public init(ignoreUnavailable: Bool = false, allowNoIndices: Bool = true) {
        self.ignoreUnavailable = ignoreUnavailable
        self.allowNoIndices = allowNoIndices
    }

    /// Defaults of destructive operations (DELETE /index): wildcards must match something? No —
    /// OpenSearch lets them match nothing, but a concrete missing name is an error.
    public static let strict = IndicesOptions()
}
