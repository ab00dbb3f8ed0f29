import Crypto
import Foundation
import HummingbirdBcrypt

/// Checks credentials against the users file. Bcrypt is slow on purpose (tens of ms per check),
/// so verified credentials are cached by their SHA-256 digest: a client sending the same header
/// on every `_bulk` pays for bcrypt once. The file is re-read when it changes (checked at most
/// every `reloadInterval`), which also empties the cache, so `searchlight user add` takes effect
/// without a restart.
public actor Authenticator {
    private var file: UsersFile
    private let path: String?
    private var stamp: FileStamp?
    private var lastCheck: ContinuousClock.Instant
    private var cache: [Data: Principal] = [:]
    private let reloadInterval: Duration
    public static let maxCacheEntries = 10_000
    /// Verified against when the user is unknown, so that answers take as long as for a wrong password.
    private static let decoyHash = Bcrypt.hash("decoy-password", cost: 10)

    struct FileStamp: Equatable {
        let modified: Date?
        let size: Int
    }

    public init(file: UsersFile, path: String? = nil, reloadInterval: Duration = .seconds(1)) {
        self.file = file
        self.path = path
        self.stamp = path.flatMap(Authenticator.stamp)
        self.lastCheck = .now
        self.reloadInterval = reloadInterval
    }

    /// Loads `path`; nil when the file does not exist (security off).
    public static func load(path: String) throws(SecurityError) -> Authenticator? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return Authenticator(file: try UsersFile.load(path), path: path)
    }

    /// The principal for `credentials`, or `.unauthenticated`.
    public nonisolated func authenticate(_ credentials: Credentials) async throws(SecurityError) -> Principal {
        let key = Authenticator.digest(credentials)
        if let p = await cached(key) { return p }
        let (hash, principal) = await candidate(credentials)
        let secret: String
        switch credentials {
        case .basic(_, let password): secret = password
        case .apiKey(_, let k): secret = k
        }
        // Outside the actor and off the cooperative pool: a burst of logins (tens of ms of CPU
        // each) must not stall the threads every other request runs on.
        let ok = await Authenticator.verifyOnThread(secret, hash: hash ?? Authenticator.decoyHash)
        guard ok, hash != nil, let principal else { throw .unauthenticated }
        await store(key, principal)
        return principal
    }

    /// The current users file (after a reload check).
    public func current() -> UsersFile {
        reloadIfChanged(force: true)
        return file
    }

    private func cached(_ key: Data) -> Principal? {
        reloadIfChanged(force: false)
        return cache[key]
    }

    private func store(_ key: Data, _ p: Principal) {
        if cache.count >= Authenticator.maxCacheEntries { cache.removeAll(keepingCapacity: true) }
        cache[key] = p
    }

    /// The stored hash to verify against and the principal it would authenticate.
    private func candidate(_ c: Credentials) -> (String?, Principal?) {
        reloadIfChanged(force: true)
        let roles = file.allRoles
        switch c {
        case .basic(let user, _):
            guard let u = file.users[user] else { return (nil, nil) }
            return (u.hash, Principal(name: user, roles: u.roles, method: .basic, permissions: u.roles.compactMap { roles[$0] }))
        case .apiKey(let id, _):
            guard let k = file.apiKeys[id] else { return (nil, nil) }
            let names = k.roles.isEmpty ? (file.users[k.user]?.roles ?? []) : k.roles
            return (k.hash, Principal(name: k.user, roles: names, method: .apiKey, apiKeyID: id, permissions: names.compactMap { roles[$0] }))
        }
    }

    private func reloadIfChanged(force: Bool) {
        guard let path else { return }
        let now = ContinuousClock.now
        if !force && now - lastCheck < .seconds(5) { return }
        if force && now - lastCheck < reloadInterval { return }
        lastCheck = now
        let s = Authenticator.stamp(path)
        guard s != stamp else { return }
        // A half-written or deleted file keeps the last good one in force.
        guard s != nil, let f = try? UsersFile.load(path) else { return }
        stamp = s
        file = f
        cache.removeAll()
    }

    static func verifyOnThread(_ secret: String, hash: String) async -> Bool {
        await withCheckedContinuation { cont in
            Thread.detachNewThread { cont.resume(returning: Bcrypt.verify(secret, hash: hash)) }
        }
    }

    static func stamp(_ path: String) -> FileStamp? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return FileStamp(modified: a[.modificationDate] as? Date, size: (a[.size] as? NSNumber)?.intValue ?? 0)
    }

    static func digest(_ c: Credentials) -> Data {
        var h = SHA256()
        switch c {
        case .basic(let u, let p): h.update(data: Data("b\u{0}\(u)\u{0}\(p)".utf8))
        case .apiKey(let id, let k): h.update(data: Data("k\u{0}\(id)\u{0}\(k)".utf8))
        }
        return Data(h.finalize())
    }
}
