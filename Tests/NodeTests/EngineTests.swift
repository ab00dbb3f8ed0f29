import Foundation
import Index
import JSON
import Node
import Query
import Testing

/// The segment engine as the node drives it: refresh visibility, commits, recovery, merges.
@Suite struct EngineTests {
    func count(_ svc: IndexService, _ q: String = #"{"match_all":{}}"#) async throws -> Int {
        try await SearchExecutor.count([svc.snapshot()], try Query.parse(try JSONParser.parse(q)))
    }

    @Test func writesBecomeSearchableOnRefreshOnly() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("nrt")
        _ = await svc.write([try indexOp("1", #"{"user":"ann"}"#)])
        #expect(try await count(svc) == 0)
        #expect(svc.get("1") != nil)  // realtime get sees the buffer
        try await svc.refresh()
        #expect(try await count(svc) == 1)
        _ = await svc.write([.delete(id: "1", conditions: WriteParameters())])
        #expect(try await count(svc) == 1)
        #expect(svc.get("1") == nil)
        try await svc.refresh()
        #expect(try await count(svc) == 0)
    }

    @Test func updatesAcrossSegmentsKeepOneLiveCopy() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("u")
        for round in 0..<5 {
            var ops: [WriteOperation] = []
            for i in 0..<50 { ops.append(try indexOp("d\(i)", #"{"round":\#(round),"i":\#(i)}"#)) }
            _ = await svc.write(ops)
            try await svc.refresh()
        }
        #expect(try await count(svc) == 50)
        #expect(try await count(svc, #"{"term":{"round":4}}"#) == 50)
        #expect(try await count(svc, #"{"term":{"round":3}}"#) == 0)
        #expect(svc.get("d7")?.version == 5)
        try await svc.forceMerge(maxSegments: 1)
        #expect(svc.segmentCount == 1)
        #expect(try await count(svc) == 50)
        #expect(svc.get("d7")?.version == 5)
    }

    @Test func restartOpensSegmentsAndReplaysOnlyTheTail() async throws {
        let dir = TempDir()
        do {
            let node = try Node(dataPath: dir.path)
            let svc = try node.writeIndex("r")
            var ops: [WriteOperation] = []
            for i in 0..<300 { ops.append(try indexOp("d\(i)", #"{"i":\#(i),"tag":"t\#(i % 3)"}"#)) }
            _ = await svc.write(ops)
            try await svc.refresh()
            #expect(try node.catalog.translogCount() == 0)  // the commit trimmed the translog
            _ = await svc.write([try indexOp("d0", #"{"i":-1,"tag":"changed"}"#), .delete(id: "d1", conditions: WriteParameters()),
                                 try indexOp("new", #"{"i":1000,"tag":"t0"}"#)])
            #expect(try node.catalog.translogCount() == 3)  // unrefreshed tail
        }
        let node = try Node(dataPath: dir.path)
        let svc = try #require(node.index(named: "r"))
        // Recovery replays the tail and commits it.
        #expect(try node.catalog.translogCount() == 0)
        #expect(try await count(svc) == 300)
        #expect(try await count(svc, #"{"term":{"tag.keyword":"changed"}}"#) == 1)
        #expect(svc.get("d1") == nil)
        #expect(svc.get("d0")?.version == 2)
        #expect(svc.get("new")?.seqNo == 302)
        let next = await svc.write([try indexOp("after", "{}")])
        #expect(try next[0].get().seqNo == 303)
    }

    @Test func manySmallRefreshesAreMergedDown() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("m")
        for i in 0..<25 {
            _ = await svc.write([try indexOp("d\(i)", #"{"i":\#(i)}"#)])
            try await svc.refresh()
        }
        await svc.waitForMerges()
        #expect(svc.segmentCount <= 10)
        #expect(try await count(svc) == 25)
        let files = try FileManager.default.contentsOfDirectory(atPath: svc.directory).filter { $0.hasSuffix(".seg") }
        #expect(files.count == svc.segmentCount)  // merged-away files are removed
    }

    @Test func searchSortsAndPages() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("s")
        var ops: [WriteOperation] = []
        for i in 0..<40 { ops.append(try indexOp("d\(i)", #"{"n":\#((i * 7) % 40),"k":"k\#(i % 4)"}"#)) }
        _ = await svc.write(ops)
        try await svc.refresh()
        var r = try SearchRequest.parse(try JSONParser.parse(#"{"sort":[{"n":"desc"}],"size":5,"query":{"term":{"k.keyword":"k1"}}}"#), params: [:])
        let res = try await SearchExecutor.search([svc.snapshot()], r)
        let hits = try #require(res["hits"]?["hits"]?.arrayValue)
        let values = hits.compactMap { $0["sort"]?.arrayValue?.first?.int64Value }
        #expect(values.count == 5)
        #expect(values == values.sorted(by: >))
        #expect(res["hits"]?["total"]?["value"] == 10)
        // search_after continues where the page ended.
        r.searchAfter = [.int(values.last!)]
        let next = try await SearchExecutor.search([svc.snapshot()], r)
        let nextValues = try #require(next["hits"]?["hits"]?.arrayValue).compactMap { $0["sort"]?.arrayValue?.first?.int64Value }
        #expect(nextValues.allSatisfy { $0 < values.last! })
    }

    @Test func fullBufferIsFlushedButStaysInvisibleUntilRefresh() async throws {
        let dir = TempDir()
        var options = Node.Options()
        options.indexingBufferDocs = 20
        do {
            let node = try Node(dataPath: dir.path, options: options)
            let svc = try node.writeIndex("b")
            var ops: [WriteOperation] = []
            for i in 0..<50 { ops.append(try indexOp("d\(i)", #"{"i":\#(i)}"#)) }
            _ = await svc.write(Array(ops[0..<25]))
            _ = await svc.write(Array(ops[25..<50]))
            #expect(svc.segmentCount == 2)                 // flushed twice, not published
            #expect(try await count(svc) == 0)
            #expect(svc.get("d3")?.version == 1)           // realtime get reads the hidden segment
            _ = await svc.write([try indexOp("d3", #"{"i":-3}"#)])
            #expect(try node.catalog.translogCount() == 1)  // flushes committed and trimmed the translog
            try await svc.refresh()
            #expect(try await count(svc) == 50)
            #expect(try await count(svc, #"{"term":{"i":-3}}"#) == 1)
        }
        let node = try Node(dataPath: dir.path, options: options)
        #expect(try await count(try #require(node.index(named: "b"))) == 50)
    }

    @Test func sortedColumnFastPathKeepsTieOrder() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("t")
        var ops: [WriteOperation] = []
        for i in 0..<30 { ops.append(try indexOp("d\(i)", #"{"ts":\#(i / 3)}"#)) }
        _ = await svc.write(ops)
        try await svc.refresh()
        func top(_ order: String, _ size: Int, after: Int64? = nil) async throws -> [String] {
            var r = try SearchRequest.parse(try JSONParser.parse(#"{"size":\#(size),"sort":[{"ts":"\#(order)"}]}"#), params: [:])
            if let after { r.searchAfter = [.int(after)] }
            let res = try await SearchExecutor.search([svc.snapshot()], r)
            return try #require(res["hits"]?["hits"]?.arrayValue).compactMap { $0["_id"]?.stringValue }
        }
        #expect(try await top("desc", 4) == ["d27", "d28", "d29", "d24"])
        #expect(try await top("asc", 4) == ["d0", "d1", "d2", "d3"])
        #expect(try await top("desc", 3, after: 9) == ["d24", "d25", "d26"])
        #expect(try await top("asc", 2, after: 0) == ["d3", "d4"])
    }

    @Test(arguments: [11, 12, 13])
    func numericSortMatchesBruteForce(seed: UInt64) async throws {
        var rng = EnginePropertyTests.RNG(state: seed)
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("s")
        var values: [(id: String, v: Int, order: Int)] = []
        var order = 0
        for round in 0..<3 {
            var ops: [WriteOperation] = []
            for i in 0..<3000 {
                let v = Int.random(in: 0..<500, using: &rng)
                ops.append(try indexOp("r\(round)-\(i)", #"{"v":\#(v),"odd":\#(v % 2)}"#))
                values.append(("r\(round)-\(i)", v, order))
                order += 1
            }
            _ = await svc.write(ops)
            try await svc.refresh()
        }
        for _ in 0..<20 {
            let a = Int.random(in: -10..<510, using: &rng), b = Int.random(in: -10..<510, using: &rng)
            let (lo, hi) = (min(a, b), max(a, b))
            let n = try await count(svc, #"{"range":{"v":{"gte":\#(lo),"lt":\#(hi)}}}"#)
            #expect(n == values.filter { $0.v >= lo && $0.v < hi }.count)
        }
        #expect(try await count(svc, #"{"range":{"v":{"gte":-5,"lte":600}}}"#) == values.count)
        for desc in [true, false] {
            let expected = values.filter { $0.v % 2 == 1 }.sorted {
                $0.v != $1.v ? (desc ? $0.v > $1.v : $0.v < $1.v) : $0.order < $1.order
            }
            var r = try SearchRequest.parse(try JSONParser.parse(#"{"size":25,"query":{"term":{"odd":1}},"sort":[{"v":"\#(desc ? "desc" : "asc")"}]}"#), params: [:])
            let res = try await SearchExecutor.search([svc.snapshot()], r)
            let got = try #require(res["hits"]?["hits"]?.arrayValue).compactMap { $0["_id"]?.stringValue }
            #expect(got == expected.prefix(25).map(\.id))
            r.searchAfter = [.int(Int64(expected[24].v))]
            let next = try await SearchExecutor.search([svc.snapshot()], r)
            let nextValues = try #require(next["hits"]?["hits"]?.arrayValue).compactMap { $0["sort"]?.arrayValue?.first?.int64Value }
            let strictlyAfter = expected.filter { desc ? $0.v < expected[24].v : $0.v > expected[24].v }.prefix(25).map { Int64($0.v) }
            #expect(nextValues == Array(strictlyAfter))
        }
    }
}
