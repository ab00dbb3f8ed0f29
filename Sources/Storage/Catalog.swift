import Foundation
import Synchronization

/// `data/catalog.sqlite`: index metadata (name, uuid, settings, mappings) and the append-only
/// translog. One SQLite file so that a bulk request's documents and the mapping updates they caused
/// commit in the same transaction.
public final class Catalog: Sendable {
    public let db: SQLiteDatabase
    /// Commits since start-up, to space out compactions.
    let compactionCounter = Mutex(0)

    /// A stored index definition.
    public struct IndexRecord: Sendable, Equatable {
        public var name: String
        public var uuid: String
        public var createdMillis: Int64
        public var settings: String
        public var mappings: String

        public init(name: String, uuid: String, createdMillis: Int64, settings: String, mappings: String) {
            self.name = name
            self.uuid = uuid
            self.createdMillis = createdMillis
            self.settings = settings
            self.mappings = mappings
        }
    }

    /// Opens (creating if needed) the catalog under `dataDirectory`.
    public init(dataDirectory: String) throws(StorageError) {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StorageError(.io, "cannot create data directory \(dataDirectory): \(error)")
        }
        db = try SQLiteDatabase(path: dataDirectory + "/catalog.sqlite")
        try db.execute("""
            CREATE TABLE IF NOT EXISTS indices(
                name TEXT PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL,
                settings TEXT NOT NULL, mappings TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS translog(
                id INTEGER PRIMARY KEY, index_uuid TEXT NOT NULL, op INTEGER NOT NULL, doc_id TEXT NOT NULL,
                seq_no INTEGER NOT NULL, version INTEGER NOT NULL, primary_term INTEGER NOT NULL, source BLOB, routing TEXT);
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """)
        // Catalogs made before routing was recorded lack the column.
        try? db.execute("ALTER TABLE translog ADD COLUMN routing TEXT")
        try createCommitTable()
        try createMetadataTable()
    }

    public func indices() throws(StorageError) -> [IndexRecord] {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT name, uuid, created_ms, settings, mappings FROM indices ORDER BY name")
            var out: [IndexRecord] = []
            while try s.step() {
                out.append(IndexRecord(name: s.text(0), uuid: s.text(1), createdMillis: s.int(2), settings: s.text(3), mappings: s.text(4)))
            }
            return out
        }
    }

    public func createIndex(_ r: IndexRecord) throws(StorageError) {
        try db.transaction { c throws(StorageError) in
            try c.execute("INSERT INTO indices(name, uuid, created_ms, settings, mappings) VALUES (?,?,?,?,?)",
                          [.text(r.name), .text(r.uuid), .int(r.createdMillis), .text(r.settings), .text(r.mappings)])
        }
    }

    /// Removes an index and every translog row it had, and returns the freed pages to the file
    /// system (a deleted index must free the disk).
    public func deleteIndex(uuid: String) throws(StorageError) {
        defer {
            try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try? db.execute("PRAGMA incremental_vacuum")
        }
        try db.transaction { c throws(StorageError) in
            try c.execute("DELETE FROM indices WHERE uuid = ?", [.text(uuid)])
            try c.execute("DELETE FROM translog WHERE index_uuid = ?", [.text(uuid)])
            try c.execute("DELETE FROM commits WHERE index_uuid = ?", [.text(uuid)])
            try c.execute("DELETE FROM metadata WHERE name = ? AND kind IN ('aliases', 'ism_state')", [.text(uuid)])
        }
    }

    public func updateIndex(uuid: String, settings: String? = nil, mappings: String? = nil) throws(StorageError) {
        try db.transaction { c throws(StorageError) in
            if let s = settings { try c.execute("UPDATE indices SET settings = ? WHERE uuid = ?", [.text(s), .text(uuid)]) }
            if let m = mappings { try c.execute("UPDATE indices SET mappings = ? WHERE uuid = ?", [.text(m), .text(uuid)]) }
        }
    }

    public func meta(_ key: String) throws(StorageError) -> String? {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT value FROM meta WHERE key = ?")
            try s.bind([.text(key)])
            return try s.step() ? s.text(0) : nil
        }
    }

    public func setMeta(_ key: String, _ value: String) throws(StorageError) {
        try db.transaction { c throws(StorageError) in
            try c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [.text(key), .text(value)])
        }
    }
}
