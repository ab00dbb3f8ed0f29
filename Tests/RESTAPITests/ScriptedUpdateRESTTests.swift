import Hummingbird
import HummingbirdTesting
import JSON
import Testing

/// Scripted `_update`, `_bulk` update and `_update_by_query` through the router: response shapes
/// and the `script_exception` error body.
@Suite struct ScriptedUpdateRESTTests {
    @Test func updateScriptResponsesAndErrors() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            _ = try await client.execute(uri: "/s/_doc/1", method: .put, body: buffer(#"{"n":1}"#))
            do {
                let r = try await client.execute(uri: "/s/_update/1?_source=true", method: .post,
                                                 body: buffer(#"{"script":{"source":"ctx._source.n += params.k","params":{"k":2}}}"#))
                #expect(r.status == .ok)
                let v = try json(r.body)
                #expect(v["result"] == "updated" && v["_version"] == 2)
                #expect(v["get"]?["_source"] == ["n": 3])
            }
            do {
                let r = try await client.execute(uri: "/s/_update/1", method: .post, body: buffer(#"{"script":"ctx.op = 'none'"}"#))
                #expect(try json(r.body)["result"] == "noop")
            }
            do {
                let r = try await client.execute(uri: "/s/_update/1", method: .post, body: buffer(#"{"script":"ctx._source.n = ctx._source.n +"}"#))
                #expect(r.status == .badRequest)
                let e = try json(r.body)["error"]
                #expect(e?["type"] == "illegal_argument_exception" && e?["reason"] == "failed to execute script")
                let cause = e?["caused_by"]
                #expect(cause?["type"] == "script_exception" && cause?["reason"] == "compile error")
                #expect(cause?["lang"] == "painless")
                #expect(cause?["position"]?["offset"] == 31)
                #expect(cause?["caused_by"]?["reason"] == "unexpected end of script.")
            }
            do {
                let r = try await client.execute(uri: "/s/_update/1", method: .post, body: buffer(#"{"script":"ctx._source","doc":{"a":1}}"#))
                #expect(r.status == .badRequest)
                #expect(try json(r.body)["error"]?["type"] == "action_request_validation_exception")
            }
            do {
                let r = try await client.execute(uri: "/s/_update/1?retry_on_conflict=2&if_seq_no=1&if_primary_term=1", method: .post,
                                                 body: buffer(#"{"script":"ctx._source.n++"}"#))
                #expect(try json(r.body)["error"]?["reason"] == "Validation Failed: 1: compare and write operations can not be retried;")
            }
        }
    }

    @Test func bulkAndUpdateByQuery() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            let body = """
                {"update":{"_index":"b","_id":"x","retry_on_conflict":3}}
                {"script":{"source":"ctx._source.c = (ctx._source.c ?: 0) + 1"},"scripted_upsert":true,"upsert":{}}
                {"update":{"_index":"b","_id":"x"}}
                {"script":{"source":"ctx._source.c = (ctx._source.c ?: 0) + 1"},"scripted_upsert":true,"upsert":{}}

                """
            let r = try await client.execute(uri: "/_bulk?refresh=true", method: .post, headers: [.contentType: "application/x-ndjson"], body: buffer(body))
            let items = try json(r.body)["items"]?.arrayValue ?? []
            #expect(items.map { $0["update"]?["result"] } == ["created", "updated"])
            let q = try await client.execute(uri: "/b/_update_by_query?refresh=true", method: .post,
                                             body: buffer(#"{"query":{"match_all":{}},"script":"ctx._source.c *= 10"}"#))
            let v = try json(q.body)
            #expect(v["total"] == 1 && v["updated"] == 1 && v["failures"] == [])
            let g = try await client.execute(uri: "/b/_doc/x", method: .get)
            #expect(try json(g.body)["_source"] == ["c": 20])
        }
    }
}
