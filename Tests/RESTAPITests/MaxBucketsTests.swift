import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Testing

/// `search.max_buckets` set through `PUT /_cluster/settings` limits aggregation buckets;
/// resetting it to null restores the default. (The settings store is process-wide: no other REST
/// test may run aggregations with more than 3 buckets concurrently.)
@Suite(.serialized) struct MaxBucketsTests {
    @Test func clusterSettingLimitsBuckets() async throws {
        let dir = TempDir()
        var bulk = ""
        for i in 0..<5 { bulk += "{\"index\":{\"_index\":\"mb\",\"_id\":\"\(i)\"}}\n{\"k\":\"t\(i)\"}\n" }
        let body = bulk
        let aggs = #"{"size":0,"aggs":{"t":{"terms":{"field":"k.keyword"}}}}"#
        try await makeApp(dir).test(.router) { client in
            do { let r = try await client.execute(uri: "/_bulk?refresh=true", method: .post, body: buffer(body)); #expect(r.status == .ok) }
            do {
                let r = try await client.execute(uri: "/_cluster/settings", method: .put, body: buffer(#"{"transient":{"search.max_buckets":3}}"#))
                #expect(r.status == .ok)
            }
            do {
                let r = try await client.execute(uri: "/mb/_search", method: .post, body: buffer(aggs))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "too_many_buckets_exception")
            }
            do {
                let r = try await client.execute(uri: "/_cluster/settings", method: .put, body: buffer(#"{"transient":{"search.max_buckets":null}}"#))
                #expect(r.status == .ok)
            }
            do {
                let r = try await client.execute(uri: "/mb/_search", method: .post, body: buffer(aggs))
                #expect(r.status == .ok)
                #expect(try json(r.body)["aggregations"]?["t"]?["buckets"]?.arrayValue?.count == 5)
            }
        }
    }
}
