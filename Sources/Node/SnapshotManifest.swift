import Crypto
import Foundation
import Index
import JSON
import Storage

/// What one snapshot holds, written last (as `manifest.json` in the snapshot's folder) so that a
/// snapshot without a manifest is one that never finished. Per index: the metadata needed to
/// re-create it (mapping, settings, aliases), the commit point its files form, and every file
/// with its length and SHA-256, which a restore checks before it uses anything.
public struct SnapshotManifest: Sendable, Equatable {
    public struct FileEntry: Sendable, Equatable {
        public var name: String
        public var length: Int
        public var sha256: String

        public init(name: String, length: Int, sha256: String) {
            self.name = name
            self.length = length
            self.sha256 = sha256
        }
    }

    public struct IndexEntry: Sendable, Equatable {
        public var name: String
        public var uuid: String
        public var mapping: JSONValue
        /// Flat settings (`index.number_of_shards`: "1", …).
        public var settings: JSONValue
        /// alias name → alias definition.
        public var aliases: JSONValue
        public var commit: CommitPoint
        public var docCount: Int
        public var files: [FileEntry]

        public var sizeInBytes: Int { files.reduce(0) { $0 + $1.length } }
    }

    public var snapshot: String
    public var uuid: String
    public var state: String
    public var startMillis: Int64
    public var endMillis: Int64
    public var includeGlobalState: Bool
    public var indices: [IndexEntry]
    /// Indices that could not be snapshotted, with the reason.
    public var failures: [(index: String, reason: String)]

    public static func == (a: SnapshotManifest, b: SnapshotManifest) -> Bool {
        a.json == b.json
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("snapshot", .string(snapshot)), ("uuid", .string(uuid)), ("state", .string(state)),
            ("start_time_in_millis", .int(startMillis)), ("end_time_in_millis", .int(endMillis)),
            ("include_global_state", .bool(includeGlobalState)),
            ("indices", .array(indices.map { i in
                .object(JSONObject([
                    ("name", .string(i.name)), ("uuid", .string(i.uuid)), ("mapping", i.mapping), ("settings", i.settings),
                    ("aliases", i.aliases),
                    ("segments", .array(i.commit.segments.map { .array([.number($0.number), .number($0.liveGeneration)]) })),
                    ("max_seq_no", .int(i.commit.maxSeqNo)), ("next_segment", .number(i.commit.nextSegmentNumber)),
                    ("doc_count", .number(i.docCount)),
                    ("files", .array(i.files.map { f in
                        .object(JSONObject([("name", .string(f.name)), ("length", .number(f.length)), ("sha256", .string(f.sha256))]))
                    })),
                ]))
            })),
            ("failures", .array(failures.map { .object(JSONObject([("index", .string($0.index)), ("reason", .string($0.reason))])) })),
        ]))
    }

    public static func parse(_ v: JSONValue) throws(OpenSearchError) -> SnapshotManifest {
        func bad(_ what: String) -> OpenSearchError {
            OpenSearchError("snapshot_exception", "snapshot manifest is malformed: \(what)", status: 500)
        }
        guard let snapshot = v["snapshot"]?.stringValue, let uuid = v["uuid"]?.stringValue, let state = v["state"]?.stringValue,
              let start = v["start_time_in_millis"]?.int64Value, let end = v["end_time_in_millis"]?.int64Value,
              let list = v["indices"]?.arrayValue else { throw bad("missing snapshot fields") }
        var indices: [IndexEntry] = []
        for i in list {
            guard let name = i["name"]?.stringValue, let iuuid = i["uuid"]?.stringValue, let mapping = i["mapping"],
                  let settings = i["settings"], let segs = i["segments"]?.arrayValue, let maxSeq = i["max_seq_no"]?.int64Value,
                  let next = i["next_segment"]?.int64Value, let files = i["files"]?.arrayValue else { throw bad("index entry") }
            var segments: [CommitPoint.SegmentEntry] = []
            for s in segs {
                guard let pair = s.arrayValue, pair.count == 2, let n = pair[0].int64Value, let g = pair[1].int64Value else { throw bad("segment entry") }
                segments.append(.init(number: Int(n), liveGeneration: Int(g)))
            }
            var entries: [FileEntry] = []
            for f in files {
                guard let fname = f["name"]?.stringValue, let len = f["length"]?.int64Value, let sum = f["sha256"]?.stringValue,
                      SnapshotFiles.isPlainName(fname) else { throw bad("file entry") }
                entries.append(FileEntry(name: fname, length: Int(len), sha256: sum))
            }
            indices.append(IndexEntry(name: name, uuid: iuuid, mapping: mapping, settings: settings, aliases: i["aliases"] ?? .object(JSONObject()),
                                      commit: CommitPoint(segments: segments, maxSeqNo: maxSeq, nextSegmentNumber: Int(next)),
                                      docCount: Int(i["doc_count"]?.int64Value ?? 0), files: entries))
        }
        let failures = (v["failures"]?.arrayValue ?? []).compactMap { f -> (index: String, reason: String)? in
            guard let i = f["index"]?.stringValue else { return nil }
            return (i, f["reason"]?.stringValue ?? "")
        }
        return SnapshotManifest(snapshot: snapshot, uuid: uuid, state: state, startMillis: start, endMillis: end,
                                includeGlobalState: v["include_global_state"]?.boolValue ?? false, indices: indices, failures: failures)
    }
}

/// Copying files into and out of a snapshot with their SHA-256, and checking them.
public enum SnapshotFiles {
    static let chunk = 1 << 20

    /// A file name with no path in it (manifests are input: never let one point elsewhere).
    static func isPlainName(_ n: String) -> Bool {
        !n.isEmpty && !n.contains("/") && n != "." && n != ".."
    }

    /// Copies `source` to `destination` (fsynced), returning its length and SHA-256 as read.
    public static func copy(from source: String, to destination: String) throws(OpenSearchError) -> (length: Int, sha256: String) {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw OpenSearchError("snapshot_exception", "cannot open [\(source)] for reading", status: 500)
        }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil), let output = FileHandle(forWritingAtPath: destination) else {
            throw OpenSearchError("snapshot_exception", "cannot create [\(destination)]", status: 500)
        }
        defer { try? output.close() }
        var hasher = SHA256()
        var length = 0
        do {
            while let data = try input.read(upToCount: chunk), !data.isEmpty {
                hasher.update(data: data)
                try output.write(contentsOf: data)
                length += data.count
            }
            try output.synchronize()
        } catch {
            throw OpenSearchError("snapshot_exception", "copying [\(source)] to [\(destination)] failed: \(error)", status: 500)
        }
        return (length, hex(hasher.finalize()))
    }

    /// The length and SHA-256 of a file.
    public static func checksum(_ path: String) throws(OpenSearchError) -> (length: Int, sha256: String) {
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw OpenSearchError("snapshot_exception", "cannot open [\(path)] for reading", status: 500)
        }
        defer { try? input.close() }
        var hasher = SHA256()
        var length = 0
        do {
            while let data = try input.read(upToCount: chunk), !data.isEmpty {
                hasher.update(data: data)
                length += data.count
            }
        } catch {
            throw OpenSearchError("snapshot_exception", "reading [\(path)] failed: \(error)", status: 500)
        }
        return (length, hex(hasher.finalize()))
    }

    /// Checks every file of `entry` in `directory`; the first mismatch (missing, other length,
    /// other checksum) is the error.
    public static func verify(_ entry: SnapshotManifest.IndexEntry, in directory: String, snapshot: String) throws(OpenSearchError) {
        for f in entry.files {
            let path = "\(directory)/\(f.name)"
            func corrupt(_ what: String) -> OpenSearchError {
                OpenSearchError("snapshot_restore_exception",
                                "[\(snapshot)] cannot restore index [\(entry.name)]: snapshot file [\(f.name)] is corrupted (\(what))", status: 500)
            }
            guard FileManager.default.fileExists(atPath: path) else { throw corrupt("missing") }
            let (length, sum) = try checksum(path)
            if length != f.length { throw corrupt("length \(length), expected \(f.length)") }
            if sum != f.sha256 { throw corrupt("sha256 \(sum), expected \(f.sha256)") }
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { b in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }.joined()
    }
}
