import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Testing

/// `POST /_plugins/_sql` through the router: rows, formats and the SQL plugin's error shape.
/// (No bucket aggregations: MaxBucketsTests lowers `search.max_buckets` process-wide while it runs.)
@Suite struct SQLRESTTests {
    @Test func selectGroupAndErrors() async throws {
        let dir = TempDir()
        var bulk = ""
        for i in 0..<6 { bulk += "{\"index\":{\"_index\":\"sq\",\"_id\":\"\(i)\"}}\n{\"k\":\"\(i % 2 == 0 ? "even" : "odd")\",\"n\":\(i)}\n" }
        let body = bulk
        @Sendable func sql(_ query: String) -> ByteBuffer {
            buffer(JSONWriter.string(.object(JSONObject([("query", .string(query))]))))
        }
        try await makeApp(dir).test(.router) { client in
            do { let r = try await client.execute(uri: "/_bulk?refresh=true", method: .post, body: buffer(body)); #expect(r.status == .ok) }
            do {
                let r = try await client.execute(uri: "/_plugins/_sql", method: .post, body: sql("SELECT n FROM sq WHERE n >= 3 ORDER BY n DESC LIMIT 2"))
                #expect(r.status == .ok)
                let j = try json(r.body)
                #expect(j["datarows"] == [[5], [4]])
                #expect(j["schema"] == [["name": "n", "type": "long"]])
                #expect(j["total"] == 3 && j["size"] == 2 && j["status"] == 200)
            }
            do {
                let r = try await client.execute(uri: "/_opendistro/_sql?format=csv", method: .post,
                                                 body: sql("SELECT COUNT(*) AS c, SUM(n) AS s FROM sq WHERE k = 'odd'"))
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == "c,s\r\n3,9\r\n")
            }
            do {
                let r = try await client.execute(uri: "/_plugins/_sql", method: .post, body: sql("SELECT k FROM sq s1 JOIN sq s2"))
                #expect(r.status == .badRequest)
                #expect(try json(r.body) == [
                    "error": ["reason": "Invalid Query", "details": "JOIN is not supported at position 20", "type": "UnsupportedOperationException"],
                    "status": 400,
                ])
            }
            do {
                let r = try await client.execute(uri: "/_plugins/_sql", method: .post, body: buffer("{\"query\": 5}"))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "IllegalArgumentException")
            }
        }
    }
}
