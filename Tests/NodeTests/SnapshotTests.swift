import Foundation
import Index
import JSON
@testable import Node
import Storage
import Testing

/// Snapshot manifests, their checksums, and a snapshot/restore round trip through the node.
@Suite struct SnapshotTests {
    func repoNode(_ dir: TempDir) throws -> Node {
        let node = try Node(dataPath: dir.path + "/data")
        try node.putRepository("r", body: try JSONParser.parse(#"{"type":"fs","settings":{"location":"backups"}}"#))
        return node
    }

    @Test func manifestRoundTripsThroughJSON() throws {
        let entry = SnapshotManifest.IndexEntry(
            name: "logs", uuid: "u1", mapping: try JSONParser.parse(#"{"properties":{"n":{"type":"long"}}}"#),
            settings: try JSONParser.parse(#"{"index.number_of_shards":"1"}"#), aliases: try JSONParser.parse(#"{"a":{}}"#),
            commit: CommitPoint(segments: [.init(number: 0, liveGeneration: 2), .init(number: 3, liveGeneration: 0)], maxSeqNo: 41, nextSegmentNumber: 4),
            docCount: 40, files: [.init(name: "seg_0.seg", length: 10, sha256: String(repeating: "a", count: 64))])
        let m = SnapshotManifest(snapshot: "s", uuid: "x", state: "SUCCESS", startMillis: 1, endMillis: 2, includeGlobalState: true,
                                 indices: [entry], failures: [("other", "gone")])
        let parsed = try SnapshotManifest.parse(try JSONParser.parse(JSONWriter.serialize(m.json)))
        #expect(parsed == m)
        #expect(parsed.indices[0].commit == entry.commit)
        #expect(parsed.failures.map(\.index) == ["other"])
    }

    @Test func manifestRejectsFileNamesWithPaths() throws {
        let bad = #"{"snapshot":"s","uuid":"x","state":"SUCCESS","start_time_in_millis":1,"end_time_in_millis":2,"indices":[{"name":"i","uuid":"u","mapping":{},"settings":{},"segments":[],"max_seq_no":-1,"next_segment":0,"files":[{"name":"../../etc/passwd","length":1,"sha256":"00"}]}]}"#
        #expect(throws: OpenSearchError.self) { try SnapshotManifest.parse(try JSONParser.parse(bad)) }
    }

    @Test func copyChecksumsAndVerifyCatchesCorruption() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        let src = dir.path + "/a", dst = dir.path + "/b"
        FileManager.default.createFile(atPath: src, contents: Data("abc".utf8))
        let (length, sum) = try SnapshotFiles.copy(from: src, to: dst)
        #expect(length == 3)
        // SHA-256("abc"), the FIPS 180-2 test vector.
        #expect(sum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let entry = SnapshotManifest.IndexEntry(name: "i", uuid: "u", mapping: .object(JSONObject()), settings: .object(JSONObject()),
                                                aliases: .object(JSONObject()), commit: CommitPoint(), docCount: 0,
                                                files: [.init(name: "b", length: length, sha256: sum)])
        try SnapshotFiles.verify(entry, in: dir.path, snapshot: "r:s")
        FileManager.default.createFile(atPath: dst, contents: Data("abd".utf8))
        #expect(throws: OpenSearchError.self) { try SnapshotFiles.verify(entry, in: dir.path, snapshot: "r:s") }
        try FileManager.default.removeItem(atPath: dst)
        #expect(throws: OpenSearchError.self) { try SnapshotFiles.verify(entry, in: dir.path, snapshot: "r:s") }
    }

    @Test func repositoryMustLieUnderPathRepo() throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path + "/data")
        do {
            try node.putRepository("bad", body: try JSONParser.parse(#"{"type":"fs","settings":{"location":"/tmp/elsewhere"}}"#))
            Issue.record("expected a repository_exception")
        } catch let error as OpenSearchError {
            #expect(error.type == "repository_exception")
            #expect(error.reason.contains("path.repo"))
        }
        do {
            try node.putRepository("dots", body: try JSONParser.parse(#"{"type":"fs","settings":{"location":"../../escape"}}"#))
            Issue.record("expected a repository_exception")
        } catch let error as OpenSearchError { #expect(error.type == "repository_exception") }
    }

    @Test func snapshotAndRestoreRoundTrip() async throws {
        let dir = TempDir()
        let node = try repoNode(dir)
        let svc = try node.createIndex("logs")
        var ops: [WriteOperation] = []
        for i in 0..<50 { ops.append(try indexOp("d\(i)", #"{"n":\#(i)}"#)) }
        _ = await svc.write(ops)
        try await svc.refresh()
        _ = await svc.write([.delete(id: "d3", conditions: WriteParameters()), try indexOp("d4", #"{"n":-4}"#)])
        // Not refreshed: still in the snapshot.
        _ = await svc.write([try indexOp("late", #"{"n":99}"#)])

        let m = try await node.createSnapshot(repository: "r", snapshot: "s1", body: nil)
        #expect(m.state == "SUCCESS")
        #expect(m.indices.map(\.docCount) == [50])
        #expect(node.runningSnapshotNames(repository: "r").isEmpty)
        #expect(try node.snapshots(repository: "r").map(\.snapshot) == ["s1"])

        await #expect(throws: OpenSearchError.self) { _ = try await node.createSnapshot(repository: "r", snapshot: "s1", body: nil) }
        #expect(throws: OpenSearchError.self) { _ = try node.restoreSnapshot(repository: "r", snapshot: "s1", body: nil) }

        _ = try node.deleteIndices("logs")
        let restored = try node.restoreSnapshot(repository: "r", snapshot: "s1", body: nil)
        #expect(restored.indices == ["logs"])
        let back = try #require(node.index(named: "logs"))
        #expect(back.docCount == 50)
        #expect(back.get("d3") == nil)
        #expect(back.get("d4").map { String(decoding: $0.source, as: UTF8.self) } == #"{"n":-4}"#)
        #expect(back.get("late")?.version == 1)
        #expect(back.get("d4")?.version == 2)

        let renamed = try node.restoreSnapshot(repository: "r", snapshot: "s1",
                                               body: try JSONParser.parse(#"{"rename_pattern":"logs","rename_replacement":"copy-of-logs"}"#))
        #expect(renamed.indices == ["copy-of-logs"])
        #expect(node.index(named: "copy-of-logs")?.docCount == 50)

        // After a restart both are recovered from their own files.
        let reopened = try Node(dataPath: dir.path + "/data")
        #expect(reopened.index(named: "logs")?.docCount == 50)
        #expect(reopened.index(named: "copy-of-logs")?.docCount == 50)
    }
}
