import Foundation
import Index
import JSON
import Node
import Testing

@Suite struct AliasTemplateTests {
    func j(_ s: String) throws -> JSONValue { try JSONParser.parse(s) }

    @Test func aliasActionsAreAtomic() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.createIndex("a")
        try node.createIndex("b")
        try node.updateAliases([.add(indices: ["a"], aliases: ["x"], alias: AliasMetadata(), mustExist: nil)])
        // The second action fails (alias named like an index), so the first must not apply.
        #expect(throws: OpenSearchError.self) {
            try node.updateAliases([.add(indices: ["b"], aliases: ["y"], alias: AliasMetadata(), mustExist: nil),
                                    .add(indices: ["b"], aliases: ["a"], alias: AliasMetadata(), mustExist: nil)])
        }
        #expect(node.aliases(of: "b").isEmpty)
        // remove + add in one request swaps the alias.
        try node.updateAliases([.remove(indices: ["a"], aliases: ["x"], mustExist: nil),
                                .add(indices: ["b"], aliases: ["x"], alias: AliasMetadata(), mustExist: nil)])
        #expect(node.aliases(of: "a").isEmpty)
        #expect(node.aliases(of: "b")["x"] != nil)
        #expect(try node.resolve("x").map(\.name) == ["b"])
    }

    @Test func aliasesSurviveRestartAndGoWithTheirIndex() throws {
        let dir = TempDir()
        do {
            let node = try Node(dataPath: dir.path)
            try node.createIndex("a", body: try j(#"{"aliases":{"x":{"is_write_index":true,"routing":"1"}}}"#))
        }
        do {
            let node = try Node(dataPath: dir.path)
            #expect(node.aliases(of: "a")["x"]?.isWriteIndex == true)
            #expect(node.aliases(of: "a")["x"]?.indexRouting == "1")
            _ = try node.deleteIndices("a")
            #expect(!node.isAlias("x"))
        }
        let node = try Node(dataPath: dir.path)
        #expect(!node.isAlias("x"))
    }

    @Test func writesThroughAliasNeedOneWriteIndex() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.createIndex("a")
        try node.createIndex("b")
        try node.updateAliases([.add(indices: ["a", "b"], aliases: ["x"], alias: AliasMetadata(), mustExist: nil)])
        let error = failure { () throws(OpenSearchError) in _ = try node.writeIndex("x") }
        #expect(error?.type == "illegal_argument_exception")
        #expect(error?.reason.hasPrefix("no write index is defined for alias [x]") == true)
        try node.updateAliases([.add(indices: ["b"], aliases: ["x"], alias: AliasMetadata(isWriteIndex: true), mustExist: nil)])
        #expect(try node.writeIndex("x").name == "b")
    }

    @Test func secondWriteIndexIsRefusedBeforeTheIndexExists() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.createIndex("a", body: try j(#"{"aliases":{"x":{"is_write_index":true}}}"#))
        let body = try j(#"{"aliases":{"x":{"is_write_index":true}}}"#)
        let error = failure { () throws(OpenSearchError) in try node.createIndex("b", body: body) }
        #expect(error?.reason == "alias [x] has more than one write index [a,b]")
        #expect(node.index(named: "b") == nil)
    }

    @Test func filteredAliasFiltersSearches() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.createIndex("a", body: try j(#"{"mappings":{"properties":{"user":{"type":"keyword"}}}}"#))
        _ = await svc.write([try indexOp("1", #"{"user":"ann"}"#), try indexOp("2", #"{"user":"bob"}"#)])
        try await svc.refresh()
        try node.updateAliases([.add(indices: ["a"], aliases: ["ann-only"], alias: AliasMetadata(filter: try j(#"{"term":{"user":"ann"}}"#)), mustExist: nil)])
        #expect(try await SearchExecutor.count(node.searchSnapshots("ann-only"), .all) == 1)
        #expect(try await SearchExecutor.count(node.searchSnapshots("a"), .all) == 2)
        // Reached both directly and through the alias: unfiltered.
        #expect(try await SearchExecutor.count(node.searchSnapshots("a,ann-only"), .all) == 2)
    }

    @Test func highestPriorityTemplateWinsAndComposesInOrder() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.putComponentTemplate("c1", try j(#"{"template":{"settings":{"number_of_replicas":2},"mappings":{"properties":{"f":{"type":"keyword"}}}}}"#))
        try node.putComponentTemplate("c2", try j(#"{"template":{"settings":{"number_of_replicas":3}}}"#))
        try node.putIndexTemplate("low", try j(#"{"index_patterns":["logs-*"],"priority":1,"template":{"settings":{"refresh_interval":"5s"}}}"#))
        try node.putIndexTemplate("high", try j(#"{"index_patterns":["logs-app-*"],"priority":10,"composed_of":["c1","c2"],"template":{"aliases":{"logs":{}},"mappings":{"properties":{"n":{"type":"long"}}}}}"#))
        let svc = try node.createIndex("logs-app-1", body: try j(#"{"settings":{"number_of_replicas":0}}"#))
        #expect(svc.settings["index.number_of_replicas"] == "0")  // the request body wins
        #expect(svc.settings["index.refresh_interval"] == nil)  // the lower-priority template is not applied
        #expect(svc.mapping.field("f")?.type == .keyword)
        #expect(svc.mapping.field("n")?.type == .long)
        #expect(node.aliases(of: "logs-app-1")["logs"] != nil)
        let other = try node.createIndex("logs-web-1")
        #expect(other.settings["index.refresh_interval"] == "5s")
        // Same priority and overlapping patterns are refused.
        let clash = try j(#"{"index_patterns":["logs-*"],"priority":1}"#)
        let error = failure { () throws(OpenSearchError) in try node.putIndexTemplate("clash", clash) }
        #expect(error?.status == 400)
        #expect(error?.reason.contains("multiple index templates may not match during index creation") == true)
        #expect(throws: OpenSearchError.self) { try node.deleteTemplates(.component, "c1") }
    }

    @Test func legacyTemplatesMergeByOrder() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        try node.putLegacyTemplate("b", try j(#"{"index_patterns":["t*"],"order":2,"settings":{"number_of_replicas":5}}"#))
        try node.putLegacyTemplate("a", try j(#"{"index_patterns":["t*"],"order":1,"settings":{"number_of_replicas":4,"refresh_interval":"2s"}}"#))
        let svc = try node.createIndex("t1")
        #expect(svc.settings["index.number_of_replicas"] == "5")
        #expect(svc.settings["index.refresh_interval"] == "2s")
    }

    @Test func rolloverChecksConditionsAndIncrementsTheName() async throws {
        let dir = TempDir()
        let clock = ClockBox(1_000_000)
        var options = Node.Options()
        options.clock = { clock.now }
        let node = try Node(dataPath: dir.path, options: options)
        let svc = try node.createIndex("logs-000001", body: try j(#"{"aliases":{"logs":{"is_write_index":true}}}"#))
        var c = RolloverConditions()
        c.maxDocs = 2
        var r = try node.rollover(alias: "logs", newIndex: nil, conditions: c, createBody: nil, dryRun: false)
        #expect(r["rolled_over"] == false)
        #expect(r["new_index"] == "logs-000002")
        #expect(r["conditions"]?["[max_docs: 2]"] == false)
        _ = await svc.write([try indexOp("1", "{}"), try indexOp("2", "{}")])
        try await svc.refresh()
        r = try node.rollover(alias: "logs", newIndex: nil, conditions: c, createBody: nil, dryRun: true)
        #expect(r["rolled_over"] == false)
        #expect(node.index(named: "logs-000002") == nil)
        r = try node.rollover(alias: "logs", newIndex: nil, conditions: c, createBody: nil, dryRun: false)
        #expect(r["rolled_over"] == true)
        #expect(try node.writeIndex("logs").name == "logs-000002")
        #expect(node.aliases(of: "logs-000001")["logs"]?.isWriteIndex == false)
        // max_age against the injected clock.
        c = RolloverConditions()
        c.maxAgeMillis = ("1d", 86_400_000)
        r = try node.rollover(alias: "logs", newIndex: nil, conditions: c, createBody: nil, dryRun: false)
        #expect(r["rolled_over"] == false)
        clock.now += 86_400_000
        r = try node.rollover(alias: "logs", newIndex: nil, conditions: c, createBody: nil, dryRun: false)
        #expect(r["new_index"] == "logs-000003")
        #expect(r["rolled_over"] == true)
        #expect(throws: OpenSearchError.self) { try Node.nextRolloverName("logs") }
    }

    @Test func writeBlockRefusesWrites() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.createIndex("a")
        try svc.updateSettings(try j(#"{"index.blocks.write":true}"#))
        let r = await svc.write([try indexOp("1", "{}")])
        guard case .failure(let e) = r[0] else { Issue.record("write went through"); return }
        #expect(e.status == 403)
        #expect(e.type == "cluster_block_exception")
        #expect(e.reason == "index [a] blocked by: [FORBIDDEN/8/index write (api)];")
    }
}

/// The error a body throws, nil if it succeeds.
func failure(_ body: () throws(OpenSearchError) -> Void) -> OpenSearchError? {
    do { try body(); return nil } catch { return error }
}

/// A settable clock for lifecycle tests.
final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(_ v: Int64) { value = v }
    var now: Int64 {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
