import Foundation
import Testing
@testable import Security

@Suite struct IndexPatternTests {
    @Test(arguments: [
        ("*", "anything", true), ("request-events-*", "request-events-2026.11.23", true),
        ("request-events-*", "request-events-*", true), ("request-events-*", "session-summaries", false),
        ("session-summaries", "session-summaries", true), ("session-summaries", "session-summaries2", false),
        ("a?c", "abc", true), ("a?c", "ac", false), ("*-x-*", "a-x-b", true), ("*-x-*", "a-y-b", false),
        ("indices:data/read/*", "indices:data/read/search", true), ("", "", true), ("", "a", false),
    ])
    func matches(_ c: (String, String, Bool)) {
        #expect(IndexPattern.matches(c.0, c.1) == c.2)
    }
}

@Suite struct UsersFileTests {
    @Test func parsesUsersKeysAndRoles() throws {
        let json = #"""
        {"users": {"alice": {"hash": "$2b$04$abc", "roles": ["dashboard", "ops"]}},
         "api_keys": {"k1": {"user": "ingest", "hash": "$2b$04$def", "roles": ["processor"], "name": "ci"}},
         "roles": {"ops": {"cluster_permissions": ["cluster_monitor"],
                           "index_permissions": [{"index_patterns": ["ops-*"], "allowed_actions": ["crud"]}]}}}
        """#
        let f = try UsersFile.parse(Data(json.utf8))
        #expect(f.users["alice"]?.roles == ["dashboard", "ops"])
        #expect(f.apiKeys["k1"]?.user == "ingest")
        #expect(f.roles["ops"]?.indexPermissions.first?.indexPatterns == ["ops-*"])
        #expect(f.allRoles.keys.sorted() == ["admin", "dashboard", "ops", "processor"])
        #expect(f.undefinedRoles.isEmpty)
    }

    @Test func emptyAndMalformed() throws {
        #expect(try UsersFile.parse(Data("{}".utf8)) == UsersFile())
        #expect(throws: SecurityError.self) { try UsersFile.parse(Data("{\"users\": 3}".utf8)) }
    }

    @Test func saveAndLoadRoundTrip() throws {
        var f = UsersFile()
        f.setUser("bob", password: "secret", roles: ["admin"], cost: 4)
        let minted = f.mintAPIKey(user: "bob", roles: [], name: "k", cost: 4)
        let path = NSTemporaryDirectory() + "users-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try f.save(path)
        let back = try UsersFile.load(path)
        #expect(back == f)
        #expect(Data(base64Encoded: minted.encoded).flatMap { String(data: $0, encoding: .utf8) } == "\(minted.id):\(minted.key)")
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }
}

@Suite struct CredentialsTests {
    @Test func parsesBasicAndApiKey() {
        let basic = "Basic " + Data("alice:pa:ss".utf8).base64EncodedString()
        #expect(Credentials.parse(basic) == .basic(user: "alice", password: "pa:ss"))
        let key = "ApiKey " + Data("id1:sec".utf8).base64EncodedString()
        #expect(Credentials.parse(key) == .apiKey(id: "id1", key: "sec"))
        #expect(Credentials.parse(nil) == nil)
        #expect(Credentials.parse("Bearer abc") == nil)
        #expect(Credentials.parse("Basic !!!") == nil)
    }
}

@Suite struct AuthenticatorTests {
    func file() -> (UsersFile, String) {
        var f = UsersFile()
        f.setUser("alice", password: "right", roles: ["dashboard"], cost: 4)
        let k = f.mintAPIKey(user: "ingest", roles: ["processor"], name: nil, cost: 4)
        return (f, k.encoded)
    }

    @Test func verifiesPasswordsAndKeys() async throws {
        let (f, encoded) = file()
        let auth = Authenticator(file: f)
        let p = try await auth.authenticate(.basic(user: "alice", password: "right"))
        #expect(p.name == "alice" && p.roles == ["dashboard"] && p.method == .basic)
        // The cached answer is the same principal.
        #expect(try await auth.authenticate(.basic(user: "alice", password: "right")) == p)
        await #expect(throws: SecurityError.unauthenticated) { try await auth.authenticate(.basic(user: "alice", password: "wrong")) }
        await #expect(throws: SecurityError.unauthenticated) { try await auth.authenticate(.basic(user: "nobody", password: "right")) }
        let kp = try await auth.authenticate(Credentials.parse("ApiKey " + encoded)!)
        #expect(kp.name == "ingest" && kp.method == .apiKey && kp.roles == ["processor"])
        await #expect(throws: SecurityError.unauthenticated) { try await auth.authenticate(.apiKey(id: kp.apiKeyID!, key: "nope")) }
    }

    @Test func reloadsChangedFile() async throws {
        let (f, _) = file()
        let path = NSTemporaryDirectory() + "users-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try f.save(path)
        let auth = Authenticator(file: f, path: path, reloadInterval: .zero)
        var g = f
        g.setUser("carol", password: "pw", roles: ["admin"], cost: 4)
        g.users["alice"] = nil
        try await Task.sleep(for: .milliseconds(20))
        try g.save(path)
        #expect(try await auth.authenticate(.basic(user: "carol", password: "pw")).roles == ["admin"])
        await #expect(throws: SecurityError.unauthenticated) { try await auth.authenticate(.basic(user: "alice", password: "right")) }
    }
}

@Suite struct PermissionTests {
    func principal(_ roles: [String], extra: [String: Role] = [:]) -> Principal {
        let all = Role.builtIn.merging(extra) { _, b in b }
        return Principal(name: "u", roles: roles, method: .basic, permissions: roles.compactMap { all[$0] })
    }

    @Test func builtInRoles() {
        let admin = principal(["admin"]), proc = principal(["processor"]), dash = principal(["dashboard"])
        for a in [Action.search, .index, .deleteIndex, .createIndex, .aliases] {
            #expect(admin.allows(a, index: "anything"))
        }
        #expect(admin.allowsCluster(.clusterSettingsPut))

        #expect(proc.allows(.bulkItem, index: "request-events-2026.11.23"))
        #expect(proc.allows(.createIndex, index: "session-summaries"))
        #expect(proc.allows(.indexGet, index: "session-summaries"))
        #expect(!proc.allows(.search, index: "request-events-2026.11.23"))
        #expect(!proc.allows(.bulkItem, index: "secret"))
        #expect(!proc.allows(.deleteIndex, index: "session-summaries"))
        #expect(proc.allowsCluster(.clusterHealth) && !proc.allowsCluster(.templatePut))

        #expect(dash.allows(.search, index: "request-events-*"))
        #expect(dash.allows(.mappingGet, index: "session-summaries"))
        #expect(!dash.allows(.index, index: "session-summaries"))
        #expect(!dash.allows(.search, index: "secret"))
        #expect(!dash.allowsCluster(.scriptPut))
    }

    @Test func customRolesAndActionPatterns() throws {
        let ops = Role(cluster: ["cluster:monitor/*"], indices: [IndexPermission(["ops-*"], ["indices:data/read/*", "write"])])
        let p = principal(["ops", "unknown-role"], extra: ["ops": ops])
        #expect(p.allows(.search, index: "ops-1") && p.allows(.get, index: "ops-1") && p.allows(.index, index: "ops-1"))
        #expect(!p.allows(.deleteIndex, index: "ops-1"))
        #expect(p.allowsCluster(.clusterHealth) && !p.allowsCluster(.templatePut))
        #expect(throws: SecurityError.self) { try p.check(.search, indices: ["ops-1", "other"]) }
        do { try p.check(.search, indices: ["ops-1", "other"]) } catch {
            #expect(error.message.contains("no permissions for [indices:data/read/search]"))
            #expect(error.message.contains("[other]") && !error.message.contains("ops-1"))
        }
        #expect(principal([]).permissions.isEmpty && !principal([]).allowsCluster(.clusterHealth))
    }
}

@Suite struct ThrottleAndLimiterTests {
    @Test func blocksAfterFailuresAndExpires() async {
        let t = LoginThrottle(maxFailures: 3, window: .seconds(10), blockFor: .seconds(5))
        let t0 = ContinuousClock.now
        #expect(await t.retryAfter("1.2.3.4", now: t0) == nil)
        #expect(await !t.recordFailure("1.2.3.4", now: t0))
        #expect(await !t.recordFailure("1.2.3.4", now: t0))
        #expect(await t.recordFailure("1.2.3.4", now: t0))
        #expect(await t.retryAfter("1.2.3.4", now: t0 + .seconds(1)) == 4)
        #expect(await t.retryAfter("5.6.7.8", now: t0) == nil)
        #expect(await t.retryAfter("1.2.3.4", now: t0 + .seconds(6)) == nil)
        // Failures outside the window don't add up.
        await t.recordFailure("9.9.9.9", now: t0)
        await t.recordFailure("9.9.9.9", now: t0)
        #expect(await !t.recordFailure("9.9.9.9", now: t0 + .seconds(11)))
    }

    @Test func limitsInFlightPerClient() async {
        let l = ClientLimiter(limit: 2)
        #expect(await l.acquire("a"))
        #expect(await l.acquire("a"))
        #expect(await !l.acquire("a"))
        #expect(await l.acquire("b"))
        await l.release("a")
        #expect(await l.acquire("a"))
        #expect(await l.count("a") == 2)
    }
}
