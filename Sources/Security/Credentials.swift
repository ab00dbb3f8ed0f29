import Foundation

/// What an `Authorization` header claims: HTTP basic (`Basic base64(user:password)`) or an API
/// key (`ApiKey base64(id:key)`, as Elasticsearch and OpenSearch clients send it).
public enum Credentials: Sendable, Equatable {
    case basic(user: String, password: String)
    case apiKey(id: String, key: String)

    /// Parses the header value; nil when absent or malformed.
    public static func parse(_ header: String?) -> Credentials? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return nil }
        let scheme = trimmed[..<space].lowercased()
        let value = trimmed[trimmed.index(after: space)...].trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        let a = String(text[..<colon]), b = String(text[text.index(after: colon)...])
        switch scheme {
        case "basic": return a.isEmpty ? nil : .basic(user: a, password: b)
        case "apikey": return a.isEmpty || b.isEmpty ? nil : .apiKey(id: a, key: b)
        default: return nil
        }
    }

    /// The user name for logs and throttling (the key id for API keys).
    public var subject: String {
        switch self {
        case .basic(let u, _): return u
        case .apiKey(let id, _): return "apikey:" + id
        }
    }
}
