import CSQLite
import Synchronization

/// A single SQLite connection (system libsqlite3) in WAL mode with `synchronous=FULL`, so a
/// committed transaction survives `kill -9` and power loss.
///
/// `@unchecked Sendable`: every use of the raw handle goes through `mutex`, which serialises access
/// to the connection across threads.
public final class SQLiteDatabase: @unchecked Sendable {
    let handle: OpaquePointer
    let mutex = Mutex(())
    public let path: String

    public init(path: String) throws(StorageError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            let os = db.map { SQLiteDatabase.systemErrno($0, rc) } ?? 0
            if let db { sqlite3_close(db) }
            throw StorageError(.open, "\(path): \(msg)", underlying: rc, osError: os)
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
        // Free pages go back to the file system (translog rows are deleted as soon as a commit
        // covers them); only effective on a new database, before the first table.
        try execute("PRAGMA auto_vacuum=INCREMENTAL")
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
    }

    deinit { sqlite3_close_v2(handle) }

    /// The errno behind result code `rc` when it is an OS-level failure (I/O, full disk, cannot
    /// open, read-only), else 0. SQLite's own record (`sqlite3_system_errno`) is often 0 by the
    /// time the error surfaces (a failed WAL write reaches the caller as a bare "disk I/O error"),
    /// so the file system itself is asked then: mounted read-only, or out of space.
    static func systemErrno(_ db: OpaquePointer, _ rc: Int32) -> Int32 {
        switch rc & 0xff {
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY:
            let e = sqlite3_system_errno(db)
            if e != 0 { return e }
            guard let name = sqlite3_db_filename(db, "main") else { return 0 }
            return FileSystemState.errno(at: String(cString: name))
        default: return 0
        }
    }

    /// A `.sql` error for result code `rc` on `db`, with its message and errno.
    static func failure(_ db: OpaquePointer, _ rc: Int32, _ message: String? = nil) -> StorageError {
        return StorageError(.sql, message ?? String(cString: sqlite3_errmsg(db)), underlying: rc, osError: systemErrno(db, rc))
    }

    /// Runs statements that return no rows.
    public func execute(_ sql: String) throws(StorageError) {
        try mutex.withLock { _ throws(StorageError) in try executeLocked(sql) }
    }

    func executeLocked(_ sql: String) throws(StorageError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? "error"
            sqlite3_free(err)
            throw SQLiteDatabase.failure(handle, rc, msg)
        }
    }

    /// Runs `body` inside one transaction with the connection locked; rolls back on error.
    public func transaction<T>(_ body: (Connection) throws(StorageError) -> T) throws(StorageError) -> T {
        try mutex.withLock { _ throws(StorageError) -> T in
            try executeLocked("BEGIN IMMEDIATE")
            do throws(StorageError) {
                let r = try body(Connection(handle: handle))
                try executeLocked("COMMIT")
                return r
            } catch {
                try? executeLocked("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` with the connection locked, outside any explicit transaction (reads).
    public func read<T>(_ body: (Connection) throws(StorageError) -> T) throws(StorageError) -> T {
        try mutex.withLock { _ throws(StorageError) -> T in try body(Connection(handle: handle)) }
    }

    /// A borrowed view of the locked connection, valid only inside `transaction`/`read`.
    public struct Connection {
        let handle: OpaquePointer

        public func prepare(_ sql: String) throws(StorageError) -> Statement {
            var stmt: OpaquePointer?
            let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
            guard rc == SQLITE_OK, let stmt else {
                throw SQLiteDatabase.failure(handle, rc)
            }
            return Statement(stmt: stmt, db: handle)
        }

        public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

        public func execute(_ sql: String, _ args: [SQLiteValue] = []) throws(StorageError) {
            let s = try prepare(sql)
            try s.bind(args)
            while try s.step() {}
        }
    }
}

/// A value bound to or read from a statement.
public enum SQLiteValue: Sendable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// A prepared statement; finalised when released.
public final class Statement {
    let stmt: OpaquePointer
    let db: OpaquePointer

    init(stmt: OpaquePointer, db: OpaquePointer) {
        self.stmt = stmt
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func bind(_ args: [SQLiteValue]) throws(StorageError) {
        sqlite3_reset(stmt)
        for (i, a) in args.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch a {
            case .int(let v): rc = sqlite3_bind_int64(stmt, idx, v)
            case .text(let s):
                // Bind by byte count so text with U+0000 survives.
                var copy = s
                rc = copy.withUTF8 { u in
                    u.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(stmt, idx, $0.baseAddress, Int32($0.count), Statement.transient) }
                }
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count), Statement.transient) }
            case .null: rc = sqlite3_bind_null(stmt, idx)
            }
            if rc != SQLITE_OK { throw SQLiteDatabase.failure(db, rc) }
        }
    }

    /// Steps once; true while a row is available.
    public func step() throws(StorageError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw SQLiteDatabase.failure(db, rc)
    }

    public func int(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }

    public func text(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func blob(_ col: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard n > 0, let p = sqlite3_column_blob(stmt, col) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func isNull(_ col: Int32) -> Bool { sqlite3_column_type(stmt, col) == SQLITE_NULL }
}
