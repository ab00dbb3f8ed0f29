import Dispatch
import Metrics

/// One write operation as the translog records it: enough to replay it exactly
/// (same `_seq_no`, `_version`, `_primary_term`) after a crash.
public struct TranslogEntry: Sendable, Equatable {
    public enum Operation: Int64, Sendable { case index = 0, delete = 1 }

    public var indexUUID: String
    public var op: Operation
    public var id: String
    public var seqNo: Int64
    public var version: Int64
    public var primaryTerm: Int64
    public var source: [UInt8]
    public var routing: String?

    public init(indexUUID: String, op: Operation, id: String, seqNo: Int64, version: Int64, primaryTerm: Int64, source: [UInt8], routing: String? = nil) {
        self.routing = routing
        self.indexUUID = indexUUID
        self.op = op
        self.id = id
        self.seqNo = seqNo
        self.version = version
        self.primaryTerm = primaryTerm
        self.source = source
    }
}

/// The write-ahead log in `catalog.sqlite`: one transaction per bulk request per index, committed
/// with `synchronous=FULL` before the request is acknowledged.
extension Catalog {
    /// Appends entries (and an optional new mapping for their index) in one durable transaction.
    /// Returns the rowid of the last entry (0 when none), the watermark a later commit trims through.
    @discardableResult
    public func append(_ entries: [TranslogEntry], mappingUpdate: (uuid: String, mappings: String)? = nil) throws(StorageError) -> Int64 {
        if entries.isEmpty && mappingUpdate == nil { return 0 }
        // The durable commit (synchronous=FULL: the fsync) is what a bulk request waits for.
        let started = DispatchTime.now().uptimeNanoseconds
        defer { Catalog.translogSyncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started)) }
        return try db.transaction { c throws(StorageError) -> Int64 in
            let s = try c.prepare("INSERT INTO translog(index_uuid, op, doc_id, seq_no, version, primary_term, source, routing) VALUES (?,?,?,?,?,?,?,?)")
            for e in entries {
                try s.bind([.text(e.indexUUID), .int(e.op.rawValue), .text(e.id), .int(e.seqNo), .int(e.version),
                            .int(e.primaryTerm), e.op == .delete ? .null : .blob(e.source), e.routing.map { .text($0) } ?? .null])
                _ = try s.step()
            }
            if let m = mappingUpdate {
                try c.execute("UPDATE indices SET mappings = ? WHERE uuid = ?", [.text(m.mappings), .text(m.uuid)])
            }
            return c.lastInsertRowID
        }
    }

    /// Time of each translog transaction (write + fsync), `searchlight_translog_fsync_seconds`.
    /// Made per use: a handler made before `MetricsSystem.bootstrap` would stay a no-op.
    static var translogSyncTimer: Timer { Timer(label: "searchlight_translog_fsync_seconds") }

    /// Replays the entries of one index in commit order.
    public func replay(uuid: String, _ body: (TranslogEntry, Int64) -> Void) throws(StorageError) {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT index_uuid, op, doc_id, seq_no, version, primary_term, source, routing, id FROM translog WHERE index_uuid = ? ORDER BY id")
            try s.bind([.text(uuid)])
            while try s.step() {
                body(TranslogEntry(indexUUID: s.text(0), op: TranslogEntry.Operation(rawValue: s.int(1)) ?? .index, id: s.text(2),
                                   seqNo: s.int(3), version: s.int(4), primaryTerm: s.int(5), source: s.blob(6),
                                   routing: s.isNull(7) ? nil : s.text(7)), s.int(8))
            }
        }
    }

    /// Replays every entry in commit order.
    public func replay(_ body: (TranslogEntry) -> Void) throws(StorageError) {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT index_uuid, op, doc_id, seq_no, version, primary_term, source, routing FROM translog ORDER BY id")
            while try s.step() {
                body(TranslogEntry(indexUUID: s.text(0), op: TranslogEntry.Operation(rawValue: s.int(1)) ?? .index, id: s.text(2),
                                   seqNo: s.int(3), version: s.int(4), primaryTerm: s.int(5), source: s.blob(6),
                                   routing: s.isNull(7) ? nil : s.text(7)))
            }
        }
    }

    /// Number of translog rows (all indices).
    public func translogCount() throws(StorageError) -> Int {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT count(*) FROM translog")
            _ = try s.step()
            return Int(s.int(0))
        }
    }

    /// Number of translog rows of one index: the operations a restart (or `searchlight repair`) replays.
    public func translogCount(uuid: String) throws(StorageError) -> Int {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT count(*) FROM translog WHERE index_uuid = ?")
            try s.bind([.text(uuid)])
            _ = try s.step()
            return Int(s.int(0))
        }
    }

    /// SQLite's `PRAGMA integrity_check`: "ok", or the problems it found.
    public func integrityCheck() throws(StorageError) -> String {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("PRAGMA integrity_check")
            var lines: [String] = []
            while try s.step() { lines.append(s.text(0)) }
            return lines.joined(separator: "; ")
        }
    }
}
