/// A named set of permissions: cluster permissions, and per index pattern the allowed actions.
/// Grants are names of privilege groups (`read`, `write`, `crud`, `manage`, `create_index`,
/// `all`; cluster: `cluster_monitor`, `cluster_manage`, `cluster_all`) or action-name patterns.
public struct Role: Sendable, Codable, Equatable {
    public var clusterPermissions: [String]
    public var indexPermissions: [IndexPermission]

    enum CodingKeys: String, CodingKey {
        case clusterPermissions = "cluster_permissions"
        case indexPermissions = "index_permissions"
    }

    public init(cluster: [String] = [], indices: [IndexPermission] = []) {
        self.clusterPermissions = cluster
        self.indexPermissions = indices
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusterPermissions = try c.decodeIfPresent([String].self, forKey: .clusterPermissions) ?? []
        indexPermissions = try c.decodeIfPresent([IndexPermission].self, forKey: .indexPermissions) ?? []
    }

    /// The built-in roles of issue #8; a users file may add more (not replace these).
    public static let builtIn: [String: Role] = [
        "admin": Role(cluster: ["cluster_all"], indices: [IndexPermission(["*"], ["all"])]),
        "processor": Role(cluster: ["cluster_monitor"],
                          indices: [IndexPermission(["request-events-*", "session-summaries"], ["write", "create_index"])]),
        "dashboard": Role(cluster: ["cluster_monitor"],
                          indices: [IndexPermission(["request-events-*", "session-summaries"], ["read"])]),
    ]

    /// Whether the cluster permissions grant cluster action `action`.
    public func allowsCluster(_ action: Action) -> Bool {
        clusterPermissions.contains { Role.grants($0, action) }
    }

    /// Whether some index permission covering `index` grants `action`.
    public func allows(_ action: Action, index: String) -> Bool {
        indexPermissions.contains { $0.covers(index) && $0.grants(action) }
    }

    /// Whether the grant `name` (a group or an action pattern) includes `action`.
    static func grants(_ name: String, _ action: Action) -> Bool {
        switch (name, action.scope) {
        case ("*", _), ("all", _), ("indices_all", .index), ("cluster_all", .cluster): return true
        case ("read", .index): return action.privilege == .read || action.privilege == .view
        case ("write", .index): return action.privilege == .write || action.privilege == .view
        case ("crud", .index): return [.read, .write, .view].contains(action.privilege)
        case ("manage", .index): return [.manage, .create, .view].contains(action.privilege)
        case ("create_index", .index): return action.privilege == .create || action.privilege == .view
        case ("view", .index), ("view_index_metadata", .index): return action.privilege == .view
        case ("cluster_monitor", .cluster), ("monitor", .cluster): return action.privilege == .monitor
        case ("cluster_manage", .cluster), ("manage", .cluster): return action.privilege == .monitor || action.privilege == .manage
        default: return name.contains(":") && IndexPattern.matches(name, action.name)
        }
    }
}
