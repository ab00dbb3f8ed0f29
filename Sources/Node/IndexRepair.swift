import Foundation
import Index
import Logging
import Storage

/// `searchlight repair`: brings red indices (a segment that fails its checksum, a missing or
/// damaged live-docs file) back to a servable state, offline, with the server stopped.
///
/// What it can and cannot recover: a refresh commits a segment and trims the translog rows it
/// covers in one transaction, so the documents of a dropped segment are gone unless a later
/// translog row rewrote them; the translog tail (everything acknowledged since the last commit)
/// and every intact segment are kept. The damaged files are moved to `<data>/corrupt/<uuid>/`
/// rather than deleted, and the report says exactly how many documents each one held.
public enum IndexRepair {
    /// One segment taken out of an index's commit point.
    public struct DroppedSegment: Sendable {
        public var number: Int
        public var file: String
        /// Why it could not be opened.
        public var problem: String
        /// Documents in the file, from its header (nil when the header is unreadable).
        public var docCount: Int?
        /// Live documents per its live-docs file (nil: none, or unreadable).
        public var liveCount: Int?
        /// Where the damaged files were moved.
        public var movedTo: [String]
    }

    /// The outcome for one index.
    public struct IndexReport: Sendable {
        public var name: String
        public var uuid: String
        /// Health before the repair: `red` when a segment could not be opened, else `green`.
        public var healthBefore: String
        public var dropped: [DroppedSegment]
        /// Translog operations replayed on top of the intact segments.
        public var translogOperations: Int
        /// Live documents after the repair (searchable).
        public var docCountAfter: Int
        /// `green`, or `yellow` when the index asks for replicas; `red` if it still cannot open.
        public var healthAfter: String
        /// Set when the index is still red afterwards.
        public var remainingProblem: String?

        /// Documents known lost: the live documents of the dropped segments (their header count
        /// when the live-docs file is gone too); nil when a header was unreadable.
        public var documentsLost: Int? {
            var total = 0
            for d in dropped {
                guard let n = d.liveCount ?? d.docCount else { return nil }
                total += n
            }
            return total
        }
    }

    /// Repairs `index` (every index when nil) in the stopped node's `dataPath`.
    public static func run(dataPath: String, index: String? = nil, logger: Logger = Logger(label: "searchlight.repair")) async throws(StorageError) -> [IndexReport] {
        let catalog = try Catalog(dataDirectory: dataPath)
        let records = try catalog.indices().filter { index == nil || $0.name == index }
        if let index, records.isEmpty { throw StorageError(.io, "no index named [\(index)] in \(dataPath)") }
        var reports: [IndexReport] = []
        for r in records {
            let directory = "\(dataPath)/indices/\(r.uuid)"
            let point = try catalog.commitPoint(uuid: r.uuid) ?? CommitPoint()
            var kept: [CommitPoint.SegmentEntry] = []
            var dropped: [DroppedSegment] = []
            for e in point.segments {
                let segPath = "\(directory)/seg_\(e.number).seg"
                let livPath = "\(directory)/seg_\(e.number)_\(e.liveGeneration).liv"
                var problem: String? = nil
                do {
                    _ = try Segment(path: segPath)
                    if e.liveGeneration > 0 { _ = try LiveDocs.read(from: livPath) }
                } catch { problem = "\(error)" }
                guard let problem else { kept.append(e); continue }
                let live = e.liveGeneration > 0 ? (try? LiveDocs.read(from: livPath))?.liveCount : Segment.headerDocCount(path: segPath)
                let quarantine = "\(dataPath)/corrupt/\(r.uuid)"
                var moved: [String] = []
                try? FileManager.default.createDirectory(atPath: quarantine, withIntermediateDirectories: true)
                for f in [segPath] + (e.liveGeneration > 0 ? [livPath] : []) where FileManager.default.fileExists(atPath: f) {
                    let to = "\(quarantine)/\((f as NSString).lastPathComponent)"
                    try? FileManager.default.removeItem(atPath: to)
                    do { try FileManager.default.moveItem(atPath: f, toPath: to); moved.append(to) } catch {
                        logger.warning("could not move \(f) aside: \(error)")
                    }
                }
                dropped.append(DroppedSegment(number: e.number, file: segPath, problem: problem, docCount: Segment.headerDocCount(path: moved.first ?? segPath),
                                              liveCount: live, movedTo: moved))
            }
            let operations = try catalog.translogCount(uuid: r.uuid)
            if !dropped.isEmpty {
                // The intact segments stay; the translog is not trimmed, so the next open replays it.
                let next = CommitPoint(segments: kept, maxSeqNo: point.maxSeqNo, nextSegmentNumber: point.nextSegmentNumber)
                try catalog.commit(uuid: r.uuid, next, trimTranslogThrough: 0)
                for d in dropped {
                    logger.warning("[\(r.name)] dropped segment \(d.number) (\(d.docCount.map(String.init) ?? "unknown") docs): \(d.problem)")
                }
            }
            reports.append(IndexReport(name: r.name, uuid: r.uuid, healthBefore: dropped.isEmpty ? "green" : "red", dropped: dropped,
                                       translogOperations: operations, docCountAfter: 0, healthAfter: "red", remainingProblem: nil))
        }
        // Open the node as `serve` would: the translog tail is replayed and committed, and every
        // repaired index must now open cleanly.
        let node = try Node(dataPath: dataPath, logger: logger)
        for i in reports.indices {
            guard let svc = node.index(named: reports[i].name) else { continue }
            await svc.waitForMerges()
            reports[i].docCountAfter = svc.docCount
            reports[i].healthAfter = svc.health
            reports[i].remainingProblem = svc.unavailableReason?.reason
            if reports[i].healthBefore == "green", svc.unavailableReason != nil { reports[i].healthBefore = "red" }
        }
        return reports
    }
}
