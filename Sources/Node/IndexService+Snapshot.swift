import Foundation
import Index
import JSON
import Storage

extension IndexService {
    /// A point in time of the index for a snapshot: the committed files that hold every write
    /// acknowledged before it was taken, pinned until `releaseSnapshotPin()`.
    struct CommitCapture {
        let files: [String]
        let commit: CommitPoint
        let mapping: Mapping
        let settings: IndexSettings
        let docCount: Int
    }

    /// Commits the indexing buffer (as an unpublished segment: searchers see nothing new before
    /// the next refresh), then pins the commit's files so merges and refreshes that follow keep
    /// them on disk while they are copied. Runs on the write queue, so no batch is half in.
    func captureCommit() async throws(OpenSearchError) -> CommitCapture {
        let r: Result<CommitCapture, OpenSearchError> = await withCheckedContinuation { cont in
            writeQueue.async {
                do throws(OpenSearchError) {
                    if self.state.withLock({ $0.closed }) { throw OpenSearchError.indexNotFound(self.name) }
                    try self.flushBufferOnQueue(publish: false)
                    let capture = self.state.withLock { s in
                        s.snapshotPins += 1
                        let files = s.segments.flatMap { v in
                            ["seg_\(v.number).seg"] + (v.liveGeneration > 0 ? ["seg_\(v.number)_\(v.liveGeneration).liv"] : [])
                        }
                        let point = CommitPoint(segments: s.segments.map { .init(number: $0.number, liveGeneration: $0.liveGeneration) },
                                                maxSeqNo: s.maxSeqNo, nextSegmentNumber: s.nextSegmentNumber)
                        return CommitCapture(files: files, commit: point, mapping: s.mapping, settings: s.settings,
                                             docCount: s.segments.reduce(0) { $0 + $1.liveCount })
                    }
                    cont.resume(returning: .success(capture))
                } catch {
                    cont.resume(returning: .failure(error))
                }
            }
        }
        return try r.get()
    }

    /// Ends a `captureCommit()` pin; the last one removes the files that became obsolete meanwhile.
    func releaseSnapshotPin() {
        let obsolete: [String] = state.withLock { s in
            s.snapshotPins -= 1
            guard s.snapshotPins == 0 else { return [] }
            defer { s.deferredRemovals = [] }
            return s.deferredRemovals
        }
        for p in obsolete { try? FileManager.default.removeItem(atPath: p) }
    }
}
