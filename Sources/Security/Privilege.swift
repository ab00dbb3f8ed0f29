/// What kind of access an action needs. Roles grant privileges by name (`read`, `write`, …) or
/// actions by OpenSearch action-name pattern (`indices:data/read/*`).
public enum Privilege: String, Sendable, CaseIterable {
    /// Index: searching and fetching documents.
    case read
    /// Index: indexing, updating and deleting documents (and auto-creating the index they go to).
    case write
    /// Index: seeing metadata (exists, mapping, settings, stats, aliases).
    case view
    /// Index: creating an index explicitly (`PUT /{index}`).
    case create
    /// Index: administration (delete, mapping and settings changes, aliases, force merge, ISM);
    /// cluster: templates, policies, scripts, cluster settings.
    case manage
    /// Cluster: health, nodes, `_cat`, reading templates and policies.
    case monitor
}
