import Dispatch
import Index
import JSON
import Node
import Processor

extension SearchlightAPI {
    /// `POST /_processor/cloudwatch`: a CloudWatch Logs subscription payload (or JSON lines) in,
    /// request events and session-summary upserts applied to this node through the `_bulk` path,
    /// counts out. Query parameters override the processor's configuration for one request.
    static func registerProcessor(_ r: inout Router, _ node: Node) {
        r.add([.POST, .PUT], "/_processor/cloudwatch") { req throws(OpenSearchError) in
            let start = DispatchTime.now()
            guard req.hasBody else { throw OpenSearchError.parsing("request body is required") }
            let processor = LogProcessor(configuration: try processorConfiguration(req))
            let batch: LogBatch
            do throws(ProcessorError) { batch = try processor.batch(body: req.body) } catch { throw openSearchError(error) }
            var outcome = BulkOutcome()
            if !batch.isEmpty {
                let sink = NodeBulkSink(node: node, refresh: req.params["refresh"])
                do throws(ProcessorError) {
                    if processor.configuration.writeSummaries && !batch.sessions.isEmpty {
                        try await sink.ensureIndex(processor.configuration.summariesIndex, body: SessionScript.summaryIndexBody)
                    }
                    outcome = try await sink.bulk(batch.body())
                } catch { throw openSearchError(error) }
            }
            var o = batch.finishedCounts(itemErrors: outcome.itemErrors).json.objectValue!
            o["took"] = .int(Int64((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000))
            if let e = outcome.firstError, let j = try? JSONParser.parse(e) { o["first_error"] = j }
            return RESTResponse(200, .object(o))
        }
    }

    static func processorConfiguration(_ req: RESTRequest) throws(OpenSearchError) -> LogProcessor.Configuration {
        var c = LogProcessor.Configuration()
        if let p = req.params["events_index_prefix"] { c.eventsIndexPrefix = p }
        if let s = req.params["summaries_index"] { c.summariesIndex = s }
        func list(_ name: String) -> Set<String>? {
            req.params[name].map { Set($0.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }) }
        }
        c.rules = FilterRules(skipPaths: list("skip_paths") ?? FilterRules.defaultSkipPaths,
                              skipExtensions: list("skip_extensions") ?? FilterRules.defaultSkipExtensions,
                              skipMethods: list("skip_methods") ?? FilterRules.defaultSkipMethods)
        c.writeEvents = try req.bool("events", default: true)
        c.writeSummaries = try req.bool("summaries", default: true)
        if let n = try req.int64("retry_on_conflict") { c.retryOnConflict = Int(n) }
        return c
    }

    static func openSearchError(_ e: ProcessorError) -> OpenSearchError {
        switch e.code {
        case .badJSON: return OpenSearchError("parse_exception", e.message, status: 400)
        case .badBase64, .badGzip, .badPayload: return OpenSearchError.illegalArgument(e.message)
        case .sink: return OpenSearchError("exception", e.message, status: 500)
        }
    }
}

/// The local node as a `BulkSink`: the processor's NDJSON goes through `runBulk`, the same code
/// that serves `POST /_bulk`, so scripts, retries and per-item errors behave identically.
struct NodeBulkSink: BulkSink {
    let node: Node
    let refresh: String?

    func ensureIndex(_ name: String, body: String) async throws(ProcessorError) {
        guard node.index(named: name) == nil else { return }
        do throws(OpenSearchError) {
            _ = try node.createIndex(name, body: try? JSONParser.parse(body))
        } catch {
            if error.type != "resource_already_exists_exception" { throw ProcessorError(.sink, error.reason) }
        }
    }

    func bulk(_ body: [UInt8]) async throws(ProcessorError) -> BulkOutcome {
        let query = refresh.map { "refresh=\($0)" }
        let response: RESTResponse
        do throws(OpenSearchError) {
            response = try await SearchlightAPI.runBulk(RESTRequest(method: .POST, path: "/_bulk", query: query, body: body), node)
        } catch {
            throw ProcessorError(.sink, error.reason)
        }
        if let raw = response.raw { return try BulkOutcome.parse(raw) }
        return BulkOutcome.from(response.body ?? .null)
    }
}
