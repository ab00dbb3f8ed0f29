import JSON

/// Everything the node knows besides the indices themselves: aliases, templates and lifecycle
/// policies. Held by the node behind one mutex and persisted in the catalog's `metadata` table.
public struct ClusterMetadata: Sendable {
    /// index name → alias name → alias.
    public var aliases: [String: [String: AliasMetadata]] = [:]
    /// Composable templates (`/_index_template`), stored as their normalised bodies.
    public var indexTemplates: [String: JSONValue] = [:]
    /// Component templates (`/_component_template`).
    public var componentTemplates: [String: JSONValue] = [:]
    /// Legacy templates (`/_template`).
    public var legacyTemplates: [String: JSONValue] = [:]
    /// Lifecycle policies by id (`/_plugins/_ism/policies`).
    public var policies: [String: StoredPolicy] = [:]
    /// index name → its managed lifecycle state.
    public var lifecycle: [String: ManagedIndexState] = [:]

    public init() {}

    /// Indices carrying `alias`, with the alias's definition on each.
    public func indices(withAlias alias: String) -> [(index: String, alias: AliasMetadata)] {
        aliases.compactMap { (index, a) in a[alias].map { (index, $0) } }.sorted { $0.index < $1.index }
    }

    public var aliasNames: Set<String> { Set(aliases.values.flatMap(\.keys)) }

    /// The alias JSON persisted for one index.
    static func aliasesJSON(_ a: [String: AliasMetadata]) -> String {
        JSONWriter.string(.object(JSONObject(a.keys.sorted().map { ($0, a[$0]!.json) })))
    }
}
