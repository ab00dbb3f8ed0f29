import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Node
import RESTAPI
import Storage
import Testing

final class TempDir {
    let path: String
    init() { path = FileManager.default.temporaryDirectory.appendingPathComponent("sl-rest-\(UUID().uuidString)").path }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func makeApp(_ dir: TempDir, maxContentLength: Int = 1 << 20) throws -> some ApplicationProtocol {
    let node = try Node(dataPath: dir.path)
    return Application(responder: SearchlightResponder(api: SearchlightAPI(node: node), maxContentLength: maxContentLength))
}

func json(_ body: ByteBuffer?) throws -> JSONValue {
    try JSONParser.parse(Array(body.map { Array($0.readableBytesView) } ?? []))
}

func buffer(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

@Suite struct RESTAPITests {
    @Test func rootAnswersLikeOpenSearch() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/", method: .get)
                #expect(r.status == .ok)
                let v = try json(r.body)
                #expect(v["version"]?["distribution"] == "opensearch")
                #expect(v["version"]?["number"] == "2.17.0")
            }
            do { let r = try await client.execute(uri: "/", method: .head); #expect(r.status == .ok) }
        }
    }

    @Test func documentLifecycle() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/idx/_doc/1", method: .put, body: buffer(#"{"user":"ann","n":1}"#))
                #expect(r.status == .created)
                let v = try json(r.body)
                #expect(v["result"] == "created")
                #expect(v["_version"] == 1)
                #expect(v["_seq_no"] == 0)
            }
            do {
                let r = try await client.execute(uri: "/idx/_doc/1", method: .get)
                #expect(r.status == .ok)
                #expect(try json(r.body)["_source"] == ["user": "ann", "n": 1])
            }
            do {
                let r = try await client.execute(uri: "/idx/_create/1", method: .put, body: buffer(#"{"a":1}"#))
                #expect(r.status == .conflict)
                #expect(try json(r.body)["error"]?["type"] == "version_conflict_engine_exception")
            }
            do {
                let r = try await client.execute(uri: "/idx/_update/1", method: .post, body: buffer(#"{"doc":{"n":2}}"#))
                #expect(r.status == .ok)
                #expect(try json(r.body)["_version"] == 2)
            }
            do {
                let r = try await client.execute(uri: "/idx/_doc/1?if_seq_no=0&if_primary_term=1", method: .put, body: buffer("{}"))
                #expect(r.status == .conflict)
            }
            do {
                let r = try await client.execute(uri: "/idx/_doc/1", method: .delete)
                #expect(r.status == .ok)
                #expect(try json(r.body)["result"] == "deleted")
            }
            do {
                let r = try await client.execute(uri: "/idx/_doc/1", method: .get)
                #expect(r.status == .notFound)
                #expect(try json(r.body)["found"] == false)
            }
            do {
                let r = try await client.execute(uri: "/nope/_doc/1", method: .get)
                #expect(r.status == .notFound)
                #expect(try json(r.body)["error"]?["type"] == "index_not_found_exception")
            }
        }
    }

    @Test func bulkAppliesGoodItemsAndReportsBadOnes() async throws {
        let dir = TempDir()
        let body = """
        {"index":{"_index":"b","_id":"1"}}
        {"n":1}
        {"index":{"_index":"b","_id":"2"}}
        {"n":"not a number"}
        {"create":{"_index":"b"}}
        {"n":3}
        {"delete":{"_index":"b","_id":"1"}}

        """
        try await makeApp(dir).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/_bulk?refresh=true", method: .post, body: buffer(body))
                #expect(r.status == .ok)
                let v = try json(r.body)
                #expect(v["errors"] == true)
                let items = try #require(v["items"]?.arrayValue)
                #expect(items.count == 4)
                #expect(items[0]["index"]?["status"] == 201)
                #expect(items[1]["index"]?["error"]?["type"] == "mapper_parsing_exception")
                #expect(items[2]["create"]?["status"] == 201)
                #expect(items[3]["delete"]?["result"] == "deleted")
            }
            do {
                let r = try await client.execute(uri: "/b/_count", method: .get)
                #expect(try json(r.body)["count"] == 1)
            }
            do {
                let r = try await client.execute(uri: "/_bulk", method: .post, body: buffer("{\"foo\":{}}\n{}\n"))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "illegal_argument_exception")
            }
        }
    }

    @Test func gzipBodiesAreInflated() async throws {
        let dir = TempDir()
        let ndjson = "{\"index\":{\"_index\":\"g\",\"_id\":\"z\"}}\n{\"k\":\"v\"}\n"
        let gz = try Gzip.compress(Array(ndjson.utf8))
        try await makeApp(dir).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/_bulk", method: .post, headers: [.contentEncoding: "gzip"], body: ByteBuffer(bytes: gz))
                #expect(r.status == .ok)
                #expect(try json(r.body)["errors"] == false)
            }
            do {
                let r = try await client.execute(uri: "/g/_doc/z", method: .get)
                #expect(try json(r.body)["_source"] == ["k": "v"])
            }
            do {
                let r = try await client.execute(uri: "/_bulk", method: .post, headers: [.contentEncoding: "gzip"], body: buffer("not gzip"))
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test func badInputGetsOpenSearchErrors() async throws {
        let dir = TempDir()
        try await makeApp(dir, maxContentLength: 1024).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/Bad", method: .put)
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "invalid_index_name_exception")
            }
            do {
                let r = try await client.execute(uri: "/x/_doc/1", method: .put, body: buffer("{oops"))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "mapper_parsing_exception")
            }
            do {
                let r = try await client.execute(uri: "/x/_search", method: .post, body: buffer(#"{"query":{"nope":{}}}"#))
                #expect(r.status == .badRequest)
            }
            do {
                let r = try await client.execute(uri: "/x/_doc/2", method: .put, body: buffer("{\"a\":\"" + String(repeating: "x", count: 4096) + "\"}"))
                #expect(r.status == .contentTooLarge)
            }
            do {
                let r = try await client.execute(uri: "/_bulk", method: .get)
                #expect(r.status == .methodNotAllowed)
            }
            do {
                let r = try await client.execute(uri: "/x/_frobnicate", method: .get)
                #expect(r.status == .badRequest)
            }
            // The node still serves what it stored.
            do { let r = try await client.execute(uri: "/x/_doc/9", method: .put, body: buffer("{}")); #expect(r.status == .created) }
            do { let r = try await client.execute(uri: "/x/_doc/9", method: .get); #expect(r.status == .ok) }
        }
    }

    @Test func mappingsAndConflicts() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/m", method: .put, body: buffer(#"{"mappings":{"properties":{"ts":{"type":"date"}}}}"#))
                #expect(r.status == .ok)
            }
            do {
                let r = try await client.execute(uri: "/m/_mapping", method: .put, body: buffer(#"{"properties":{"u":{"type":"keyword"}}}"#))
                #expect(r.status == .ok)
            }
            do {
                let r = try await client.execute(uri: "/m/_mapping", method: .put, body: buffer(#"{"properties":{"u":{"type":"long"}}}"#))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "illegal_argument_exception")
            }
            do {
                let r = try await client.execute(uri: "/m/_mapping", method: .get)
                let v = try json(r.body)
                #expect(v["m"]?["mappings"]?["properties"]?["u"]?["type"] == "keyword")
                #expect(v["m"]?["mappings"]?["properties"]?["ts"]?["type"] == "date")
            }
            do {
                let r = try await client.execute(uri: "/m/_doc/1", method: .put, body: buffer(#"{"ts":"not a date"}"#))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "mapper_parsing_exception")
            }
        }
    }

    @Test func searchAndCountWithTerm() async throws {
        let dir = TempDir()
        var bulk = ""
        for i in 0..<30 { bulk += "{\"index\":{\"_index\":\"s\",\"_id\":\"\(i)\"}}\n{\"user\":\"u\(i % 3)\",\"i\":\(i)}\n" }
        let body = bulk
        try await makeApp(dir).test(.router) { client in
            do { let r = try await client.execute(uri: "/_bulk?refresh=true", method: .post, body: buffer(body)); #expect(r.status == .ok) }
            do {
                let r = try await client.execute(uri: "/s/_count", method: .post, body: buffer(#"{"query":{"term":{"user.keyword":"u1"}}}"#))
                #expect(try json(r.body)["count"] == 10)
            }
            do {
                let r = try await client.execute(uri: "/s/_search", method: .post, body: buffer(#"{"query":{"term":{"user.keyword":"u2"}},"size":3}"#))
                let v = try json(r.body)
                #expect(v["hits"]?["total"]?["value"] == 10)
                #expect(v["hits"]?["hits"]?.arrayValue?.count == 3)
            }
            do {
                let r = try await client.execute(uri: "/s/_search?size=10001", method: .get)
                #expect(r.status == .badRequest)
            }
        }
    }
}
