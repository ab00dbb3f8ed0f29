import Foundation
import Index
import JSON
import Node
import Testing

/// A fresh data directory per test, removed afterwards.
final class TempDir {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sl-node-\(UUID().uuidString)").path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func doc(_ s: String) throws -> (JSONValue, [UInt8]) {
    (try JSONParser.parse(s), Array(s.utf8))
}

func indexOp(_ id: String?, _ s: String, create: Bool = false, _ p: WriteParameters = WriteParameters()) throws -> WriteOperation {
    let (v, raw) = try doc(s)
    return .index(id: id, source: v, raw: raw, create: create, conditions: p)
}

@Suite struct NodeTests {
    @Test func createsIndexAndRejectsDuplicatesAndBadNames() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.createIndex("logs", body: try JSONParser.parse(#"{"mappings":{"properties":{"n":{"type":"long"}}}}"#))
        #expect(node.index(named: "logs")?.mapping.field("n")?.type == .long)
        #expect(throws: OpenSearchError.self) { try node.createIndex("logs") }
        for bad in ["Logs", "_x", "a,b", "a*b", "a#b", ".", ""] {
            #expect(throws: OpenSearchError.self) { try node.createIndex(bad) }
        }
    }

    @Test func versionsSeqNosAndConflicts() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("t")
        let r = await svc.write([try indexOp("1", #"{"a":1}"#), try indexOp("1", #"{"a":2}"#), try indexOp("1", #"{"a":3}"#, create: true),
                                 .delete(id: "1", conditions: WriteParameters()), try indexOp("1", #"{"a":4}"#)])
        #expect(try r[0].get().version == 1)
        #expect(try r[0].get().result == .created)
        #expect(try r[1].get().version == 2)
        #expect(try r[1].get().result == .updated)
        guard case .failure(let e) = r[2] else { Issue.record("create over existing must fail"); return }
        #expect(e.type == "version_conflict_engine_exception")
        #expect(e.status == 409)
        #expect(try r[3].get().result == .deleted)
        #expect(try r[4].get().version == 4)  // continues after the tombstone
        #expect(try r[4].get().seqNo == 3)

        let stale = await svc.write([try indexOp("1", #"{"a":5}"#, WriteParameters(ifSeqNo: 0, ifPrimaryTerm: 1))])
        guard case .failure(let e2) = stale[0] else { Issue.record("stale if_seq_no must fail"); return }
        #expect(e2.reason.contains("current document has seqNo [3]"))
        let ext = await svc.write([try indexOp("1", #"{"a":6}"#, WriteParameters(version: 10, versionType: .external)),
                                   try indexOp("1", #"{"a":7}"#, WriteParameters(version: 10, versionType: .external)),
                                   try indexOp("1", #"{"a":8}"#, WriteParameters(version: 10, versionType: .externalGte))])
        #expect(try ext[0].get().version == 10)
        #expect((try? ext[1].get()) == nil)
        #expect(try ext[2].get().version == 10)
    }

    @Test func badItemFailsAloneAndMappingGrows() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.createIndex("t", body: try JSONParser.parse(#"{"mappings":{"properties":{"n":{"type":"long"}}}}"#))
        let svc = node.index(named: "t")!
        let r = await svc.write([try indexOp("a", #"{"n":1,"s":"x"}"#), try indexOp("b", #"{"n":"abc"}"#), try indexOp("c", #"{"n":3}"#)])
        #expect((try? r[0].get()) != nil)
        guard case .failure(let e) = r[1] else { Issue.record("bad long must fail"); return }
        #expect(e.type == "mapper_parsing_exception")
        #expect((try? r[2].get()) != nil)
        try await svc.refresh()
        #expect(svc.docCount == 2)
        #expect(svc.mapping.field("s")?.type == .text)
        #expect(svc.mapping.field("s.keyword")?.type == .keyword)
    }

    @Test func updatesMergeUpsertAndDetectNoop() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("t")
        var missing = UpdateRequest()
        missing.doc = JSONObject([("x", 1)])
        let r0 = await svc.write([.update(id: "1", request: missing)])
        guard case .failure(let e) = r0[0] else { Issue.record("update of a missing doc must fail"); return }
        #expect(e.type == "document_missing_exception")
        var upsert = missing
        upsert.docAsUpsert = true
        let r1 = await svc.write([.update(id: "1", request: upsert)])
        #expect(try r1[0].get().result == .created)
        var patch = UpdateRequest()
        patch.doc = JSONObject([("o", ["a": 1])])
        _ = await svc.write([.update(id: "1", request: patch)])
        patch.doc = JSONObject([("o", ["b": 2])])
        let r2 = await svc.write([.update(id: "1", request: patch)])
        #expect(try r2[0].get().version == 3)
        let merged = try JSONParser.parse(svc.get("1")!.source)
        #expect(merged == ["x": 1, "o": ["a": 1, "b": 2]])
        let r3 = await svc.write([.update(id: "1", request: patch)])
        #expect(try r3[0].get().result == .noop)
        #expect(try r3[0].get().version == 3)
    }

    @Test func restartRecoversEveryAcknowledgedWrite() async throws {
        let dir = TempDir()
        var expected: [String: (Int64, Int64)] = [:]
        do {
            let node = try Node(dataPath: dir.path)
            let svc = try node.writeIndex("events")
            var ops: [WriteOperation] = []
            for i in 0..<500 { ops.append(try indexOp("d\(i)", #"{"i":\#(i),"user":"u\#(i % 7)"}"#)) }
            _ = await svc.write(ops)
            let second = await svc.write([try indexOp("d1", #"{"i":-1}"#), .delete(id: "d2", conditions: WriteParameters())])
            _ = second
            for i in 0..<500 { if let d = svc.get("d\(i)") { expected["d\(i)"] = (d.version, d.seqNo) } }
            #expect(expected.count == 499)
        }
        let reopened = try Node(dataPath: dir.path)
        let svc = try #require(reopened.index(named: "events"))
        #expect(svc.docCount == 499)
        #expect(svc.get("d2") == nil)
        #expect(try JSONParser.parse(svc.get("d1")!.source) == ["i": -1])
        for (id, (v, s)) in expected {
            let d = try #require(svc.get(id))
            #expect(d.version == v && d.seqNo == s)
        }
        #expect(svc.mapping.field("user.keyword")?.type == .keyword)
        // New writes continue the sequence.
        let r = await svc.write([try indexOp("new", "{}")])
        #expect(try r[0].get().seqNo == 502)
    }

    @Test func deleteIndexRemovesItAndItsTranslog() async throws {
        let dir = TempDir()
        do {
            let node = try Node(dataPath: dir.path)
            let svc = try node.writeIndex("gone")
            _ = await svc.write([try indexOp("1", "{}")])
            _ = try node.writeIndex("kept")
            #expect(try node.deleteIndices("gone") == ["gone"])
            #expect(node.index(named: "gone") == nil)
            #expect(throws: OpenSearchError.self) { try node.deleteIndices("gone") }
            #expect(try node.catalog.translogCount() == 0)
        }
        let reopened = try Node(dataPath: dir.path)
        #expect(reopened.allIndices.map(\.name) == ["kept"])
    }

    @Test(arguments: [("a*", ["a1", "a2"]), ("a*,-a2", ["a1"]), ("_all", ["a1", "a2", "b"]), ("b,a1", ["b", "a1"])])
    func resolvesExpressions(expr: String, expected: [String]) throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        for n in ["a1", "a2", "b"] { try node.createIndex(n) }
        #expect(try node.resolve(expr).map(\.name) == expected)
    }

    @Test func missingConcreteIndexIsAnError() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        #expect(throws: OpenSearchError.self) { try node.resolve("nope") }
        #expect(try node.resolve("nope", options: IndicesOptions(ignoreUnavailable: true)).isEmpty)
        #expect(try node.resolve("nope*").isEmpty)
    }
}
