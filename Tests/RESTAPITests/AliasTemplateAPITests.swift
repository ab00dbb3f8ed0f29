import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import Node
import RESTAPI
import Testing

@Suite struct AliasTemplateAPITests {
    func text(_ body: ByteBuffer?) -> String { String(decoding: Array(body.map { Array($0.readableBytesView) } ?? []), as: UTF8.self) }

    @Test func aliasEndpointsAnswerLikeOpenSearch() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            _ = try await client.execute(uri: "/a", method: .put, body: buffer(#"{"aliases":{"x":{"routing":"r"}}}"#))
            _ = try await client.execute(uri: "/b", method: .put)
            do {
                let r = try await client.execute(uri: "/_aliases", method: .post,
                                                 body: buffer(#"{"actions":[{"add":{"indices":["b"],"aliases":["x","y"],"is_write_index":true}}]}"#))
                #expect(r.status == .ok)
            }
            do {
                let r = try await client.execute(uri: "/_alias/x", method: .get)
                let v = try json(r.body)
                #expect(v["a"]?["aliases"]?["x"] == ["index_routing": "r", "search_routing": "r"])
                #expect(v["b"]?["aliases"]?["x"]?["is_write_index"] == true)
            }
            do {
                let r = try await client.execute(uri: "/b/_alias/x,nope", method: .get)
                #expect(r.status == .notFound)
                let v = try json(r.body)
                #expect(v["error"] == "alias [nope] missing")
                #expect(v["b"]?["aliases"]?["x"] != nil)
            }
            do { let r = try await client.execute(uri: "/_alias/y", method: .head); #expect(r.status == .ok) }
            do { let r = try await client.execute(uri: "/_alias/zz", method: .head); #expect(r.status == .notFound) }
            do {
                let r = try await client.execute(uri: "/a", method: .get)
                #expect(try json(r.body)["a"]?["aliases"]?["x"] != nil)
            }
            do {
                let r = try await client.execute(uri: "/b/_alias/y", method: .delete)
                #expect(r.status == .ok)
                let again = try await client.execute(uri: "/b/_alias/y", method: .delete)
                #expect(again.status == .notFound)
                #expect(try json(again.body)["error"]?["type"] == "aliases_not_found_exception")
            }
            do {
                let r = try await client.execute(uri: "/_cat/aliases?v&s=index", method: .get)
                let lines = text(r.body).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
                #expect(lines.first == ["alias", "index", "filter", "routing.index", "routing.search", "is_write_index"])
                #expect(lines.dropFirst().map { $0[1] } == ["a", "b"])
            }
            do {
                let r = try await client.execute(uri: "/x/_doc/1", method: .put, body: buffer(#"{"n":1}"#))
                #expect(r.status == .created)
                #expect(try json(r.body)["_index"] == "b")
            }
        }
    }

    @Test func templateEndpoints() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            do {
                let r = try await client.execute(uri: "/_index_template/t", method: .put, body: buffer(#"{"index_patterns":"logs-*","template":{"settings":{"number_of_replicas":0}}}"#))
                #expect(r.status == .ok)
            }
            do {
                let r = try await client.execute(uri: "/_index_template/t", method: .get)
                let v = try json(r.body)
                #expect(v["index_templates"]?.arrayValue?.first?["index_template"]?["index_patterns"] == ["logs-*"])
                #expect(v["index_templates"]?.arrayValue?.first?["index_template"]?["template"]?["settings"]?["index"]?["number_of_replicas"] == "0")
            }
            do {
                let r = try await client.execute(uri: "/_index_template/missing", method: .get)
                #expect(r.status == .notFound)
                #expect(try json(r.body)["error"]?["type"] == "resource_not_found_exception")
            }
            do {
                let r = try await client.execute(uri: "/_index_template/bad", method: .put, body: buffer(#"{"template":{}}"#))
                #expect(r.status == .badRequest)
            }
            do {
                let r = try await client.execute(uri: "/_index_template/t2", method: .put, body: buffer(#"{"index_patterns":["x"],"composed_of":["nope"]}"#))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "invalid_index_template_exception")
            }
            do {
                let r = try await client.execute(uri: "/_template/missing", method: .get)
                #expect(r.status == .notFound)
            }
            do {
                let r = try await client.execute(uri: "/_cat/templates?format=json", method: .get)
                #expect(try json(r.body).arrayValue?.first?["name"] == "t")
            }
            do {
                let r = try await client.execute(uri: "/_index_template/t", method: .delete)
                #expect(r.status == .ok)
                let again = try await client.execute(uri: "/_index_template/t", method: .delete)
                #expect(again.status == .notFound)
                #expect(try json(again.body)["error"]?["type"] == "index_template_missing_exception")
            }
        }
    }

    @Test func ismEndpoints() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            _ = try await client.execute(uri: "/i", method: .put)
            do {
                let r = try await client.execute(uri: "/_plugins/_ism/explain/i", method: .get)
                let v = try json(r.body)
                #expect(v["total_managed_indices"] == 0)
                #expect(v["i"]?["index.plugins.index_state_management.policy_id"] == .null)
            }
            do {
                let v = try json(try await client.execute(uri: "/_plugins/_ism/explain", method: .get).body)
                #expect(v == ["total_managed_indices": 0])
            }
            do {
                let r = try await client.execute(uri: "/_plugins/_ism/policies/p", method: .put,
                                                 body: buffer(#"{"policy":{"description":"d","default_state":"a","states":[{"name":"a","actions":[{"read_only":{}}],"transitions":[]}]}}"#))
                #expect(r.status == .created)
                #expect(try json(r.body)["policy"]?["policy"]?["policy_id"] == "p")
            }
            do {
                let r = try await client.execute(uri: "/_plugins/_ism/policies/none", method: .get)
                #expect(r.status == .notFound)
            }
            do {
                let r = try await client.execute(uri: "/_plugins/_ism/add/i", method: .post, body: buffer(#"{"policy_id":"p"}"#))
                #expect(try json(r.body)["updated_indices"] == 1)
                let e = try json(try await client.execute(uri: "/_plugins/_ism/explain/i", method: .get).body)
                #expect(e["i"]?["policy_id"] == "p")
                #expect(e["i"]?["state"]?["name"] == "a")
            }
            // No test clock without --test-clock.
            do {
                let r = try await client.execute(uri: "/_plugins/_ism/_tick?now=1", method: .post)
                #expect(r.status != .ok)
            }
        }
    }

    @Test func statsAndCatIndices() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            _ = try await client.execute(uri: "/s1", method: .put, body: buffer(#"{"settings":{"number_of_replicas":0}}"#))
            _ = try await client.execute(uri: "/s1/_doc/1?refresh=true", method: .put, body: buffer(#"{"n":1}"#))
            do {
                let v = try json(try await client.execute(uri: "/s1/_stats", method: .get).body)
                #expect(v["_all"]?["primaries"]?["docs"]?["count"] == 1)
                #expect(v["indices"]?["s1"]?["total"]?["docs"]?["deleted"] == 0)
                #expect(v["indices"]?["s1"]?["primaries"]?["indexing"]?["index_total"] == 1)
                #expect((v["indices"]?["s1"]?["primaries"]?["store"]?["size_in_bytes"]?.int64Value ?? 0) > 0)
            }
            do {
                let r = try await client.execute(uri: "/_cat/indices/s1?h=index,health,docs.count", method: .get)
                #expect(text(r.body).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } == ["s1", "green", "1"])
            }
            do {
                let r = try await client.execute(uri: "/_cat/indices?h=nope", method: .get)
                #expect(r.status == .badRequest)
            }
            do {
                let r = try await client.execute(uri: "/_cat/count/s1?h=count", method: .get)
                #expect(text(r.body) == "1\n")
                let help = text(try await client.execute(uri: "/_cat/count?help", method: .get).body)
                #expect(help.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) } == ["epoch", "timestamp", "count"])
                let v = text(try await client.execute(uri: "/_cat/indices/s1?v&h=index,docs.count", method: .get).body)
                #expect(v == "index docs.count\ns1" + String(repeating: " ", count: 13) + "1\n")
            }
        }
    }
}
