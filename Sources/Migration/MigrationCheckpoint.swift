import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a migration has finished, saved after every acknowledged `_bulk` so that an interrupted
/// run (Ctrl-C, kill, `--max-batches`) continues where it stopped. Documents are read in
/// `_seq_no` order; `afterSeqNo` is the `_seq_no` of the last document of the last acknowledged
/// batch. A rerun asks for `_seq_no >= afterSeqNo` again (ties exist across shards of an
/// OpenSearch source), so at most a batch is sent twice — harmless, `index` with the same `_id`
/// overwrites.
public struct MigrationCheckpoint: Codable, Equatable, Sendable {
    public struct IndexState: Codable, Equatable, Sendable {
        /// The destination index exists (created by this migration or already there).
        public var created = false
        /// Every document copied (aliases and deferred settings may still be pending).
        public var documentsDone = false
        /// Aliases and deferred settings applied too: nothing left for this index.
        public var done = false
        /// `_seq_no` of the last acknowledged document, nil before the first batch.
        public var afterSeqNo: Int64?
        /// Documents acknowledged so far (over all runs; re-sent ones counted again).
        public var copied = 0

        public init() {}
    }

    public var version = 1
    public var from: String
    public var to: String
    public var templatesDone = false
    public var policiesDone = false
    public var indices: [String: IndexState] = [:]

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    /// The checkpoint at `path`, nil when there is none.
    public static func load(_ path: String) throws(MigrationError) -> MigrationCheckpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(MigrationCheckpoint.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .failed("cannot read checkpoint \(path): \(error) (delete it or pass --fresh to start over)")
        }
    }

    /// Written to a temporary file and renamed over `path`: a kill mid-write leaves the old one.
    public func save(_ path: String) throws(MigrationError) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let tmp = path + ".tmp"
        do {
            try enc.encode(self).write(to: URL(fileURLWithPath: tmp))
            if rename(tmp, path) != 0 { throw MigrationError.failed("rename \(tmp) → \(path) failed (errno \(errno))") }
        } catch let e as MigrationError {
            throw e
        } catch {
            throw .failed("cannot write checkpoint \(path): \(error)")
        }
    }

    /// `search_after` for the next page of an index: nil at the start; otherwise just before
    /// `afterSeqNo`, so documents tied with it (other shards of an OpenSearch source) are not lost.
    /// With a point in time the sort carries the `_shard_doc` tiebreaker too.
    public static func searchAfter(resumingAt seqNo: Int64?, withTiebreaker: Bool) -> [Int64]? {
        guard let seqNo else { return nil }
        return withTiebreaker ? [seqNo - 1, Int64.max] : [seqNo - 1]
    }
}
