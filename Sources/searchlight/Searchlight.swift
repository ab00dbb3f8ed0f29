import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Node
import NIOSSL
import Processor
import RESTAPI
import Security

/// The `searchlight` command: `serve` runs the OpenSearch-compatible HTTP service, `ingest` pushes
/// application logs through the processor into a running node, `gen` writes synthetic logs.
@main
struct Searchlight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An OpenSearch-compatible search and analytics engine for usage analytics.",
        subcommands: [Serve.self, Bootstrap.self, Ingest.self, Gen.self, Export.self, Migrate.self, User.self, Repair.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service.")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 9200
    @Option(help: "Data directory.") var data = "./data"
    @Option(help: "Cluster name reported by GET /.") var clusterName = "searchlight"
    @Option(help: "Largest accepted request body in bytes (http.max_content_length).") var maxContentLength = 100 * 1024 * 1024
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "Seconds between index lifecycle (ISM) evaluations.") var ismInterval: Double = 300
    @Option(help: "OpenSearch version reported to clients (GET /, _nodes); match your Dashboards' major.minor.") var compatVersion = "2.17.0"
    @Flag(help: .hidden) var testClock = false
    @Flag(help: "Do not install the bundled templates and policy on first start.") var noBootstrap = false
    @Option(help: "Users file; security is on when it exists (default: <data>/users.json). Create it with `searchlight user add`.")
    var usersFile: String?
    @Flag(help: "Allow binding a non-loopback address without a users file (no authentication at all).") var insecure = false
    @Option(help: "PEM certificate chain for HTTPS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key for HTTPS (with --tls-cert).") var tlsKey: String?
    @Option(help: "Requests one client address may have in flight before getting 429 (0: no limit).") var maxConcurrentPerClient = 100
    @Option(help: "Request-body bytes all requests in flight may hold before new ones get 429 circuit_breaking_exception (default: 512 MiB, at least --max-content-length).") var maxInFlightBytes: Int?
    @Option(help: "Failed logins from one address within --auth-failure-window before it is blocked (0: never).") var authFailureLimit = 10
    @Option(help: "Seconds over which failed logins are counted.") var authFailureWindow = 60
    @Option(help: "Seconds a blocked address gets 429 for every login.") var authBlockSeconds = 60
    @Option(name: .customLong("path-repo"), help: "A folder fs snapshot repositories may live under (path.repo; repeatable; default: <data>/repo).")
    var pathRepo: [String] = []

    /// Loopback names and addresses: safe to serve without authentication.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    /// The TLS configuration from the PEM files, or nil for plain HTTP.
    func tlsConfiguration() throws -> TLSConfiguration? {
        guard let tlsCert, let tlsKey else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tlsCert)
            guard !chain.isEmpty else { throw ValidationError("no certificate in \(tlsCert)") }
            let key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch let e as ValidationError {
            throw e
        } catch {
            throw ValidationError("cannot load TLS certificate/key (\(tlsCert), \(tlsKey)): \(error)")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return h
        }
        let logger = Logger(label: "searchlight")
        // swift-metrics → the Prometheus registry behind GET /_prometheus/metrics; before anything records.
        PrometheusExporter.bootstrap()
        // Security before anything else: refuse to expose an unauthenticated server by accident.
        let usersPath = usersFile ?? (data as NSString).appendingPathComponent("users.json")
        let authenticator: Authenticator?
        do throws(SecurityError) { authenticator = try Authenticator.load(path: usersPath) } catch { throw StartupError(error.message) }
        if authenticator == nil && !Serve.isLoopback(host) && !insecure {
            throw StartupError("refusing to bind non-loopback address \(host) without authentication: no users file at \(usersPath) "
                                  + "(create one with `searchlight user add NAME --role admin --data \(data)`, or pass --insecure)")
        }
        if let authenticator {
            let undefined = await authenticator.current().undefinedRoles
            if !undefined.isEmpty { logger.warning("users file names undefined roles (they grant nothing): \(undefined.joined(separator: ", "))") }
        }
        let tls = try tlsConfiguration()
        var options = Node.Options()
        options.clusterName = clusterName
        let parts = compatVersion.split(separator: ".")
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            throw ValidationError("--compat-version must look like 2.17.0, got \(compatVersion)")
        }
        options.compatVersion = compatVersion
        options.pathRepo = pathRepo
        // With --test-clock the lifecycle clock moves only through POST /_plugins/_ism/_tick?now=….
        let manual = testClock ? ManualClock() : nil
        if let manual { options.clock = { manual.now } }
        let node = try Node(dataPath: data, options: options, logger: Logger(label: "searchlight.node"))
        if !noBootstrap {
            // A clash with the user's own templates must not keep the server from starting.
            do {
                let installed = try node.installBundledDefinitions()
                if !installed.isEmpty { logger.info("installed bundled definitions: \(installed.joined(separator: ", "))") }
            } catch {
                logger.warning("could not install the bundled definitions (run `searchlight bootstrap` to retry): \(error)")
            }
        }
        let gate = authenticator.map {
            SecurityGate(authenticator: $0, throttle: LoginThrottle(maxFailures: authFailureLimit, window: .seconds(authFailureWindow),
                                                                    blockFor: .seconds(authBlockSeconds)))
        }
        let responder = SearchlightResponder(api: SearchlightAPI(node: node, testClock: manual), maxContentLength: maxContentLength,
                                             security: gate, limiter: maxConcurrentPerClient > 0 ? ClientLimiter(limit: maxConcurrentPerClient) : nil,
                                             maxInFlightBytes: maxInFlightBytes)
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "searchlight"),
            logger: logger
        )
        logger.info("searchlight listening on \(tls == nil ? "http" : "https")://\(host):\(port), data in \(data), security \(gate == nil ? "off (no \(usersPath))" : "on (\(usersPath))")")
        // Scheduled refreshes (index.refresh_interval) for every index.
        let refresher = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                await node.refreshDueIndices()
            }
        }
        defer { refresher.cancel() }
        // The lifecycle job (rollover, retention) every --ism-interval seconds; not with --test-clock.
        let interval = ismInterval
        let lifecycle = Task.detached {
            guard manual == nil, interval > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                await node.runLifecycle()
            }
        }
        defer { lifecycle.cancel() }
        try await app.runService()
    }
}

/// A refusal to start, printed as `Error: …` without the usage text (exit status 1).
struct StartupError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

struct Bootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "(Re-)install the bundled index templates and lifecycle policy.",
        discussion: "Into a stopped server's data directory (--data), or through a running server's API (--url).")

    @Option(help: "Data directory (when the server is stopped).") var data = "./data"
    @Option(help: "A running server, e.g. http://127.0.0.1:9200; installs through its API instead.") var url: String?
    @Option(help: "Days a request-events daily index is kept (by the date in its name).") var retentionDays: Int?

    func run() async throws {
        if let url {
            try await installOverHTTP(url.hasSuffix("/") ? String(url.dropLast()) : url)
            return
        }
        let node = try Node(dataPath: data, logger: Logger(label: "searchlight.node"))
        let installed = try node.installBundledDefinitions(force: true, retentionDays: retentionDays)
        print("installed: \(installed.joined(separator: ", "))")
    }

    func installOverHTTP(_ base: String) async throws {
        func send(_ method: String, _ path: String, _ body: String?) async throws -> (Int, JSONValue?) {
            var req = URLRequest(url: URL(string: base + path)!)
            req.httpMethod = method
            if let body {
                req.httpBody = Data(body.utf8)
                req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, resp) = try await URLSession.shared.data(for: req)
            return ((resp as? HTTPURLResponse)?.statusCode ?? 0, try? JSONParser.parse(Array(data)))
        }
        func check(_ r: (Int, JSONValue?), _ what: String) throws {
            guard (200..<300).contains(r.0) else { throw ValidationError("\(what) failed: HTTP \(r.0) \(r.1.map { JSONWriter.string($0) } ?? "")") }
            print("installed: \(what)")
        }
        try check(try await send("PUT", "/_index_template/request-events", BundledDefinitions.requestEventsTemplate), "index_template/request-events")
        try check(try await send("PUT", "/_index_template/session-summaries", BundledDefinitions.sessionSummariesTemplate), "index_template/session-summaries")
        let policy = JSONWriter.string(try BundledDefinitions.retentionPolicy(days: retentionDays))
        let id = BundledDefinitions.policyID
        let existing = try await send("GET", "/_plugins/_ism/policies/\(id)", nil)
        var path = "/_plugins/_ism/policies/\(id)"
        if existing.0 == 200, let seq = existing.1?["_seq_no"]?.int64Value, let term = existing.1?["_primary_term"]?.int64Value {
            path += "?if_seq_no=\(seq)&if_primary_term=\(term)"
        }
        try check(try await send("PUT", path, policy), "policy/\(id)")
    }
}
