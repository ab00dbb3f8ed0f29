/// An index's commit point: which segment files (and which generation of their live-docs) hold
/// everything up to `maxSeqNo`. Stored in `catalog.sqlite` and updated in the same transaction that
/// trims the translog rows it covers, so recovery is "open the commit, replay what is left".
public struct CommitPoint: Sendable, Equatable {
    /// One committed segment: its file number and live-docs generation (0 = no deletions).
    public struct SegmentEntry: Sendable, Equatable {
        public var number: Int
        public var liveGeneration: Int

        public init(number: Int, liveGeneration: Int) {
            self.number = number
            self.liveGeneration = liveGeneration
        }
    }

    public var segments: [SegmentEntry]
    public var maxSeqNo: Int64
    public var nextSegmentNumber: Int

    public init(segments: [SegmentEntry] = [], maxSeqNo: Int64 = -1, nextSegmentNumber: Int = 0) {
        self.segments = segments
        self.maxSeqNo = maxSeqNo
        self.nextSegmentNumber = nextSegmentNumber
    }

    /// `number:gen,number:gen` — small enough not to need JSON.
    var encodedSegments: String { segments.map { "\($0.number):\($0.liveGeneration)" }.joined(separator: ",") }

    static func decodeSegments(_ s: String) -> [SegmentEntry] {
        s.split(separator: ",").compactMap { part in
            let f = part.split(separator: ":")
            guard f.count == 2, let n = Int(f[0]), let g = Int(f[1]) else { return nil }
            return SegmentEntry(number: n, liveGeneration: g)
        }
    }
}

extension Catalog {
    func createCommitTable() throws(StorageError) {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS commits(
                index_uuid TEXT PRIMARY KEY, segments TEXT NOT NULL, max_seq_no INTEGER NOT NULL, next_segment INTEGER NOT NULL);
            """)
    }

    public func commitPoint(uuid: String) throws(StorageError) -> CommitPoint? {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT segments, max_seq_no, next_segment FROM commits WHERE index_uuid = ?")
            try s.bind([.text(uuid)])
            guard try s.step() else { return nil }
            return CommitPoint(segments: CommitPoint.decodeSegments(s.text(0)), maxSeqNo: s.int(1), nextSegmentNumber: Int(s.int(2)))
        }
    }

    /// Records a new commit point and deletes the index's translog rows up to `translogRowID`, atomically.
    public func commit(uuid: String, _ point: CommitPoint, trimTranslogThrough translogRowID: Int64) throws(StorageError) {
        try db.transaction { c throws(StorageError) in
            try c.execute("INSERT OR REPLACE INTO commits(index_uuid, segments, max_seq_no, next_segment) VALUES (?,?,?,?)",
                          [.text(uuid), .text(point.encodedSegments), .int(point.maxSeqNo), .int(Int64(point.nextSegmentNumber))])
            if translogRowID > 0 {
                try c.execute("DELETE FROM translog WHERE id <= ? AND index_uuid = ?", [.int(translogRowID), .text(uuid)])
            }
        }
        compactIfDue()
    }

    /// Returns the space of trimmed translog rows to the file system now and then: a checkpoint that
    /// truncates the WAL, then an incremental vacuum of the free pages. Errors only delay it.
    func compactIfDue() {
        let due = compactionCounter.withLock { n -> Bool in
            n += 1
            return n % 64 == 0
        }
        guard due else { return }
        try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try? db.execute("PRAGMA incremental_vacuum")
    }
}
