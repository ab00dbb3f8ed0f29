import Foundation
@testable import Aggregations
@testable import Index
@testable import JSON
@testable import Node
@testable import Painless
@testable import Query
@testable import RESTAPI
@testable import SQL
import Testing

/// In-process fuzzing of every parser that reads client input (issue #9): seeded mutations of
/// valid inputs — bit flips, interesting bytes, truncation, range deletion and duplication,
/// splicing, deep nesting, invalid UTF-8, huge numbers, structure-aware value swaps — fed to the
/// parser directly. Each input must end in a value or the parser's typed error (a crash fails the
/// whole test run), within a per-input time bound (10 s: Painless may run its 1,000,000 loop
/// iterations in a debug build on a busy machine). Iterations are bounded so the suite stays
/// within a few seconds; `SEARCHLIGHT_FUZZ_ITERATIONS` raises them for a longer local run.
@Suite(.serialized) struct ParserFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["SEARCHLIGHT_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 1500
    /// A debug build on a busy 2-core machine: generous, but far below what a hang would take.
    static let maxSecondsPerInput = 10.0

    // MARK: seeds

    static let documents = [
        #"{"user":"ann","msg":"hello world","n":1,"i":7,"x":1.5,"ts":"2026-11-20T10:11:12.123Z","ip":"10.0.0.1","ok":true,"obj":{"k":"a","v":3}}"#,
        #"{"user":["ann","cy"],"n":9007199254740993,"ts":1763640000000,"tags":[{"a":1},{"b":[1,2,[3]]}],"u":"\u00e9\ud83d\ude00"}"#,
        #"{"s":"\"\\\/\b\f\n\r\t","e":-0.0e-0,"big":18446744073709551615,"neg":-9223372036854775808,"z":[],"o":{}}"#,
    ]
    static let searches = [
        #"{"query":{"bool":{"must":[{"match":{"msg":"quick fox"}}],"filter":[{"range":{"ts":{"gte":"now-7d/d","lt":"2026-11-22||+1d"}}}],"should":[{"terms":{"user":["ann","bob"]}}],"must_not":[{"exists":{"field":"zz"}}],"minimum_should_match":1}},"sort":[{"n":"desc"},"_score"],"from":1,"size":5,"_source":["user"]}"#,
        #"{"query":{"query_string":{"query":"msg:(quick OR hello) AND n:[0 TO 10] -user:zed","default_operator":"AND"}},"search_after":[1,"a"]}"#,
        #"{"query":{"simple_query_string":{"query":"\"brown fox\" | hel* -x","fields":["msg^2"]}},"post_filter":{"wildcard":{"user":"a*n"}}}"#,
        #"{"query":{"dis_max":{"queries":[{"prefix":{"user":"a"}},{"regexp":{"user":"a.+[b-d]{1,3}"}},{"ids":{"values":["1"]}}]}}}"#,
        #"{"query":{"multi_match":{"query":"fox","fields":["msg","user"],"type":"phrase"}},"track_total_hits":100,"terminate_after":5}"#,
    ]
    static let aggregations = [
        #"{"u":{"terms":{"field":"user","size":3,"order":{"avg_n":"desc"}},"aggs":{"avg_n":{"avg":{"field":"n"}}}}}"#,
        #"{"h":{"date_histogram":{"field":"ts","calendar_interval":"day","time_zone":"Europe/Paris","extended_bounds":{"min":"2026-11-01","max":"2026-11-30"}},"aggs":{"c":{"cardinality":{"field":"user"}},"cs":{"cumulative_sum":{"buckets_path":"c"}},"d":{"derivative":{"buckets_path":"_count"}}}}}"#,
        #"{"p":{"percentiles":{"field":"x","percents":[50,99]}},"r":{"range":{"field":"n","ranges":[{"to":0},{"from":0,"to":10}]}},"st":{"extended_stats":{"field":"x"}},"mx":{"max_bucket":{"buckets_path":"r>_count"}}}"#,
        #"{"c":{"composite":{"size":2,"sources":[{"u":{"terms":{"field":"user"}}},{"d":{"date_histogram":{"field":"ts","fixed_interval":"1h"}}}],"after":{"u":"ann","d":0}}}}"#,
        #"{"f":{"filters":{"filters":{"a":{"term":{"user":"ann"}}},"other_bucket":true},"aggs":{"top":{"top_hits":{"size":1}},"sel":{"bucket_selector":{"buckets_path":{"c":"_count"},"script":"params.c > 0"}}}}}"#,
    ]
    static let scripts = [
        "ctx._source.n += params.d",
        "if (ctx._source.user == null) { ctx.op = 'none' } else { ctx._source.tags = new ArrayList(); ctx._source.tags.add('x') }",
        "def m = [:]; for (int k = 0; k < 10; k++) { m['k' + k] = k * 2L } return m.size()",
        "List l = [1, 2, 3]; l.removeIf(x -> x % 2 == 0); l.sort((a, b) -> b - a); return l",
        "String s = 'abc'; s.substring(1, 2).toUpperCase() + Math.max(1, 2) + (5 >>> 1) + (int) 3.7 + 0x1F + 1e3",
        "def x = 0; while (x < 5) { x++ } x ?: params?.d",
    ]
    static let sqls = [
        "SELECT user, COUNT(*) AS c, AVG(n) FROM fuzz WHERE n > 0 AND user IN ('ann', 'bob') GROUP BY user HAVING c > 0 ORDER BY c DESC LIMIT 5",
        "SELECT n, x FROM `fuz*` f WHERE msg LIKE '%fox\\_%' OR (ts BETWEEN '2026-11-01' AND '2026-12-01' AND NOT ok) ORDER BY n DESC NULLS LAST LIMIT 2, 3",
        "SELECT `obj.k`, COUNT(DISTINCT user) FROM fuzz WHERE f.n IS NOT NULL AND x <> -1.5e3 GROUP BY 1",
    ]
    static let bulks = [
        "{\"index\":{\"_index\":\"a\",\"_id\":\"1\"}}\n\(documents[0])\n{\"delete\":{\"_index\":\"a\",\"_id\":\"2\"}}\n{\"update\":{\"_index\":\"a\",\"_id\":\"3\",\"retry_on_conflict\":2}}\n{\"script\":{\"source\":\"ctx._source.n++\"},\"upsert\":{\"n\":0}}\n{\"create\":{\"_id\":\"4\"}}\n\(documents[1])\n",
    ]

    // MARK: tests

    @Test func jsonParser() {
        let seeds = Self.documents + Self.searches + Self.aggregations
        Self.fuzz("JSONParser", seeds: seeds) { bytes in
            guard let v = try? JSONParser.parse(bytes) else { return }
            // Whatever parses must survive a round trip (the writer's output reads back to the
            // same output) and the pretty printer.
            let out = JSONWriter.serialize(v)
            let again = try? JSONParser.parse(out)
            #expect(again.map { JSONWriter.serialize($0) } == out)
            _ = PrettyJSON.serialize(v)
        }
        for deep in ["[" * 10_000 + "]" * 10_000, "{\"a\":" * 10_000 + "1" + "}" * 10_000, "[" * 1_000_000] {
            #expect(throws: JSONError.self) { try JSONParser.parse(deep) }
        }
    }

    @Test func documentParser() throws {
        let mapping = try Mapping.parse(JSONParser.parse(#"{"properties":{"user":{"type":"keyword"},"msg":{"type":"text"},"n":{"type":"long"},"i":{"type":"integer"},"x":{"type":"double"},"ts":{"type":"date"},"ip":{"type":"ip"},"ok":{"type":"boolean"},"obj":{"properties":{"k":{"type":"keyword"},"v":{"type":"long"}}}}}"#))
        Self.fuzz("DocumentParser", seeds: Self.documents, structured: true) { bytes in
            guard let v = try? JSONParser.parse(bytes) else { return }
            _ = try? DocumentParser.parse(v, mapping: mapping, id: "1")
        }
    }

    @Test func bulkRequest() {
        Self.fuzz("BulkRequest", seeds: Self.bulks) { bytes in
            _ = try? BulkRequest.parse(bytes, defaults: BulkRequest.Defaults())
        }
    }

    @Test func searchRequestAndQueries() {
        Self.fuzz("SearchRequest", seeds: Self.searches, structured: true) { bytes in
            guard let v = try? JSONParser.parse(bytes) else { return }
            _ = try? SearchRequest.parse(v, params: [:])
        }
    }

    @Test func aggregationParser() {
        Self.fuzz("AggregationParser", seeds: Self.aggregations, structured: true) { bytes in
            guard let v = try? JSONParser.parse(bytes) else { return }
            _ = try? AggregationParser.parse(v)
        }
    }

    @Test func painless() {
        Self.fuzzText("Painless", seeds: Self.scripts, tokens: ["(", ")", "{", "}", "[", "]", ";", "def", "int", "new", "ArrayList()",
                                                                 "for", "while", "if", "else", "return", "x", "ctx", "params", ".", "?.",
                                                                 "?:", "->", "+", "/", "%", ">>>", "==", "!", "=", "++", "1", "0",
                                                                 "9223372036854775808", "1e309", "0x", "1L", "'", "\"", "null", "instanceof",
                                                                 "Math.pow(10,400)", "(int)", "throw", "\\", "\u{e9}", "\u{1F600}"]) { source in
            guard let script = try? PainlessScript(source) else { return }
            _ = try? script.evaluateToString(params: .object(JSONObject([("d", .int(3))])))
        }
    }

    @Test func sqlParser() {
        Self.fuzzText("SQLParser", seeds: Self.sqls, tokens: ["SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT",
                                                              "AND", "OR", "NOT", "(", ")", ",", "*", "'", "\"", "`", "=", "<>", "IN",
                                                              "LIKE", "BETWEEN", "IS NULL", "COUNT(", "DISTINCT", "AS", "1", "-1",
                                                              "9223372036854775808", "1e400", "''", ";", "--", "JOIN", "\u{0}"]) { query in
            _ = try? SQLParser.parse(query)
        }
    }

    @Test func csvCells() throws {
        let writer = CSVWriter()
        Self.fuzz("CSVWriter", seeds: Self.documents, structured: true) { bytes in
            guard let v = try? JSONParser.parse(bytes) else { return }
            var out: [UInt8] = []
            let paths = ["user", "obj.k", "tags", "tags.a", "", ".", "a..b", "n"]
            writer.row(paths.map { writer.text(CSVWriter.value(v, $0)) }, into: &out)
            // Every row ends with CRLF and quotes stay balanced.
            #expect(out.suffix(2) == [0x0D, 0x0A])
            #expect(out.filter { $0 == 0x22 }.count % 2 == 0)
        }
    }

    // MARK: driver

    /// Runs `body` on `iterations` mutations of the seeds, timing each input.
    static func fuzz(_ name: String, seeds: [String], structured: Bool = false, _ body: ([UInt8]) -> Void) {
        var m = Mutator(seed: 0x5EA5C4 &+ UInt64(name.utf8.count))
        let seedBytes = seeds.map { Array($0.utf8) }
        var slowest = 0.0
        for i in 0..<iterations {
            let seed = seedBytes[i % seedBytes.count]
            let input = structured && i % 2 == 0 ? m.structured(seed) : m.bytes(seed, others: seedBytes)
            let t0 = Date()
            body(input)
            let dt = Date().timeIntervalSince(t0)
            slowest = max(slowest, dt)
            if dt > maxSecondsPerInput {
                Issue.record("\(name): input \(i) took \(dt) s: \(String(decoding: input.prefix(300), as: UTF8.self))")
            }
        }
        #expect(slowest <= maxSecondsPerInput, "\(name) slowest input \(slowest) s")
    }

    static func fuzzText(_ name: String, seeds: [String], tokens: [String], _ body: (String) -> Void) {
        var m = Mutator(seed: 0x5EA5C4 &+ UInt64(name.utf8.count))
        for i in 0..<iterations {
            let input = m.text(seeds[i % seeds.count], tokens: tokens)
            let t0 = Date()
            body(input)
            let dt = Date().timeIntervalSince(t0)
            if dt > maxSecondsPerInput { Issue.record("\(name): input \(i) took \(dt) s: \(input.prefix(300))") }
        }
    }
}

private func * (s: String, n: Int) -> String { String(repeating: s, count: n) }

/// Seeded mutations (SplitMix64), so a failure reproduces from the iteration number.
struct Mutator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

    static let textTokens: [String] = ["NaN", "-Infinity", "1e400", "-1e400", "99999999999999999999999999", "-9223372036854775809",
                                       "18446744073709551616", "-0", "01", "1.", ".5", "+1", "0x10", "\"\\ud800\"", "\"\\udc00\\ud800\"",
                                       "\"\\u00\"", "\"\\x41\"", "\"", "{", "}", "[", "]", ",", ":", "//", "'a'", "tru", "null",
                                       "\"a\":1,\"a\":2", "\n", "\r\n", "\u{feff}"]
    /// Invalid UTF-8: a stray continuation, an overlong NUL, an encoded surrogate, past U+10FFFF, truncated sequences.
    static let rawTokens: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x00], [0xC3], [0xE2, 0x82]]
    static let tokens: [[UInt8]] = textTokens.map { Array($0.utf8) } + rawTokens

    mutating func bytes(_ seed: [UInt8], others: [[UInt8]]) -> [UInt8] {
        var b = seed
        for _ in 0..<pick([1, 1, 1, 2, 3, 8]) {
            if b.isEmpty { b = pick(Self.tokens); continue }
            let p = below(b.count + 1)
            switch below(9) {
            case 0 where p < b.count: b[p] ^= UInt8(1) << UInt8(below(8))
            case 1 where p < b.count: b[p] = pick([0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x80, 0xBF, 0xC0, 0xFE, 0xFF, 0x0A])
            case 2: b.removeSubrange(p...)
            case 3: b.removeSubrange(p..<min(b.count, p + 1 + below(32)))
            case 4:
                let chunk = Array(b[p..<min(b.count, p + 1 + below(64))])
                for _ in 0..<pick([1, 2, 10]) { b.insert(contentsOf: chunk, at: p) }
            case 5: b.insert(contentsOf: pick(Self.tokens), at: p)
            case 6:
                let o = pick(others)
                b = Array(b[..<p]) + Array(o[below(o.count + 1)...])
            case 7:
                let d = pick([50, 999, 1001, 5000])
                let array = below(2) == 0
                let opener: [UInt8] = array ? Array("[".utf8) : Array("{\"a\":".utf8)
                let closer: [UInt8] = array ? Array("]".utf8) : Array("}".utf8)
                var nest: [UInt8] = []
                for _ in 0..<d { nest += opener }
                nest.append(0x31)
                for _ in 0..<(below(10) < 7 ? d : below(d)) { nest += closer }
                b.insert(contentsOf: nest, at: p)
            default:
                var r: [UInt8] = []
                for _ in 0..<(1 + below(8)) { r.append(UInt8(truncatingIfNeeded: next())) }
                b.insert(contentsOf: r, at: p)
            }
        }
        return b
    }

    static let hostile: [JSONValue] = [
        .int(0), .int(-1), .double(1.5), .int(Int64.min), .uint(UInt64.max), .double(1e308), .double(-0.0), .string(""),
        .string("null"), .string(String(repeating: "a", count: 5000)), .string("\u{0}"), .string("\u{202E}\u{1F600}"),
        .string("*"), .string("?"), .string("\\"), .string("now-1000000y"), .string("292278994-08-17"), .string("2026-13-45T25:61:61Z"),
        .string("10.0.0.0/33"), .string("1e400"), .bool(true), .null, .array([]), .object(JSONObject()),
        .array([.int(1), .string("a"), .null, .object(JSONObject())]), .int(2_147_483_648), .string("_id"), .string("a..b"),
    ]

    /// Parses the seed and replaces, drops or adds random nodes with hostile values.
    mutating func structured(_ seed: [UInt8]) -> [UInt8] {
        guard var v = try? JSONParser.parse(seed) else { return seed }
        for _ in 0..<pick([1, 1, 2, 4]) { v = mutate(v, depth: 0) }
        return JSONWriter.serialize(v)
    }

    mutating func mutate(_ v: JSONValue, depth: Int) -> JSONValue {
        switch v {
        case .object(var o) where !o.isEmpty && below(3) != 0:
            let keys = Array(o.keys)
            let k = pick(keys)
            switch below(4) {
            case 0: o[k] = nil
            case 1: o[pick(["size", "from", "field", "script", "query", "aggs", "format", "interval", "sort", "order", "", "a.b"])] = pick(Self.hostile)
            default: o[k] = mutate(o[k] ?? .null, depth: depth + 1)
            }
            return .object(o)
        case .array(var a) where !a.isEmpty && below(3) != 0:
            let i = below(a.count)
            a[i] = mutate(a[i], depth: depth + 1)
            return .array(a)
        case .string(let s) where below(2) == 0:
            return .string(text(s, tokens: ["*", "?", "\\", "(", ")", "[", "]", "||", "/d", "-1d", "\u{0}"]))
        default:
            return pick(Self.hostile)
        }
    }

    mutating func text(_ seed: String, tokens: [String]) -> String {
        var s = Array(seed.unicodeScalars).map { String($0) }
        for _ in 0..<pick([1, 1, 2, 3, 6]) {
            let p = below(s.count + 1)
            switch below(6) {
            case 0: s.insert(" " + pick(tokens) + " ", at: p)
            case 1: s.removeSubrange(p..<min(s.count, p + 1 + below(10)))
            case 2: s.removeSubrange(p...)
            case 3:
                let chunk = Array(s[p..<min(s.count, p + 1 + below(40))])
                for _ in 0..<pick([2, 5, 300]) { s.insert(contentsOf: chunk, at: p) }
            case 4:
                let d = pick([20, 65, 500, 3000])
                s.insert(String(repeating: "(", count: d), at: p)
                if below(10) < 7 { s.append(String(repeating: ")", count: d)) }
            default:
                s.insert(String(Character(Unicode.Scalar(pick([0x00, 0x7F, 0xE9, 0x2028, 0xD7FF, 0xFFFD, 0x1F600, 0x41] as [UInt32]))!)), at: p)
            }
        }
        return s.joined()
    }
}
