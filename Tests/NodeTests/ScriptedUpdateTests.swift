import Foundation
import Index
import JSON
import Node
import Painless
import Testing

/// Scripted `_update` at the index level: upserts, several updates of one document inside one
/// batch (each sees the previous), `ctx.op`, errors that fail one item, and recovery after restart.
@Suite struct ScriptedUpdateTests {
    func scripted(_ source: String, params: JSONObject? = nil, upsert: JSONObject? = nil, scriptedUpsert: Bool = false) -> UpdateRequest {
        var u = UpdateRequest()
        u.script = ScriptSpec(source: source, params: params)
        u.upsert = upsert
        u.scriptedUpsert = scriptedUpsert
        return u
    }

    @Test func batchOfScriptedUpdatesToOneDocument() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("s")
        let inc = scripted("ctx._source.n = (ctx._source.n ?: 0) + params.by", params: JSONObject([("by", 2)]),
                           upsert: JSONObject(), scriptedUpsert: true)
        let r = await svc.write([.update(id: "a", request: inc), .update(id: "a", request: inc), .update(id: "a", request: inc),
                                 .update(id: "a", request: scripted("ctx._source.n.foo()")),
                                 .update(id: "a", request: scripted("if (ctx._source.n > 5) { ctx.op = 'none' }")),
                                 .update(id: "b", request: scripted("ctx._source.n = 1")),
                                 .update(id: "b", request: scripted("ctx._source.n = 1", upsert: JSONObject([("n", 0)])))])
        #expect(try r.prefix(3).map { try $0.get().result } == [.created, .updated, .updated])
        #expect(try r[2].get().version == 3)
        guard case .failure(let e) = r[3] else { Issue.record("a failing script fails its item"); return }
        #expect(e.type == "illegal_argument_exception" && e.causedBy.first?.type == "script_exception")
        #expect(try r[4].get().result == .noop)
        #expect(try r[4].get().version == 3)
        guard case .failure(let missing) = r[5] else { Issue.record("no upsert: document missing"); return }
        #expect(missing.type == "document_missing_exception")
        #expect(try r[6].get().result == .created)
        #expect(try JSONParser.parse(svc.get("a")!.source) == ["n": 6])
        #expect(try JSONParser.parse(svc.get("b")!.source) == ["n": 0])

        let del = await svc.write([.update(id: "b", request: scripted("ctx.op = 'delete'"))])
        #expect(try del[0].get().result == .deleted)
        #expect(svc.get("b") == nil)
    }

    @Test func scriptedWritesSurviveRestart() async throws {
        let dir = TempDir()
        do {
            let node = try Node(dataPath: dir.path)
            let svc = try node.writeIndex("s")
            let add = scripted("if (!ctx._source.tags.contains(params.t)) { ctx._source.tags.add(params.t) }",
                               params: JSONObject([("t", "x")]), upsert: JSONObject([("tags", [])]), scriptedUpsert: true)
            _ = await svc.write([.update(id: "1", request: add), .update(id: "1", request: add)])
        }
        let node = try Node(dataPath: dir.path)
        let svc = try #require(node.index(named: "s"))
        #expect(try JSONParser.parse(svc.get("1")!.source) == ["tags": ["x"]])
        #expect(svc.get("1")?.version == 2)
    }

    @Test func storedScriptsPersist() throws {
        let dir = TempDir()
        do {
            let node = try Node(dataPath: dir.path)
            try node.putStoredScript("inc", lang: "painless", source: "ctx._source.n++")
            #expect(throws: OpenSearchError.self) { try node.putStoredScript("bad", lang: "painless", source: "ctx._source.n +") }
        }
        let node = try Node(dataPath: dir.path)
        #expect(try node.storedScript("inc")?.source == "ctx._source.n++")
        let resolved = try node.resolveStoredScript(ScriptSpec(source: nil, id: "inc", params: JSONObject([("a", 1)])))
        #expect(resolved.source == "ctx._source.n++" && resolved.params == JSONObject([("a", 1)]))
        #expect(try node.deleteStoredScript("inc"))
        #expect(try node.storedScript("inc") == nil)
        #expect(try !node.deleteStoredScript("inc"))
    }
}
