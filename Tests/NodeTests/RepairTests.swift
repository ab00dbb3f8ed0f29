import Foundation
import Index
import JSON
import Node
import Query
import Testing

/// A segment that fails its checksum at start-up: the index is listed but red, its reads and
/// writes answer 503 naming the file, other indices work, and `IndexRepair` brings it back with
/// the intact segments and the translog tail.
@Suite struct RepairTests {
    func count(_ svc: IndexService) async throws -> Int {
        try await SearchExecutor.count([svc.snapshot()], try Query.parse(try JSONParser.parse(#"{"match_all":{}}"#)))
    }

    /// Writes 200 docs (segment 0), 50 docs (segment 1), 10 docs left in the translog, and an
    /// intact second index; returns the damaged index's uuid.
    func populate(_ dir: TempDir) async throws -> String {
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("bad")
        _ = try node.writeIndex("good")
        _ = await svc.write(try (0..<200).map { i in try indexOp("d\(i)", #"{"i":\#(i)}"#) })
        try await svc.refresh()
        _ = await svc.write(try (200..<250).map { i in try indexOp("d\(i)", #"{"i":\#(i)}"#) })
        try await svc.refresh()
        _ = await svc.write(try (250..<260).map { i in try indexOp("d\(i)", #"{"i":\#(i)}"#) })
        let good = node.index(named: "good")!
        _ = await good.write([try indexOp("g", #"{"i":1}"#)])
        try await good.refresh()
        return svc.uuid
    }

    func damage(_ path: String) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func corruptSegmentMakesIndexRedAndOthersKeepWorking() async throws {
        let dir = TempDir()
        let uuid = try await populate(dir)
        try damage("\(dir.path)/indices/\(uuid)/seg_0.seg")
        let node = try Node(dataPath: dir.path)
        let bad = try #require(node.index(named: "bad"))
        #expect(bad.health == "red")
        let read = try #require(bad.readBlock)
        #expect(read.status == 503)
        #expect(read.type == "no_shard_available_action_exception")
        #expect(read.reason.contains("seg_0.seg") && read.reason.contains("checksum mismatch"))
        let results = await bad.write([try indexOp("x", #"{"i":1}"#)])
        guard case .failure(let e) = results[0] else { Issue.record("write to a red index succeeded"); return }
        #expect(e.status == 503 && e.type == "unavailable_shards_exception" && e.reason.contains("seg_0.seg"))
        // The name stays taken (no 500 from the catalog), and writes through the node fail cleanly.
        #expect(throws: OpenSearchError.self) { try node.createIndex("bad") }
        #expect((try? node.writeIndex("bad")) === bad)
        #expect(throws: OpenSearchError.self) { try node.searchSnapshots("bad") }
        let good = try #require(node.index(named: "good"))
        #expect(good.health != "red")  // yellow: one replica asked for, none on one node
        #expect(try await count(good) == 1)
        #expect(await good.write([try indexOp("g2", #"{"i":2}"#)]).allSatisfy { if case .success = $0 { true } else { false } })
    }

    @Test func repairDropsTheDamagedSegmentAndKeepsTheRest() async throws {
        let dir = TempDir()
        let uuid = try await populate(dir)
        try damage("\(dir.path)/indices/\(uuid)/seg_0.seg")
        let reports = try await IndexRepair.run(dataPath: dir.path)
        let bad = try #require(reports.first { $0.name == "bad" })
        #expect(bad.healthBefore == "red")
        #expect(bad.healthAfter == "yellow")  // no longer red; yellow for the default replica
        #expect(bad.dropped.map(\.number) == [0])
        #expect(bad.dropped.first?.docCount == 200)
        #expect(bad.documentsLost == 200)
        #expect(bad.translogOperations == 10)
        #expect(bad.docCountAfter == 60)
        #expect(FileManager.default.fileExists(atPath: "\(dir.path)/corrupt/\(uuid)/seg_0.seg"))
        let good = try #require(reports.first { $0.name == "good" })
        #expect(good.dropped.isEmpty && good.healthAfter == "yellow" && good.docCountAfter == 1)

        // A normal start afterwards: green, the survivors searchable, writable again.
        let node = try Node(dataPath: dir.path)
        let svc = try #require(node.index(named: "bad"))
        #expect(svc.health == "yellow")
        #expect(try await count(svc) == 60)
        #expect(svc.get("d255")?.version == 1)
        #expect(svc.get("d5") == nil)
        #expect(await svc.write([try indexOp("d5", #"{"i":5}"#)]).allSatisfy { if case .success = $0 { true } else { false } })
    }

    @Test func repairOfAHealthyDataDirectoryChangesNothing() async throws {
        let dir = TempDir()
        _ = try await populate(dir)
        let reports = try await IndexRepair.run(dataPath: dir.path)
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.dropped.isEmpty && $0.healthAfter == "yellow" })
        #expect(reports.first { $0.name == "bad" }?.docCountAfter == 260)
    }

    @Test func headerDocCountIsReadableWhenTheChecksumFails() async throws {
        let dir = TempDir()
        let uuid = try await populate(dir)
        let path = "\(dir.path)/indices/\(uuid)/seg_0.seg"
        try damage(path)
        #expect(throws: (any Error).self) { _ = try Segment(path: path) }
        #expect(Segment.headerDocCount(path: path) == 200)
        #expect(Segment.headerDocCount(path: "\(dir.path)/nope.seg") == nil)
    }
}
