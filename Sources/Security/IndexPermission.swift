/// One entry of a role's `index_permissions`: which indices, and what may be done to them.
public struct IndexPermission: Sendable, Codable, Equatable {
    public var indexPatterns: [String]
    public var allowedActions: [String]

    enum CodingKeys: String, CodingKey {
        case indexPatterns = "index_patterns"
        case allowedActions = "allowed_actions"
    }

    public init(_ patterns: [String], _ actions: [String]) {
        self.indexPatterns = patterns
        self.allowedActions = actions
    }

    func covers(_ index: String) -> Bool { indexPatterns.contains { IndexPattern.matches($0, index) } }

    func grants(_ action: Action) -> Bool { allowedActions.contains { Role.grants($0, action) } }
}
