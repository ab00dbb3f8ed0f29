/// Why a request was refused; the HTTP edge maps these to OpenSearch's answers (401 with
/// `WWW-Authenticate`, 403 `security_exception`, 429 `rejected_execution_exception`).
public enum SecurityError: Error, Sendable, Equatable {
    /// No credentials, unknown user or key, or a wrong password: 401.
    case unauthenticated
    /// Authenticated but not allowed: 403.
    case forbidden(String)
    /// Too many failed logins from this client: 429 until `retryAfter` seconds have passed.
    case throttled(retryAfter: Int)
    /// The users file could not be read or written.
    case usersFile(String)

    public var message: String {
        switch self {
        case .unauthenticated: return "Unauthorized"
        case .forbidden(let m): return m
        case .throttled(let s): return "too many failed authentication attempts from this client; retry in \(s)s"
        case .usersFile(let m): return m
        }
    }

    /// OpenSearch's 403 message for `principal` lacking `action`.
    public static func noPermission(_ action: Action, _ principal: Principal, indices: [String] = []) -> SecurityError {
        let on = indices.isEmpty ? "" : " on [\(indices.joined(separator: ", "))]"
        return .forbidden("no permissions for [\(action.name)]\(on) and User [name=\(principal.name), backend_roles=[], requestedTenant=null]")
    }
}
