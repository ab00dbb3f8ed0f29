import ArgumentParser
import Foundation
import Security

/// `searchlight user …`: edits the users file a (possibly running) server reads. The server
/// notices the change within a second; no restart needed.
struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the users file (security is on when it exists).",
        subcommands: [Add.self, Remove.self, APIKey.self, List.self])

    struct Location: ParsableArguments {
        @Option(help: "Data directory whose users.json to edit.") var data = "./data"
        @Option(help: "Users file (default: <data>/users.json).") var usersFile: String?

        var path: String { usersFile ?? (data as NSString).appendingPathComponent("users.json") }

        func load() throws -> UsersFile {
            guard FileManager.default.fileExists(atPath: path) else { return UsersFile() }
            do throws(SecurityError) { return try UsersFile.load(path) } catch { throw ValidationError(error.message) }
        }

        func save(_ f: UsersFile) throws {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            do throws(SecurityError) { try f.save(path) } catch { throw ValidationError(error.message) }
        }
    }

    static func checkRoles(_ roles: [String], _ f: UsersFile) throws {
        let known = f.allRoles
        let unknown = roles.filter { known[$0] == nil }
        if !unknown.isEmpty {
            throw ValidationError("unknown role(s) \(unknown.joined(separator: ", ")); defined: \(known.keys.sorted().joined(separator: ", "))")
        }
    }

    static func splitRoles(_ r: [String]) -> [String] {
        r.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user or replace its password and roles.")
        @Argument(help: "User name.") var name: String
        @Option(name: .customLong("role"), help: "Role (repeatable or comma-separated): admin, processor, dashboard, or one from the file.")
        var roles: [String] = []
        @Option(help: "Password (visible in the process list; prefer --password-stdin).") var password: String?
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Option(help: "bcrypt cost (4–31).") var cost: UInt8 = 12
        @OptionGroup var location: Location

        func validate() throws {
            if name.isEmpty || name.contains(":") { throw ValidationError("a user name must be non-empty and contain no ':'") }
            if password != nil && passwordStdin { throw ValidationError("--password and --password-stdin exclude each other") }
            if !(4...31).contains(cost) { throw ValidationError("--cost must be between 4 and 31") }
        }

        func run() throws {
            let roles = User.splitRoles(self.roles)
            if roles.isEmpty { throw ValidationError("give at least one --role") }
            var f = try location.load()
            try User.checkRoles(roles, f)
            let pw: String
            if let password { pw = password }
            else if passwordStdin || isatty(0) == 0 {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
                pw = line
            } else {
                guard let p = getpass("Password for \(name): ") else { throw ValidationError("no password") }
                pw = String(cString: p)
            }
            if pw.isEmpty { throw ValidationError("empty password") }
            let existed = f.users[name] != nil
            f.setUser(name, password: pw, roles: roles, cost: cost)
            try location.save(f)
            print("\(existed ? "updated" : "added") user \(name) with roles \(roles.joined(separator: ", ")) in \(location.path)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user and its API keys.")
        @Argument(help: "User name.") var name: String
        @OptionGroup var location: Location

        func run() throws {
            var f = try location.load()
            guard f.users.removeValue(forKey: name) != nil || f.apiKeys.values.contains(where: { $0.user == name }) else {
                throw ValidationError("no user \(name) in \(location.path)")
            }
            f.apiKeys = f.apiKeys.filter { $0.value.user != name }
            try location.save(f)
            print("removed user \(name)")
        }
    }

    struct APIKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "api-key",
            abstract: "Mint an API key acting as NAME; send it as `Authorization: ApiKey <encoded>`.")
        @Argument(help: "User the key acts as (need not have a password).") var name: String
        @Option(name: .customLong("role"), help: "Roles of the key (default: the user's roles when it is used).") var roles: [String] = []
        @Option(help: "A label for the key.") var label: String?
        @OptionGroup var location: Location

        func run() throws {
            var f = try location.load()
            let roles = User.splitRoles(self.roles)
            try User.checkRoles(roles, f)
            if roles.isEmpty && f.users[name] == nil { throw ValidationError("user \(name) does not exist; give --role for a key of its own") }
            let k = f.mintAPIKey(user: name, roles: roles, name: label)
            try location.save(f)
            // The shape of Elasticsearch's create-API-key answer (plus the user it acts as).
            let out: [String: Any] = ["id": k.id, "name": label ?? NSNull(), "api_key": k.key, "encoded": k.encoded, "user": name]
            let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users, API keys and roles.")
        @OptionGroup var location: Location

        func run() throws {
            let f = try location.load()
            for (n, u) in f.users.sorted(by: { $0.key < $1.key }) { print("user    \(n)\t\(u.roles.joined(separator: ","))") }
            for (id, k) in f.apiKeys.sorted(by: { $0.key < $1.key }) {
                print("api-key \(id)\t\(k.user)\t\(k.roles.joined(separator: ","))\t\(k.name ?? "")")
            }
            for r in f.allRoles.keys.sorted() { print("role    \(r)\(Role.builtIn[r] != nil && f.roles[r] == nil ? " (built-in)" : "")") }
        }
    }
}
