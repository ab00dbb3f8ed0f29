import Foundation
import Testing
@testable import Storage

/// The storage pieces `searchlight repair` and the disk-full path rely on.
@Suite struct ReliabilityStorageTests {
    @Test func translogCountIsPerIndexAndCatalogChecksClean() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            let a = (0..<3).map { TranslogEntry(indexUUID: "a", op: .index, id: "d\($0)", seqNo: Int64($0), version: 1, primaryTerm: 1, source: Array("{}".utf8)) }
            let rowID = try c.append(a)
            try c.append([TranslogEntry(indexUUID: "b", op: .delete, id: "x", seqNo: 0, version: 2, primaryTerm: 1, source: [])])
            #expect(try c.translogCount(uuid: "a") == 3)
            #expect(try c.translogCount(uuid: "b") == 1)
            // A commit without trimming (what repair records) keeps the tail for replay.
            try c.commit(uuid: "a", CommitPoint(segments: [.init(number: 1, liveGeneration: 0)], maxSeqNo: 2, nextSegmentNumber: 2),
                         trimTranslogThrough: 0)
            #expect(try c.translogCount(uuid: "a") == 3)
            try c.commit(uuid: "a", CommitPoint(segments: [], maxSeqNo: 2, nextSegmentNumber: 2), trimTranslogThrough: rowID)
            #expect(try c.translogCount(uuid: "a") == 0)
            #expect(try c.translogCount(uuid: "b") == 1)
            #expect(try c.integrityCheck() == "ok")
        }
    }

    @Test(arguments: [
        (StorageError.Code.sql, Int32(13), "No space left on device"),
        (.sql, 13 | (1 << 8), "No space left on device"),  // extended result codes keep the primary code in the low byte
        (.sql, 8, "Read-only file system"),
        (.io, 28, "No space left on device"),
        (.io, 30, "Read-only file system"),
    ])
    func diskConditionsAreNamed(code: StorageError.Code, underlying: Int32, expected: String) {
        let e = StorageError(code, "write failed", underlying: underlying)
        #expect(e.condition == expected)
        #expect(e.description.contains(expected))
    }

    /// SQLite reports a write to a read-only disk as a bare SQLITE_IOERR_WRITE; the errno found
    /// behind it names the condition.
    @Test(arguments: [(Int32(30), "Read-only file system"), (28, "No space left on device"), (5, "Input/output error"), (122, "Disk quota exceeded")])
    func ioErrorsNameTheSystemCondition(errno: Int32, expected: String) {
        let e = StorageError(.sql, "disk I/O error", underlying: 778, osError: errno)
        #expect(e.condition == expected)
        #expect(e.description == "sql error (778): disk I/O error [\(expected)]")
    }

    /// A segment that cannot be opened carries its errno; EACCES (13) is not SQLITE_FULL (13).
    @Test func segmentOpenErrnoIsNotReadAsAnSQLiteCode() {
        #expect(StorageError(.open, "cannot open segment", underlying: 13, osError: 13).condition == nil)
        #expect(StorageError(.open, "cannot open segment", underlying: 30, osError: 30).condition == "Read-only file system")
    }

    @Test func writableFileSystemHasNoConditionAndKeepsNoProbe() throws {
        try withTempDirectory { dir in
            #expect(FileSystemState.errno(at: dir + "/catalog.sqlite") == 0)
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(left.isEmpty)
        }
    }

    @Test func otherFailuresNameNoCondition() {
        #expect(StorageError(.sql, "constraint", underlying: 19).condition == nil)
        #expect(StorageError(.io, "missing", underlying: 2).condition == nil)
        #expect(StorageError(.corrupt, "checksum mismatch").condition == nil)
    }
}
