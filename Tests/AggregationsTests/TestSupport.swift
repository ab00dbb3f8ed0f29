import Foundation
import Index
import JSON
import Query
@testable import Aggregations

/// SplitMix64: reproducible random data.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Real segments written with `SegmentWriter` from documents parsed by `DocumentParser`, grouped
/// into indices; runs aggregation trees over them the way the search executor does.
final class Corpus {
    struct IndexData {
        var name: String
        var mapping: Mapping
        var segments: [(segment: Segment, live: LiveDocs?)]
        var stats: IndexStatistics
        /// The documents, per segment, as parsed (for reference evaluators).
        var docs: [[JSONValue]]
    }

    let dir: String
    var indices: [IndexData] = []
    let now: Int64

    init(now: Int64 = 1_790_000_000_000) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("searchlight-aggs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        dir = url.path
        self.now = now
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Adds an index whose documents are split into `segments` (one segment file each).
    /// `deleted` doc positions (per segment) are marked deleted in live docs.
    func addIndex(_ name: String, mapping: String, segments: [[JSONValue]], deleted: [Set<Int>] = []) throws {
        var m = try Mapping.parse(try JSONParser.parse(Array(mapping.utf8)))
        var segs: [(Segment, LiveDocs?)] = []
        for (si, docs) in segments.enumerated() {
            var segDocs: [SegmentDocument] = []
            for (i, d) in docs.enumerated() {
                let parsed = try DocumentParser.parse(d, mapping: m, id: "\(name)-\(si)-\(i)")
                if let u = parsed.updatedMapping { m = u }
                segDocs.append(SegmentDocument(id: "\(name)-\(si)-\(i)", source: JSONWriter.serialize(d), seqNo: Int64(i), fields: parsed.fields))
            }
            let path = "\(dir)/\(name)-seg\(si).seg"
            try SegmentWriter.write(segDocs, to: path)
            var live: LiveDocs? = nil
            if si < deleted.count, !deleted[si].isEmpty {
                var l = LiveDocs(allLive: docs.count)
                l.delete(deleted[si].map { Int32($0) })
                live = l
            }
            segs.append((try Segment(path: path), live))
        }
        var liveDocs = segments
        for (si, del) in deleted.enumerated() where si < liveDocs.count {
            liveDocs[si] = liveDocs[si].enumerated().filter { !del.contains($0.offset) }.map(\.element)
        }
        indices.append(IndexData(name: name, mapping: m, segments: segs, stats: IndexStatistics(segments: segs.map(\.0)), docs: liveDocs))
    }

    /// All live documents of all indices (what a match_all sees).
    var allDocs: [JSONValue] { indices.flatMap { $0.docs.flatMap { $0 } } }

    /// Runs `aggs` with `query` over every segment and reduces, like the search executor.
    func run(_ aggs: JSONValue, query: JSONValue = ["match_all": [:]], maxBuckets: Int = 65_535, segmentHint: Bool = false,
             typedKeys: Bool = false) throws -> JSONValue {
        let tree = try AggregationTree.parse(aggs)
        let q = try Query.parse(query)
        var partials: [PartialAggregations] = []
        for idx in indices {
            for (seg, live) in idx.segments {
                let searcher = SegmentSearcher(segment: seg, liveDocs: live, mapping: idx.mapping, stats: idx.stats, now: now)
                let r = try searcher.search(q, scoring: tree.needsScores)
                var ctx = SegmentAggregationContext(segment: seg, liveDocs: live, mapping: idx.mapping, stats: idx.stats, now: now, indexName: idx.name)
                if segmentHint { ctx.segmentsInIndex = idx.segments.count }
                partials.append(try tree.collect(ctx, docs: r.docs, scores: r.scores))
            }
        }
        return try tree.reduce(partials, maxBuckets: maxBuckets, typedKeys: typedKeys)
    }

    func run(_ aggs: String, query: String? = nil, maxBuckets: Int = 65_535, segmentHint: Bool = false, typedKeys: Bool = false) throws -> JSONValue {
        let q = try query.map { try JSONParser.parse(Array($0.utf8)) } ?? ["match_all": [:]]
        return try run(try JSONParser.parse(Array(aggs.utf8)), query: q, maxBuckets: maxBuckets, segmentHint: segmentHint, typedKeys: typedKeys)
    }
}

func json(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

extension JSONValue {
    /// `a.b.0.c` path access for assertions.
    func at(_ path: String) -> JSONValue? {
        var cur: JSONValue? = self
        for part in path.split(separator: "/") {
            guard let c = cur else { return nil }
            if let i = Int(part), case .array(let a) = c { cur = i < a.count ? a[i] : nil } else { cur = c[String(part)] }
        }
        return cur
    }
}

/// Reads a dotted path (`a.b`) out of a source document: values of arrays flattened.
func sourceValues(_ doc: JSONValue, _ path: String) -> [JSONValue] {
    var cur: [JSONValue] = [doc]
    for part in path.split(separator: ".") {
        var next: [JSONValue] = []
        for c in cur {
            if let v = c[String(part)] {
                if case .array(let a) = v { next += a } else { next.append(v) }
            }
        }
        cur = next
    }
    return cur.filter { !$0.isNull }
}
