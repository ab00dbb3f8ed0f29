import FuzzDriver
@testable import RESTAPI

/// Any bytes → the `_bulk` NDJSON reader (action lines, sources, per-item errors), with and
/// without a default index from the URL.
runFuzzer { data in
    let body = Array(data)
    _ = try? BulkRequest.parse(body, defaults: .init())
    _ = try BulkRequest.parse(body, defaults: .init(index: "logs", routing: "r", requireAlias: false))
}
