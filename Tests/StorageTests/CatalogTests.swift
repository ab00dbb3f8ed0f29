import Foundation
import Testing
@testable import Storage

@Suite struct CatalogIndexTests {
    @Test func createListAndDeleteIndices() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            #expect(try c.indices().isEmpty)
            try c.createIndex(record("zeta"))
            try c.createIndex(record("alpha", settings: #"{"a":1}"#, mappings: #"{"properties":{}}"#))
            let all = try c.indices()
            #expect(all.map(\.name) == ["alpha", "zeta"])  // ordered by name
            #expect(all[0] == record("alpha", settings: #"{"a":1}"#, mappings: #"{"properties":{}}"#))
            try c.deleteIndex(uuid: "uuid-alpha")
            #expect(try c.indices().map(\.name) == ["zeta"])
            // Deleting an unknown uuid is a no-op.
            try c.deleteIndex(uuid: "nope")
            #expect(try c.indices().count == 1)
        }
    }

    @Test func catalogFileIsCreatedInNestedDirectory() throws {
        try withTempDirectory { dir in
            let nested = dir + "/a/b/data"
            _ = try Catalog(dataDirectory: nested)
            #expect(FileManager.default.fileExists(atPath: nested + "/catalog.sqlite"))
        }
    }

    @Test func unusableDataDirectoryThrows() throws {
        try withTempDirectory { dir in
            let file = dir + "/not-a-dir"
            #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
            do throws(StorageError) {
                _ = try Catalog(dataDirectory: file)
                Issue.record("opened a catalog inside a regular file")
            } catch {
                #expect(error.code == .io || error.code == .open)
            }
        }
    }

    @Test func duplicateNameOrUUIDIsRejected() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try c.createIndex(record("logs", uuid: "u1"))
            #expect(throws: StorageError.self) { try c.createIndex(record("logs", uuid: "u2")) }
            #expect(throws: StorageError.self) { try c.createIndex(record("other", uuid: "u1")) }
            do throws(StorageError) {
                try c.createIndex(record("logs", uuid: "u3"))
                Issue.record("duplicate name accepted")
            } catch {
                #expect(error.code == .sql)
                #expect(error.message.contains("UNIQUE"))
            }
            #expect(try c.indices() == [record("logs", uuid: "u1")])
        }
    }

    @Test func updateIndexChangesOnlyWhatIsGiven() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try c.createIndex(record("i", settings: "s0", mappings: "m0"))
            try c.updateIndex(uuid: "uuid-i", mappings: "m1")
            #expect(try c.indices().first?.settings == "s0")
            #expect(try c.indices().first?.mappings == "m1")
            try c.updateIndex(uuid: "uuid-i", settings: "s1")
            #expect(try c.indices().first == record("i", settings: "s1", mappings: "m1"))
        }
    }

    @Test func metaKeyValues() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            #expect(try c.meta("cluster_uuid") == nil)
            try c.setMeta("cluster_uuid", "abc")
            try c.setMeta("other", "x")
            #expect(try c.meta("cluster_uuid") == "abc")
            try c.setMeta("cluster_uuid", "def")
            #expect(try c.meta("cluster_uuid") == "def")
            #expect(try c.meta("other") == "x")
        }
    }

    @Test func unicodeAndQuotesSurviveStorage() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            let r = record("índex-ü", settings: #"{"q":"it's \"quoted\""}"#, mappings: "😀 ' ; DROP TABLE indices; --")
            try c.createIndex(r)
            #expect(try c.indices() == [r])
        }
    }
}

@Suite struct TranslogTests {
    @Test func replayReturnsEntriesInCommitOrderWithAllFields() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            let batch1 = [entry("u1", "a", seq: 0), entry("u2", "x", seq: 0, routing: "r1"), entry("u1", "b", seq: 1, source: #"{"g":"é"}"#)]
            let batch2 = [entry("u1", "a", seq: 2, op: .delete), entry("u1", "c", seq: 3, routing: "")]
            try c.append(batch1)
            try c.append(batch2)
            let replayed = try allEntries(c)
            #expect(replayed == batch1 + batch2)
            #expect(replayed[1].routing == "r1")
            #expect(replayed[0].routing == nil)
            #expect(replayed[4].routing == "")        // empty routing is not null
            #expect(replayed[3].op == .delete)
            #expect(replayed[3].source.isEmpty)
            #expect(replayed[2].version == 2 && replayed[2].primaryTerm == 1 && replayed[2].seqNo == 1)
            #expect(try c.translogCount() == 5)
        }
    }

    @Test func binarySourcesAndExtremeNumbersRoundTrip() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            let blob = randomBytes(100_000, seed: 3) + [0, 0, 0]  // embedded and trailing NULs
            let e = TranslogEntry(indexUUID: "u", op: .index, id: "big", seqNo: Int64.max, version: Int64.min,
                                  primaryTerm: -1, source: blob)
            let empty = TranslogEntry(indexUUID: "u", op: .index, id: "empty", seqNo: 0, version: 1, primaryTerm: 1, source: [])
            try c.append([e, empty])
            let back = try allEntries(c)
            #expect(back == [e, empty])
            #expect(back.first?.source.count == 100_003)
        }
    }

    @Test func deleteEntriesDropTheirSource() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            // The translog does not keep a delete's source: replay returns an empty one.
            let d = TranslogEntry(indexUUID: "u", op: .delete, id: "x", seqNo: 5, version: 3, primaryTerm: 1, source: [1, 2, 3])
            try c.append([d])
            let back = try #require(try allEntries(c).first)
            #expect(back.op == .delete)
            #expect(back.source.isEmpty)
            #expect(back.id == "x" && back.seqNo == 5 && back.version == 3)
        }
    }

    @Test func emptyAppendIsANoOp() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try c.append([])
            #expect(try c.translogCount() == 0)
        }
    }

    @Test func mappingUpdateCommitsWithEntries() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try c.createIndex(record("i", mappings: "{}"))
            try c.append([entry("uuid-i", "1", seq: 0)], mappingUpdate: (uuid: "uuid-i", mappings: #"{"properties":{"f":{"type":"long"}}}"#))
            #expect(try c.indices().first?.mappings == #"{"properties":{"f":{"type":"long"}}}"#)
            #expect(try c.translogCount() == 1)
            // A mapping update alone (no entries) is applied too.
            try c.append([], mappingUpdate: (uuid: "uuid-i", mappings: "m2"))
            #expect(try c.indices().first?.mappings == "m2")
            #expect(try c.translogCount() == 1)
        }
    }

    @Test func failingMappingUpdateRollsBackTheEntries() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try c.createIndex(record("i", mappings: "m0"))
            try c.append([entry("uuid-i", "before", seq: 0)])
            // Make the mapping UPDATE fail inside the append transaction.
            try c.db.execute("CREATE TRIGGER refuse BEFORE UPDATE OF mappings ON indices BEGIN SELECT RAISE(ABORT, 'refused'); END")
            do throws(StorageError) {
                try c.append([entry("uuid-i", "a", seq: 1), entry("uuid-i", "b", seq: 2)],
                             mappingUpdate: (uuid: "uuid-i", mappings: "m1"))
                Issue.record("append succeeded despite the failing mapping update")
            } catch {
                #expect(error.code == .sql)
                #expect(error.message.contains("refused"))
            }
            #expect(try allEntries(c).map(\.id) == ["before"])
            #expect(try c.indices().first?.mappings == "m0")
            // The connection is still usable afterwards (no transaction left open).
            try c.db.execute("DROP TRIGGER refuse")
            try c.append([entry("uuid-i", "after", seq: 1)], mappingUpdate: (uuid: "uuid-i", mappings: "m1"))
            #expect(try allEntries(c).map(\.id) == ["before", "after"])
            #expect(try c.indices().first?.mappings == "m1")
        }
    }

    @Test func deleteIndexRemovesOnlyItsTranslog() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try c.createIndex(record("a"))
            try c.createIndex(record("b"))
            try c.append([entry("uuid-a", "1", seq: 0), entry("uuid-b", "1", seq: 0), entry("uuid-a", "2", seq: 1)])
            try c.deleteIndex(uuid: "uuid-a")
            let rest = try allEntries(c)
            #expect(rest.map(\.indexUUID) == ["uuid-b"])
            #expect(try c.translogCount() == 1)
        }
    }

    @Test func reopenedCatalogSeesCommittedData() throws {
        try withTempDirectory { dir in
            var written: [TranslogEntry] = []
            do {
                let c = try Catalog(dataDirectory: dir)
                try c.createIndex(record("persist", mappings: "m0"))
                for batch in 0..<10 {
                    let es = (0..<20).map { i in entry("uuid-persist", "doc-\(batch)-\(i)", seq: Int64(batch * 20 + i), routing: i % 3 == 0 ? "r\(i)" : nil) }
                    try c.append(es, mappingUpdate: batch == 9 ? (uuid: "uuid-persist", mappings: "m9") : nil)
                    written += es
                }
                try c.setMeta("k", "v")
            }
            let reopened = try Catalog(dataDirectory: dir)
            #expect(try reopened.indices() == [record("persist", mappings: "m9")])
            #expect(try allEntries(reopened) == written)
            #expect(try reopened.translogCount() == 200)
            #expect(try reopened.meta("k") == "v")
            // Appending after reopen continues the order.
            let more = entry("uuid-persist", "late", seq: 200)
            try reopened.append([more])
            #expect(try allEntries(reopened).last == more)
        }
    }

    @Test func secondConnectionSeesCommitsOfFirst() throws {
        try withTempDirectory { dir in
            let a = try Catalog(dataDirectory: dir)
            let b = try Catalog(dataDirectory: dir)
            try a.createIndex(record("shared"))
            try a.append([entry("uuid-shared", "1", seq: 0)])
            #expect(try b.indices().map(\.name) == ["shared"])
            #expect(try allEntries(b).map(\.id) == ["1"])
        }
    }

    @Test func concurrentAppendsAreSerialisedAndKeepPerWriterOrder() async throws {
        try await withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<6 {
                    group.addTask {
                        for i in 0..<25 {
                            try c.append([entry("w\(w)", "\(i)", seq: Int64(i)), entry("w\(w)", "\(i)b", seq: Int64(i))])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = try allEntries(c)
            #expect(all.count == 6 * 25 * 2)
            for w in 0..<6 {
                let mine = all.filter { $0.indexUUID == "w\(w)" }.map(\.id)
                #expect(mine == (0..<25).flatMap { ["\($0)", "\($0)b"] })
            }
            // Each append is one transaction: its two entries are adjacent.
            for (i, e) in all.enumerated() where !e.id.hasSuffix("b") {
                #expect(all[i + 1].indexUUID == e.indexUUID && all[i + 1].id == e.id + "b")
            }
        }
    }

    @Test
    func idsWithNULCharacterRoundTrip() throws {
        try withTempDirectory { dir in
            let c = try Catalog(dataDirectory: dir)
            let e = entry("u", "a\u{0}b", seq: 0, routing: "r\u{0}s")
            try c.append([e])
            #expect(try allEntries(c) == [e])
        }
    }
}

@Suite struct SQLiteDatabaseTests {
    func open(_ dir: String) throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: dir + "/t.sqlite")
        try db.execute("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)")
        return db
    }

    func rows(_ db: SQLiteDatabase) throws -> [String] {
        try db.read { c throws(StorageError) in
            let s = try c.prepare("SELECT k, v FROM t ORDER BY k")
            var out: [String] = []
            while try s.step() { out.append("\(s.text(0))=\(s.int(1))") }
            return out
        }
    }

    @Test func transactionCommitsAndReturnsValue() throws {
        try withTempDirectory { dir in
            let db = try open(dir)
            let r = try db.transaction { c throws(StorageError) -> Int in
                try c.execute("INSERT INTO t VALUES (?, ?)", [.text("a"), .int(1)])
                try c.execute("INSERT INTO t VALUES (?, ?)", [.text("b"), .int(2)])
                return 42
            }
            #expect(r == 42)
            #expect(try rows(db) == ["a=1", "b=2"])
        }
    }

    @Test func thrownErrorRollsBack() throws {
        try withTempDirectory { dir in
            let db = try open(dir)
            try db.transaction { c throws(StorageError) in try c.execute("INSERT INTO t VALUES ('keep', 0)") }
            do throws(StorageError) {
                try db.transaction { c throws(StorageError) in
                    try c.execute("INSERT INTO t VALUES ('x', 1)")
                    try c.execute("UPDATE t SET v = 99 WHERE k = 'keep'")
                    throw StorageError(.corrupt, "caller gave up")
                }
                Issue.record("transaction did not rethrow")
            } catch {
                #expect(error.code == .corrupt)
                #expect(error.message == "caller gave up")
            }
            #expect(try rows(db) == ["keep=0"])
        }
    }

    @Test func failingStatementRollsBackEarlierStatements() throws {
        try withTempDirectory { dir in
            let db = try open(dir)
            try db.transaction { c throws(StorageError) in try c.execute("INSERT INTO t VALUES ('dup', 0)") }
            do throws(StorageError) {
                try db.transaction { c throws(StorageError) in
                    try c.execute("INSERT INTO t VALUES ('new', 1)")
                    try c.execute("INSERT INTO t VALUES ('dup', 2)")  // primary key violation
                }
                Issue.record("constraint violation was not reported")
            } catch {
                #expect(error.code == .sql)
                #expect(error.underlying != 0)
            }
            #expect(try rows(db) == ["dup=0"])
            // The next transaction works normally.
            try db.transaction { c throws(StorageError) in try c.execute("INSERT INTO t VALUES ('new', 3)") }
            #expect(try rows(db) == ["dup=0", "new=3"])
        }
    }

    @Test func syntaxErrorsAreSQLErrors() throws {
        try withTempDirectory { dir in
            let db = try open(dir)
            do throws(StorageError) { try db.execute("SELEC nonsense"); Issue.record("accepted bad SQL") } catch {
                #expect(error.code == .sql)
                #expect(error.description.hasPrefix("sql error ("))
            }
            let e = try #require(throws: StorageError.self) {
                try db.read { c throws(StorageError) in _ = try c.prepare("SELECT * FROM missing_table") }
            }
            #expect(e.message.contains("missing_table"))
        }
    }

    @Test func valuesRoundTrip() throws {
        try withTempDirectory { dir in
            let db = try SQLiteDatabase(path: dir + "/v.sqlite")
            try db.execute("CREATE TABLE v(i INTEGER, t TEXT, b BLOB, n TEXT)")
            try db.transaction { c throws(StorageError) in
                try c.execute("INSERT INTO v VALUES (?,?,?,?)", [.int(Int64.min), .text("héllo 😀"), .blob([0, 1, 255]), .null])
            }
            try db.read { c throws(StorageError) in
                let s = try c.prepare("SELECT i, t, b, n FROM v")
                #expect(try s.step())
                #expect(s.int(0) == Int64.min)
                #expect(s.text(1) == "héllo 😀")
                #expect(s.blob(2) == [0, 1, 255])
                #expect(s.isNull(3))
                #expect(!s.isNull(0))
                #expect(s.text(3) == "")
                #expect(try !s.step())
            }
        }
    }

    @Test func statementCanBeRebound() throws {
        try withTempDirectory { dir in
            let db = try open(dir)
            try db.transaction { c throws(StorageError) in
                let s = try c.prepare("INSERT INTO t VALUES (?, ?)")
                for i in 0..<5 {
                    try s.bind([.text("k\(i)"), .int(Int64(i * i))])
                    #expect(try !s.step())
                }
            }
            #expect(try rows(db) == ["k0=0", "k1=1", "k2=4", "k3=9", "k4=16"])
        }
    }

    @Test func walModeIsEnabled() throws {
        try withTempDirectory { dir in
            let db = try open(dir)
            let mode = try db.read { c throws(StorageError) -> String in
                let s = try c.prepare("PRAGMA journal_mode")
                _ = try s.step()
                return s.text(0)
            }
            #expect(mode == "wal")
            #expect(db.path == dir + "/t.sqlite")
        }
    }

    @Test func openingAnUnwritablePathFails() throws {
        try withTempDirectory { dir in
            do throws(StorageError) {
                _ = try SQLiteDatabase(path: dir + "/no/such/dir/x.sqlite")
                Issue.record("opened a database in a missing directory")
            } catch {
                #expect(error.code == .open)
            }
        }
    }
}
