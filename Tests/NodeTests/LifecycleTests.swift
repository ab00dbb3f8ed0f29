import Foundation
import Index
import JSON
import Node
import Testing

@Suite struct LifecycleTests {
    func j(_ s: String) throws -> JSONValue { try JSONParser.parse(s) }

    static let day: Int64 = 86_400_000

    @Test(arguments: [("request-events-2026.11.20", Int64(1_795_132_800_000)), ("logs-2024-02-29-000001", Int64(1_709_164_800_000)),
                      ("logs-000001", nil as Int64?), ("x-2026.13.01", nil)])
    func dateInIndexName(name: String, expected: Int64?) {
        #expect(Node.dateInName(name) == expected)
    }

    @Test func originationSources() async throws {
        let dir = TempDir()
        let clock = ClockBox(1_800_000_000_000)
        var options = Node.Options()
        options.clock = { clock.now }
        let node = try Node(dataPath: dir.path, options: options)
        let svc = try node.createIndex("ev-2026.11.20", body: try j(#"{"mappings":{"properties":{"timestamp":{"type":"date"}}}}"#))
        #expect(node.originationMillis(svc, policy: nil) == 1_800_000_000_000)  // creation
        #expect(node.originationMillis(svc, policy: try j(#"{"origination":"index_name"}"#)) == 1_795_132_800_000)
        _ = await svc.write([try indexOp("1", #"{"timestamp":"2026-01-02T00:00:00Z"}"#), try indexOp("2", #"{"timestamp":"2026-01-03T00:00:00Z"}"#)])
        try await svc.refresh()
        #expect(node.originationMillis(svc, policy: try j(#"{"origination":"timestamp"}"#)) == 1_767_398_400_000)
        try svc.updateSettings(try j(#"{"index.lifecycle.origination_date": 42}"#))
        #expect(node.originationMillis(svc, policy: try j(#"{"origination":"index_name"}"#)) == 42)
    }

    @Test func policyMovesIndexThroughStatesOnTheClock() async throws {
        let dir = TempDir()
        let clock = ClockBox(1_000 * LifecycleTests.day)
        var options = Node.Options()
        options.clock = { clock.now }
        let node = try Node(dataPath: dir.path, options: options)
        _ = try node.putPolicy("p", try j("""
            {"policy":{"default_state":"hot","states":[
              {"name":"hot","actions":[],"transitions":[{"state_name":"warm","conditions":{"min_doc_count":1}}]},
              {"name":"warm","actions":[{"read_only":{}},{"force_merge":{"max_num_segments":1}}],
               "transitions":[{"state_name":"gone","conditions":{"min_index_age":"30d"}}]},
              {"name":"gone","actions":[{"delete":{}}]}],
             "ism_template":[{"index_patterns":["m-*"],"priority":1}]}}
            """), ifSeqNo: nil, ifPrimaryTerm: nil)
        let svc = try node.createIndex("m-1")
        #expect(node.managedState("m-1")?.state == "hot")
        await node.runLifecycle()
        #expect(node.managedState("m-1")?.state == "hot")  // no documents yet
        _ = await svc.write([try indexOp("1", "{}")])
        try await svc.refresh()
        await node.runLifecycle()
        let st = try #require(node.managedState("m-1"))
        #expect(st.state == "warm")
        #expect(st.actionIndex == 2)
        #expect(svc.writeBlock?.type == "cluster_block_exception")
        let directory = svc.directory
        #expect(FileManager.default.fileExists(atPath: directory))
        clock.now += 29 * LifecycleTests.day
        await node.runLifecycle()
        #expect(node.index(named: "m-1") != nil)
        clock.now += 2 * LifecycleTests.day
        await node.runLifecycle()
        #expect(node.index(named: "m-1") == nil)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func lifecycleStateSurvivesRestart() throws {
        let dir = TempDir()
        do {
            let node = try Node(dataPath: dir.path)
            _ = try node.putPolicy("p", try j(#"{"policy":{"default_state":"a","states":[{"name":"a","actions":[]}]}}"#), ifSeqNo: nil, ifPrimaryTerm: nil)
            try node.createIndex("i")
            _ = try node.addPolicy("p", to: "i")
            let again = try node.addPolicy("p", to: "i")
            #expect(again.failed.count == 1)
        }
        let node = try Node(dataPath: dir.path)
        #expect(node.policy("p") != nil)
        #expect(node.managedState("i")?.policyID == "p")
    }

    @Test func invalidPoliciesAreRefused() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let bad = try j(#"{"policy":{"default_state":"x","states":[{"name":"a","actions":[]}]}}"#)
        #expect(failure { () throws(OpenSearchError) in _ = try node.putPolicy("p", bad, ifSeqNo: nil, ifPrimaryTerm: nil) }?.status == 400)
    }

    @Test func bundledDefinitionsMatchTheMappingsDirectory() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        func file(_ n: String) throws -> String { try String(contentsOf: root.appendingPathComponent("mappings/\(n)"), encoding: .utf8) }
        #expect(try JSONParser.parse(file("request-events.template.json")) == (try JSONParser.parse(BundledDefinitions.requestEventsTemplate)))
        #expect(try JSONParser.parse(file("session-summaries.template.json")) == (try JSONParser.parse(BundledDefinitions.sessionSummariesTemplate)))
        #expect(try JSONParser.parse(file("request-events.policy.json")) == (try JSONParser.parse(BundledDefinitions.requestEventsPolicy)))
    }

    @Test func bootstrapInstallsOnceUnlessForced() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        #expect(try node.installBundledDefinitions().count == 3)
        try node.deleteTemplates(.composable, "session-summaries")
        #expect(try node.installBundledDefinitions().isEmpty)  // a user's deletion stays
        #expect(node.template(.composable, "session-summaries") == nil)
        let installed = try node.installBundledDefinitions(force: true, retentionDays: 30)
        #expect(installed.contains("index_template/session-summaries"))
        #expect(node.policy("request-events-retention")?.policy["states"]?.arrayValue?[0]["transitions"]?.arrayValue?[0]["conditions"]?["min_index_age"] == "30d")
        let svc = try node.createIndex("session-summaries")
        #expect(svc.mapping.field("duration_seconds")?.type == .float)
        #expect(svc.mapping.field("modules")?.type == .keyword)
    }
}
