import Foundation
import JSON
import Testing
@testable import Index

/// Bytes on disk per request event, _source included (DESIGN.md's budget: ≤ 60 B/doc).
@Suite struct SegmentSizeTests {
    static let paths: [(String, String, Int)] = [
        ("/", "home", 30), ("/login", "auth", 8), ("/logout", "auth", 2), ("/api/session", "auth", 6),
        ("/dashboard", "dashboard", 20), ("/api/dashboard/widgets", "dashboard", 14),
        ("/api/dashboard/summary", "dashboard", 10), ("/reports", "reports", 6),
        ("/api/reports/list", "reports", 5), ("/api/reports/export", "reports", 2),
        ("/api/reports/run", "reports", 3), ("/sites", "sites", 7), ("/api/sites", "sites", 9),
        ("/api/sites/detail", "sites", 6), ("/api/sites/map", "sites", 4), ("/assets", "assets", 6),
        ("/api/assets/search", "assets", 8), ("/api/assets/upload", "assets", 2),
        ("/api/assets/thumbnail", "assets", 10), ("/api/assets/download", "assets", 3),
        ("/settings", "settings", 2), ("/api/settings/profile", "settings", 2),
        ("/api/settings/users", "admin", 1), ("/admin", "admin", 1), ("/api/admin/audit", "admin", 1),
        ("/api/search", "search", 12), ("/search", "search", 5), ("/api/notifications", "notifications", 9),
        ("/help", "help", 1), ("/api/health", "system", 4),
    ]
    static let methods: [(String, Int)] = [("GET", 80), ("POST", 14), ("PUT", 4), ("DELETE", 2)]
    static let statuses: [(Int, Int)] = [(200, 830), (201, 30), (204, 20), (302, 25), (304, 30), (400, 15), (401, 12),
                                         (403, 6), (404, 12), (500, 12), (502, 4), (503, 4)]
    static let mappingJSON = """
        {"properties":{"timestamp":{"type":"date"},"session_id":{"type":"keyword"},"user":{"type":"keyword"},
        "path":{"type":"keyword"},"method":{"type":"keyword"},"status_code":{"type":"integer"},
        "response_time":{"type":"integer"},"module":{"type":"keyword"}}}
        """

    static func pick<T>(_ items: [(T, Int)], _ rng: inout SegmentRNG) -> T {
        var r = Int.random(in: 0..<items.reduce(0) { $0 + $1.1 }, using: &rng)
        for (v, w) in items { if r < w { return v }; r -= w }
        return items[items.count - 1].0
    }

    /// One day of request events in arrival order, like Scripts/bench_ingest.py: sessions of ~25
    /// events over ≤ 30 minutes, zipf-skewed users, weighted paths, methods and statuses.
    static func requestEvents(_ n: Int, seed: UInt64) -> [String] {
        var rng = SegmentRNG(seed: seed)
        let users = 5000
        var userCum: [Double] = []
        var acc = 0.0
        for r in 0..<users { acc += 1.0 / Double(r + 1); userCum.append(acc) }
        let sessions = max(1, n / 25)
        let sessionUser = (0..<sessions).map { _ -> Int in
            let x = Double.random(in: 0..<acc, using: &rng)
            var lo = 0, hi = users - 1
            while lo < hi { let m = (lo + hi) / 2; if userCum[m] <= x { lo = m + 1 } else { hi = m } }
            return lo
        }
        let sessionIDs = (0..<sessions).map { _ in String(format: "s-%08d", Int.random(in: 0..<100_000_000, using: &rng)) }
        let sessionStart = (0..<sessions).map { _ in Double.random(in: 0..<86_400_000, using: &rng) }.sorted()
        var events: [(ms: Int, session: Int)] = (0..<n).map { _ in
            let s = Int.random(in: 0..<sessions, using: &rng)
            return (min(86_399_999, Int(sessionStart[s] + Double.random(in: 0..<1_800_000, using: &rng))), s)
        }
        events.sort { $0.ms < $1.ms }
        return events.map { e in
            let (path, module) = { (p: (String, String, Int)) in (p.0, p.1) }(pick(paths.map { ($0, $0.2) }, &rng))
            let ms = e.ms
            let stamp = String(format: "2026-11-20T%02d:%02d:%02d.%03dZ", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
            let rt = Int(exp(3.8 + 0.9 * gaussian(&rng)))
            return #"{"timestamp":"\#(stamp)","session_id":"\#(sessionIDs[e.session])","user":"user-\#(String(format: "%04d", sessionUser[e.session]))","path":"\#(path)","method":"\#(pick(methods, &rng))","status_code":\#(pick(statuses, &rng)),"response_time":\#(rt),"module":"\#(module)"}"#
        }
    }

    static func gaussian(_ rng: inout SegmentRNG) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    static func documents(_ n: Int, ids: (Int, inout SegmentRNG) -> String) throws -> [SegmentDocument] {
        let mapping = try Mapping.parse(try JSONParser.parse(mappingJSON))
        var rng = SegmentRNG(seed: 99)
        return try requestEvents(n, seed: 42).enumerated().map { i, text in
            let id = ids(i, &rng)
            let parsed = try DocumentParser.parse(try JSONParser.parse(text), mapping: mapping, id: id)
            return SegmentDocument(id: id, source: Array(text.utf8), seqNo: Int64(i), fields: parsed.fields)
        }
    }

    /// Auto-generated ids as Node's DocumentID makes them: 20 random base64url characters.
    static func autoID(_ i: Int, _ rng: inout SegmentRNG) -> String {
        String(decoding: (0..<20).map { _ in SegmentIDs.alphabet.randomElement(using: &rng)! }, as: UTF8.self)
    }

    func measure(_ docs: [SegmentDocument], label: String) throws -> Double {
        try withSegment(docs) { s in
            let total = try FileManager.default.attributesOfItem(atPath: s.path)[.size] as! Int
            let perDoc = Double(total) / Double(docs.count)
            let raw = Double(docs.reduce(0) { $0 + $1.source.count }) / Double(docs.count)
            var lines = ["segment size (\(label)): \(docs.count) docs, \(total) bytes = \(String(format: "%.2f", perDoc)) B/doc (raw _source \(String(format: "%.1f", raw)) B/doc)"]
            for (name, bytes) in s.sectionSizes {
                lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%6.2f", Double(bytes) / Double(docs.count))) B/doc")
            }
            print(lines.joined(separator: "\n"))
            // Sanity: the data reads back.
            #expect(s.docID(for: docs[1234].id) == 1234)
            #expect(s.source(of: 19_999) == docs[19_999].source)
            if case .long(let status)? = docs[7].fields.first(where: { $0.path == "status_code" })?.value {
                #expect(s.numeric("status_code")?.value(7) == status)
            }
            return perDoc
        }
    }

    @Test func requestEventsFitTheBudget() throws {
        let docs = try Self.documents(20_000, ids: Self.autoID)
        let perDoc = try measure(docs, label: "auto ids")
        #expect(perDoc <= 48)  // 42.3 with format 2
    }

    @Test func requestEventsWithUserSuppliedIDs() throws {
        // For comparison: 36-character UUID ids go through the front-coded dictionary.
        let docs = try Self.documents(20_000) { _, rng in
            UUID(uuid: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }.withUnsafeBytes { $0.load(as: uuid_t.self) }).uuidString.lowercased()
        }
        let perDoc = try measure(docs, label: "uuid ids")
        #expect(perDoc < 70)  // 64.6 with format 2
    }
}
