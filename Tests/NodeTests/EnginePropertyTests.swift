import Foundation
import Index
import JSON
import Node
import Query
import Testing

/// The segment engine against the brute-force reference evaluator: random documents spread over
/// several segments (with updates and deletes), random queries, identical hit sets required —
/// before and after a restart and a force-merge.
@Suite struct EnginePropertyTests {
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let words = ["alpha", "beta", "gamma", "delta", "report", "export", "login", "view", "édition", "zeta"]
    static let users = ["ann", "bob", "cyd", "dan", "eve", "Fay"]
    static let mapping = #"""
    {"mappings":{"properties":{
      "user":{"type":"keyword"},"tags":{"type":"keyword"},"n":{"type":"long"},"score":{"type":"double"},
      "ts":{"type":"date"},"ok":{"type":"boolean"},"msg":{"type":"text"},"ip":{"type":"ip"}}}}
    """#

    static func randomDoc(_ rng: inout RNG) -> String {
        var parts: [String] = []
        if Int.random(in: 0..<10, using: &rng) > 0 { parts.append(#""user":"\#(users.randomElement(using: &rng)!)""#) }
        if Bool.random(using: &rng) {
            let tags = (0..<Int.random(in: 0...3, using: &rng)).map { _ in "\"\(words.randomElement(using: &rng)!)\"" }
            parts.append(#""tags":[\#(tags.joined(separator: ","))]"#)
        }
        if Int.random(in: 0..<5, using: &rng) > 0 { parts.append(#""n":\#(Int.random(in: -50...50, using: &rng))"#) }
        if Bool.random(using: &rng) { parts.append(#""score":\#(Double(Int.random(in: 0...1000, using: &rng)) / 8)"#) }
        if Int.random(in: 0..<4, using: &rng) > 0 {
            let day = Int.random(in: 1...28, using: &rng), hour = Int.random(in: 0...23, using: &rng)
            parts.append(#""ts":"2026-02-\#(day < 10 ? "0" : "")\#(day)T\#(hour < 10 ? "0" : "")\#(hour):15:00Z""#)
        }
        if Bool.random(using: &rng) { parts.append(#""ok":\#(Bool.random(using: &rng))"#) }
        if Int.random(in: 0..<3, using: &rng) > 0 {
            let n = Int.random(in: 1...6, using: &rng)
            parts.append(#""msg":"\#((0..<n).map { _ in words.randomElement(using: &rng)! }.joined(separator: " "))""#)
        }
        if Int.random(in: 0..<4, using: &rng) == 0 { parts.append(#""ip":"10.0.0.\#(Int.random(in: 1...5, using: &rng))""#) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func randomLeaf(_ rng: inout RNG) -> String {
        let w = words.randomElement(using: &rng)!, u = users.randomElement(using: &rng)!
        let a = Int.random(in: -60...60, using: &rng), b = Int.random(in: -60...60, using: &rng)
        let d1 = Int.random(in: 1...28, using: &rng)
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: return #"{"term":{"user":"\#(u)"}}"#
        case 1: return #"{"terms":{"tags":["\#(w)","\#(words.randomElement(using: &rng)!)"]}}"#
        case 2: return #"{"range":{"n":{"gte":\#(min(a, b)),"lt":\#(max(a, b))}}}"#
        case 3: return #"{"range":{"ts":{"gt":"2026-02-\#(d1 < 10 ? "0" : "")\#(d1)","lte":"2026-02-20||+1d/d"}}}"#
        case 4: return #"{"exists":{"field":"\#(["tags", "n", "msg", "ip", "ts"].randomElement(using: &rng)!)"}}"#
        case 5: return #"{"prefix":{"tags":"\#(String(w.prefix(2)))"}}"#
        case 6: return #"{"wildcard":{"user":"\#(String(u.prefix(1)))*"}}"#
        case 7: return #"{"match":{"msg":"\#(w) \#(words.randomElement(using: &rng)!)"}}"#
        case 8: return #"{"match":{"msg":{"query":"\#(w) \#(words.randomElement(using: &rng)!)","operator":"and"}}}"#
        case 9: return #"{"match_phrase":{"msg":"\#(w) \#(words.randomElement(using: &rng)!)"}}"#
        case 10: return #"{"term":{"ok":\#(Bool.random(using: &rng))}}"#
        case 11: return #"{"range":{"score":{"gte":\#(Double(a + 60) / 2),"lte":\#(Double(a + 60) / 2 + 30)}}}"#
        case 12: return #"{"term":{"ip":"10.0.0.\#(Int.random(in: 1...5, using: &rng))"}}"#
        case 13: return #"{"ids":{"values":["d\#(Int.random(in: 0..<120, using: &rng))","d\#(Int.random(in: 0..<120, using: &rng))"]}}"#
        case 14: return #"{"regexp":{"tags":"\#(String(w.prefix(1))).*a"}}"#
        default: return #"{"term":{"n":\#(a)}}"#
        }
    }

    static func randomQuery(_ rng: inout RNG, depth: Int = 0) -> String {
        if depth > 1 || Int.random(in: 0..<3, using: &rng) > 0 { return randomLeaf(&rng) }
        func clauses() -> String { (0..<Int.random(in: 0...2, using: &rng)).map { _ in randomQuery(&rng, depth: depth + 1) }.joined(separator: ",") }
        let msm = Int.random(in: 0..<3, using: &rng) == 0 ? #","minimum_should_match":1"# : ""
        return #"{"bool":{"must":[\#(clauses())],"filter":[\#(clauses())],"should":[\#(clauses())],"must_not":[\#(clauses())]\#(msm)}}"#
    }

    func engineHits(_ svc: IndexService, _ q: Query) async throws -> Set<String> {
        var r = SearchRequest()
        r.query = q
        r.size = 1000
        r.sort = [SortSpec(target: .doc, descending: false)]
        let res = try await SearchExecutor.search([svc.snapshot()], r)
        return Set(try #require(res["hits"]?["hits"]?.arrayValue).compactMap { $0["_id"]?.stringValue })
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func engineAgreesWithReference(seed: UInt64) async throws {
        var rng = RNG(state: seed)
        let dir = TempDir()
        var live: [String: String] = [:]
        var queries: [(String, Query)] = []
        for _ in 0..<150 {
            let text = Self.randomQuery(&rng)
            queries.append((text, try Query.parse(try JSONParser.parse(text))))
        }
        let now = SearchExecutor.nowMillis()
        func check(_ svc: IndexService, _ phase: String) async throws {
            let mapping = svc.mapping
            let parsed = try live.mapValues { try DocumentParser.parse(try JSONParser.parse($0), mapping: mapping, id: nil) }
            for (text, q) in queries {
                let expected = Set(parsed.filter { ReferenceEvaluator().matches(q, id: $0.key, doc: $0.value, mapping: mapping, now: now) }.keys)
                let got = try await engineHits(svc, q)
                #expect(got == expected, "\(phase) seed \(seed): \(text) — missing \(expected.subtracting(got).sorted()), extra \(got.subtracting(expected).sorted())")
            }
        }
        do {
            let node = try Node(dataPath: dir.path)
            try node.createIndex("p", body: try JSONParser.parse(Self.mapping))
            let svc = node.index(named: "p")!
            for round in 0..<4 {
                var ops: [WriteOperation] = []
                for _ in 0..<40 {
                    let id = "d\(Int.random(in: 0..<120, using: &rng))"
                    if round > 0 && Int.random(in: 0..<8, using: &rng) == 0 {
                        ops.append(.delete(id: id, conditions: WriteParameters()))
                        live[id] = nil
                    } else {
                        let d = Self.randomDoc(&rng)
                        ops.append(try indexOp(id, d))
                        live[id] = d
                    }
                }
                let results = await svc.write(ops)
                #expect(results.allSatisfy { (try? $0.get()) != nil })
                try await svc.refresh()
            }
            #expect(svc.segmentCount > 1)
            try await check(svc, "segments")
        }
        let node = try Node(dataPath: dir.path)
        let svc = try #require(node.index(named: "p"))
        try await check(svc, "after restart")
        try await svc.forceMerge(maxSegments: 1)
        try await check(svc, "after force-merge")
    }
}
