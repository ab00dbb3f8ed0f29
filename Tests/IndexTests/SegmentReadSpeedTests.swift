import Foundation
import Testing
@testable import Index

/// Read-path (and write) timings over one benchmark-day segment (166,667 events), printed, never
/// asserted: run in release when changing the segment format, before and after, e.g.
/// `SEGMENT_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter SegmentReadSpeed`.
/// Compare builds with the same function alignment (`-Xswiftc -Xllvm -Xswiftc
/// -align-all-functions=6`): code placement alone moves some loops by ±10 %.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SEGMENT_BENCH"] != nil))
struct SegmentReadSpeedTests {
    /// Best of `runs` timings of `body`, in nanoseconds per `per` operations.
    static func time(_ label: String, per: Int, runs: Int = 7, _ body: () -> Int) -> String {
        var best = Duration.seconds(1000)
        var check = 0
        for _ in 0..<runs {
            let clock = ContinuousClock()
            let start = clock.now
            check &+= body()
            best = min(best, clock.now - start)
        }
        let ns = Double(best.components.seconds) * 1e9 + Double(best.components.attoseconds) / 1e9
        return "  \(label.padding(toLength: 44, withPad: " ", startingAt: 0)) \(String(format: "%10.2f", ns / Double(per))) ns/op  (\(String(format: "%.3f", ns / 1e6)) ms total, check \(check % 1000))"
    }

    @Test func writeSpeed() throws {
        let docs = SegmentDailySizeTests.day
        print(Self.time("SegmentWriter.serialize (per doc)", per: docs.count, runs: 3) {
            (try? SegmentWriter.serialize(docs).count) ?? 0
        })
    }

    @Test func readPaths() throws {
        let docs = SegmentDailySizeTests.day
        let n = docs.count
        try withSegment(docs) { s in
            let ts = try #require(s.numeric("timestamp"))
            let status = try #require(s.numeric("status_code"))
            let rt = try #require(s.numeric("response_time"))
            let user = try #require(s.keyword("user"))
            let session = try #require(s.keyword("session_id"))
            let method = try #require(s.keyword("method"))
            let day0 = ts.minValue - ts.minValue % 86_400_000
            var lines = ["segment read speed (\(n) docs, \(s.sectionSizes.reduce(0) { $0 + $1.bytes } / n) B/doc):"]

            // Matches go into a bitset, as the query engine collects them.
            var words = [UInt64](repeating: 0, count: (n + 63) / 64)
            func collected() -> Int {
                defer { for w in words.indices { words[w] = 0 } }
                return words.reduce(0) { $0 + $1.nonzeroBitCount }
            }
            func count(_ c: NumericColumn, _ lo: Int64, _ hi: Int64) -> Int {
                c.forEachDoc(inRange: lo, hi) { d in words[Int(d) >> 6] |= 1 << UInt64(d & 63) }
                return collected()
            }
            lines.append(Self.time("timestamp forEachDoc 1 h (per match)", per: n / 24) { count(ts, day0 + 12 * 3_600_000, day0 + 13 * 3_600_000 - 1) })
            lines.append(Self.time("timestamp forEachDoc 4 h (per match)", per: n / 6) { count(ts, day0 + 20 * 3_600_000, day0 + 86_400_000) })
            lines.append(Self.time("timestamp forEachDoc whole day (per doc)", per: n) { count(ts, .min, .max) })
            lines.append(Self.time("status_code forEachDoc ≥ 500 (per doc)", per: n) { count(status, 500, .max) })
            lines.append(Self.time("response_time forEachDoc 100-200 (per doc)", per: n) { count(rt, 100, 200) })
            for (name, c) in [("timestamp", ts), ("status_code", status), ("response_time", rt)] {
                lines.append(Self.time("\(name) value(doc), all docs", per: n) {
                    var sum: Int64 = 0
                    for d in 0..<Int32(n) { sum &+= c.value(d) }
                    return Int(truncatingIfNeeded: sum)
                })
            }
            for (name, k) in [("user", user), ("session_id", session), ("method", method)] {
                lines.append(Self.time("\(name) firstOrd(doc), all docs", per: n) {
                    var sum = 0
                    for d in 0..<Int32(n) { sum &+= Int(k.firstOrd(d)) }
                    return sum
                })
            }
            let topUsers = (0..<8).compactMap { user.ord(of: "user" + String(format: "%04d", $0)) }
            var userPostings = 0
            for o in topUsers { userPostings += user.postings(o).count }
            lines.append(Self.time("user postings forEach, top 8 (per posting)", per: userPostings) {
                for o in topUsers { user.postings(o).forEach { d, _ in words[Int(d) >> 6] |= 1 << UInt64(d & 63) } }
                return collected()
            })
            lines.append(Self.time("session_id postings forEach, all (per posting)", per: n) {
                for o in 0..<session.termCount { session.postings(o).forEach { d, _ in words[Int(d) >> 6] |= 1 << UInt64(d & 63) } }
                return collected()
            })
            let post = try #require(method.ord(of: "POST"))
            lines.append(Self.time("method POST postings forEach (per posting)", per: method.postings(post).count) {
                method.postings(post).forEach { d, _ in words[Int(d) >> 6] |= 1 << UInt64(d & 63) }
                return collected()
            })
            var rng = SegmentRNG(seed: 7)
            let probes = (0..<20_000).map { _ in Int32.random(in: 0..<Int32(n), using: &rng) }
            lines.append(Self.time("session_id postings(firstOrd).count", per: probes.count) {
                var k = 0
                for d in probes { k &+= session.postings(Int(session.firstOrd(d))).count }
                return k
            })
            lines.append(Self.time("session_id postings(firstOrd).contains", per: probes.count) {
                var k = 0
                for d in probes where session.postings(Int(session.firstOrd(d))).contains(d) { k &+= 1 }
                return k
            })
            let ids = probes.map { docs[Int($0)].id }
            lines.append(Self.time("docID(for:)", per: ids.count) {
                var sum = 0
                for id in ids { sum &+= Int(s.docID(for: id) ?? -1) }
                return sum
            })
            let few = probes.prefix(2000)
            lines.append(Self.time("source(of:) random docs", per: few.count) {
                var sum = 0
                for d in few { sum &+= s.source(of: d).count }
                return sum
            })
            lines.append(Self.time("source(of:) all docs in order", per: n, runs: 3) {
                var sum = 0
                for d in 0..<Int32(n) { sum &+= s.source(of: d).count }
                return sum
            })
            print(lines.joined(separator: "\n"))
        }
    }
}
