import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Node
import Processor
import RESTAPI

/// The `searchlight` command: `serve` runs the OpenSearch-compatible HTTP service, `ingest` pushes
/// application logs through the processor into a running node, `gen` writes synthetic logs.
@main
struct Searchlight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An OpenSearch-compatible search and analytics engine for usage analytics.",
        subcommands: [Serve.self, Ingest.self, Gen.self],
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

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return h
        }
        let logger = Logger(label: "searchlight")
        var options = Node.Options()
        options.clusterName = clusterName
        let node = try Node(dataPath: data, options: options, logger: Logger(label: "searchlight.node"))
        let responder = SearchlightResponder(api: SearchlightAPI(node: node), maxContentLength: maxContentLength)
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "searchlight"),
            logger: logger
        )
        logger.info("searchlight listening on http://\(host):\(port), data in \(data)")
        // Scheduled refreshes (index.refresh_interval) for every index.
        let refresher = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                await node.refreshDueIndices()
            }
        }
        defer { refresher.cancel() }
        try await app.runService()
    }
}
