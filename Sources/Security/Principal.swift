/// Who sent a request, once authenticated: the user name, its role names, how it proved it
/// (password or API key), and the permissions of those roles as they were when it logged in.
/// Handlers see it on `RESTRequest.principal`.
public struct Principal: Sendable, Equatable {
    public enum Method: String, Sendable { case basic, apiKey = "api_key" }
    public let name: String
    public let roles: [String]
    public let method: Method
    /// The API key's id when `method == .apiKey`.
    public let apiKeyID: String?
    /// The resolved roles (unknown role names grant nothing).
    public let permissions: [Role]

    public init(name: String, roles: [String], method: Method, apiKeyID: String? = nil, permissions: [Role]) {
        self.name = name
        self.roles = roles
        self.method = method
        self.apiKeyID = apiKeyID
        self.permissions = permissions
    }

    /// Whether some role grants cluster action `action`.
    public func allowsCluster(_ action: Action) -> Bool { permissions.contains { $0.allowsCluster(action) } }

    /// Whether some role grants `action` on index (or requested name) `index`.
    public func allows(_ action: Action, index: String) -> Bool { permissions.contains { $0.allows(action, index: index) } }

    /// Throws 403 unless every index in `indices` allows `action`.
    public func check(_ action: Action, indices: [String]) throws(SecurityError) {
        let denied = indices.filter { !allows(action, index: $0) }
        if !denied.isEmpty { throw SecurityError.noPermission(action, self, indices: denied) }
    }

    /// Throws 403 unless cluster action `action` is allowed.
    public func checkCluster(_ action: Action) throws(SecurityError) {
        if !allowsCluster(action) { throw SecurityError.noPermission(action, self) }
    }
}
