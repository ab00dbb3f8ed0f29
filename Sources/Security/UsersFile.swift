import Foundation
import HummingbirdBcrypt

/// The internal users file (JSON): users with bcrypt password hashes and roles, API keys with
/// bcrypt key hashes, and extra roles. Security is on when this file exists.
///
/// ```json
/// {"users": {"alice": {"hash": "$2b$12$…", "roles": ["dashboard"]}},
///  "api_keys": {"k3J…": {"user": "ingest", "hash": "$2b$…", "roles": ["processor"], "name": "ingest"}},
///  "roles": {"ops": {"cluster_permissions": ["cluster_monitor"],
///                    "index_permissions": [{"index_patterns": ["ops-*"], "allowed_actions": ["crud"]}]}}}
/// ```
public struct UsersFile: Sendable, Codable, Equatable {
    public struct User: Sendable, Codable, Equatable {
        public var hash: String
        public var roles: [String]
        public init(hash: String, roles: [String]) { self.hash = hash; self.roles = roles }
    }

    public struct APIKey: Sendable, Codable, Equatable {
        /// The user the key acts as (shown by authinfo); need not have a password.
        public var user: String
        public var hash: String
        /// The key's roles; empty means the user's roles at request time.
        public var roles: [String]
        public var name: String?
        public var created: String?
        public init(user: String, hash: String, roles: [String], name: String?, created: String?) {
            self.user = user; self.hash = hash; self.roles = roles; self.name = name; self.created = created
        }
    }

    public var users: [String: User] = [:]
    public var apiKeys: [String: APIKey] = [:]
    public var roles: [String: Role] = [:]

    enum CodingKeys: String, CodingKey {
        case users
        case apiKeys = "api_keys"
        case roles
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        users = try c.decodeIfPresent([String: User].self, forKey: .users) ?? [:]
        apiKeys = try c.decodeIfPresent([String: APIKey].self, forKey: .apiKeys) ?? [:]
        roles = try c.decodeIfPresent([String: Role].self, forKey: .roles) ?? [:]
    }

    /// Built-in roles overlaid with the file's own.
    public var allRoles: [String: Role] { Role.builtIn.merging(roles) { _, own in own } }

    public static func parse(_ data: Data) throws(SecurityError) -> UsersFile {
        do { return try JSONDecoder().decode(UsersFile.self, from: data) } catch {
            throw .usersFile("invalid users file: \(error)")
        }
    }

    public static func load(_ path: String) throws(SecurityError) -> UsersFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw .usersFile("cannot read users file \(path)") }
        return try parse(data)
    }

    /// Roles that users and keys name but no built-in or file role defines.
    public var undefinedRoles: [String] {
        let known = allRoles
        let named = users.values.flatMap(\.roles) + apiKeys.values.flatMap(\.roles)
        return Array(Set(named.filter { known[$0] == nil })).sorted()
    }

    public func encoded() -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? enc.encode(self)) ?? Data("{}".utf8)
    }

    /// Writes atomically (temp file + rename) with mode 0600: the file holds password hashes.
    public func save(_ path: String) throws(SecurityError) {
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: encoded(), attributes: [.posixPermissions: 0o600]) else {
            throw .usersFile("cannot write \(tmp)")
        }
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw .usersFile("cannot replace \(path): errno \(errno)")
        }
    }

    /// Adds or replaces user `name`, hashing `password` with bcrypt.
    public mutating func setUser(_ name: String, password: String, roles: [String], cost: UInt8 = 12) {
        users[name] = User(hash: Bcrypt.hash(password, cost: cost), roles: roles)
    }

    /// Mints an API key for `user`: a random id and secret, stored as a bcrypt hash of the secret.
    public mutating func mintAPIKey(user: String, roles: [String], name: String?, cost: UInt8 = 10, now: Date = Date())
        -> (id: String, key: String, encoded: String)
    {
        let id = UsersFile.randomToken(15)
        let key = UsersFile.randomToken(24)
        let created = ISO8601DateFormatter().string(from: now)
        apiKeys[id] = APIKey(user: user, hash: Bcrypt.hash(key, cost: cost), roles: roles, name: name, created: created)
        return (id, key, Data("\(id):\(key)".utf8).base64EncodedString())
    }

    /// URL-safe random text of `bytes` random bytes.
    static func randomToken(_ bytes: Int) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
