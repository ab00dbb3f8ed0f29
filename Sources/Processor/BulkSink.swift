import JSON

/// Where processed batches go: `HTTPBulkSink` (a remote Searchlight or OpenSearch), the node
/// in-process (`POST /_processor/cloudwatch`), or a test double.
public protocol BulkSink: Sendable {
    /// Creates an index with a body unless it exists (used for `session-summaries`' mapping).
    func ensureIndex(_ name: String, body: String) async throws(ProcessorError)
    /// Sends one NDJSON `_bulk` body and answers how many items failed.
    func bulk(_ body: [UInt8]) async throws(ProcessorError) -> BulkOutcome
}

/// The part of a `_bulk` response the processor reports.
public struct BulkOutcome: Sendable, Equatable {
    public var itemErrors: Int
    /// The first failed item's error, for the log.
    public var firstError: String?

    public init(itemErrors: Int = 0, firstError: String? = nil) {
        self.itemErrors = itemErrors
        self.firstError = firstError
    }

    /// Reads a `_bulk` response; only parsed in full when `errors` is true.
    public static func parse(_ response: [UInt8]) throws(ProcessorError) -> BulkOutcome {
        let head = String(decoding: response.prefix(96), as: UTF8.self)
        if head.contains("\"errors\":false") { return BulkOutcome() }
        let json: JSONValue
        do { json = try JSONParser.parse(response) } catch { throw ProcessorError(.sink, "_bulk response is not JSON: \(error.description)") }
        return from(json)
    }

    public static func from(_ json: JSONValue) -> BulkOutcome {
        guard json["errors"]?.boolValue == true, let items = json["items"]?.arrayValue else {
            if json["error"] != nil { return BulkOutcome(itemErrors: 1, firstError: JSONWriter.string(json)) }
            return BulkOutcome()
        }
        var out = BulkOutcome()
        for item in items {
            guard case .object(let o) = item, let inner = o.values.first, let err = inner["error"] else { continue }
            out.itemErrors += 1
            if out.firstError == nil { out.firstError = JSONWriter.string(err) }
        }
        return out
    }
}
