import Foundation
import Testing
import JSON
@testable import Migration

@Suite struct SettingsFilterTests {
    @Test func stripsWhatTheClusterComputesAndDefersBlocks() throws {
        let settings = try JSONParser.parse(#"""
        {"index":{"number_of_shards":"1","number_of_replicas":"1","uuid":"abc","creation_date":"1700000000000",
         "provided_name":"logs","version":{"created":"136387927","upgraded":"136387927"},"refresh_interval":"5s",
         "blocks":{"write":"true"},"analysis":{"analyzer":{"a":{"type":"custom","tokenizer":"standard","filter":["lowercase"]}}}}}
        """#)
        let r = SettingsFilter.filter(settings, overrides: ["index.number_of_replicas": "0"])
        #expect(r.create.keys == ["index.number_of_shards", "index.number_of_replicas", "index.refresh_interval",
                                  "index.analysis.analyzer.a.type", "index.analysis.analyzer.a.tokenizer", "index.analysis.analyzer.a.filter"])
        #expect(r.create["index.number_of_replicas"] == "0")
        #expect(r.create["index.analysis.analyzer.a.filter"] == ["lowercase"])
        #expect(r.deferred.keys == ["index.blocks.write"])
        #expect(Set(r.dropped) == ["index.uuid", "index.creation_date", "index.provided_name", "index.version.created", "index.version.upgraded"])
    }

    @Test func acceptsFlatKeysWithoutThePrefix() throws {
        let r = SettingsFilter.filter(try JSONParser.parse(#"{"number_of_shards":"2","index.uuid":"x"}"#))
        #expect(r.create.keys == ["index.number_of_shards"])
        #expect(r.dropped == ["index.uuid"])
    }

    @Test func findsTheRefusedSetting() {
        #expect(SettingsFilter.refusedSetting(in: "unknown setting [index.lifecycle.name] please check that any required plugins are installed") == "index.lifecycle.name")
        #expect(SettingsFilter.refusedSetting(in: "private index setting [index.uuid] can not be set explicitly") == "index.uuid")
        #expect(SettingsFilter.refusedSetting(in: "index [x] already exists") == nil)
    }
}

@Suite struct CheckpointTests {
    @Test func roundTripsThroughTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cp.json").path
        #expect(try MigrationCheckpoint.load(path) == nil)
        var cp = MigrationCheckpoint(from: "http://a:9200", to: "http://b:9200")
        cp.templatesDone = true
        var s = MigrationCheckpoint.IndexState()
        s.created = true
        s.afterSeqNo = 4_999
        s.copied = 5_000
        cp.indices["logs"] = s
        try cp.save(path)
        let back = try #require(try MigrationCheckpoint.load(path))
        #expect(back == cp)
        #expect(back.indices["logs"]?.afterSeqNo == 4_999)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func unreadableCheckpointIsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: MigrationError.self) { try MigrationCheckpoint.load(path) }
    }

    @Test func resumesJustBeforeTheLastAcknowledgedSeqNo() {
        #expect(MigrationCheckpoint.searchAfter(resumingAt: nil, withTiebreaker: true) == nil)
        #expect(MigrationCheckpoint.searchAfter(resumingAt: 41, withTiebreaker: false) == [40])
        #expect(MigrationCheckpoint.searchAfter(resumingAt: 41, withTiebreaker: true) == [40, Int64.max])
    }
}
